"""Undoing a batch removes what it wrote and nothing recorded since: its orders and their
lines, then the vendors, products and retailers it created, except any row that later
data refers to by now (a rep's call outcome, stock levels, forecasts, reorder predictions,
a later order or return, a user, a promotion). Those are kept and counted, never deleted by
cascade.

What refers to a row is read from the model's reverse relations at run time, so a table a
capability adds later is covered without a change here."""

from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from retailiq.catalog.models import Product, Vendor
from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer
from retailiq.rollups.services import rollups_apply

from ..models import ImportBatch, ImportState
from .errors import ImportRejected


def import_batch_undo(*, batch: ImportBatch, user: Any = None) -> ImportBatch:
    if batch.state != ImportState.SUCCEEDED:
        raise ImportRejected(f"Only an import that succeeded can be undone; import {batch.pk} is {batch.state}.")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportState.SUCCEEDED:
            raise ImportRejected(f"Import {batch.pk} is already {locked.state}.")
        kept: dict[str, int] = {}
        orders = Order.objects.filter(import_batch=batch)
        # A later return pointing at one of the batch's sales keeps that sale (and its lines).
        orders = _keep_in_use(orders, kept, "orders")
        rollups_apply(orders=orders, sign=-1)  # while the lines still count
        lines, _ = OrderLine.objects.filter(order__in=orders).delete()
        removed_orders = _delete(orders)
        removed = {
            "order_lines": lines,
            "orders": removed_orders,
            "products": _delete(_keep_in_use(Product.objects.filter(import_batch=batch), kept, "products")),
            "retailers": _delete(_keep_in_use(Retailer.objects.filter(import_batch=batch), kept, "retailers")),
            "vendors": _delete(_keep_in_use(Vendor.objects.filter(import_batch=batch), kept, "vendors")),
        }
        summary = dict(locked.summary)
        summary["undo"] = {"removed": removed, "kept_still_in_use": kept}
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.UNDONE, undone_at=timezone.now(), undone_by=_user_or_none(user), summary=summary
        )
    batch.refresh_from_db()
    return batch


def _keep_in_use(rows: models.QuerySet, kept: dict[str, int], label: str) -> models.QuerySet:
    """The rows nothing outside `rows` refers to; the others are counted in `kept`."""
    in_use = Q()
    for relation in rows.model._meta.related_objects:
        if relation.related_model is OrderLine and rows.model is Order:
            continue  # an order's own lines go with it
        referrers = relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
        if relation.related_model is rows.model:
            referrers = referrers.exclude(pk__in=rows.values("pk"))  # a return in the same batch
        in_use |= Q(Exists(referrers))
    if not in_use:
        return rows
    still_used = rows.filter(in_use).count()
    if still_used:
        kept[label] = kept.get(label, 0) + still_used
    return rows.exclude(in_use)


def _delete(rows: models.QuerySet) -> int:
    _, by_model = rows.delete()
    return by_model.get(rows.model._meta.label, 0)


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
