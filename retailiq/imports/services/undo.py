"""Undoing a batch removes what it wrote: its orders and their lines, then the vendors,
products and retailers it created that nothing else refers to by now."""

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.deletion import RestrictedError
from django.utils import timezone

from retailiq.catalog.models import Product, Vendor
from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer

from ..models import ImportBatch, ImportState
from .errors import ImportRejected


def import_batch_undo(*, batch: ImportBatch, user: Any = None) -> ImportBatch:
    if batch.state != ImportState.SUCCEEDED:
        raise ImportRejected(f"Only an import that succeeded can be undone; import {batch.pk} is {batch.state}.")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != ImportState.SUCCEEDED:
            raise ImportRejected(f"Import {batch.pk} is already {locked.state}.")
        lines, _ = OrderLine.objects.filter(order__import_batch=batch).delete()
        orders, _ = Order.objects.filter(import_batch=batch).delete()
        kept = {}
        removed = {
            "order_lines": lines,
            "orders": orders,
            "products": _delete_unreferenced(Product.objects.filter(import_batch=batch), kept, "products"),
            "retailers": _delete_unreferenced(Retailer.objects.filter(import_batch=batch), kept, "retailers"),
            "vendors": _delete_unreferenced(Vendor.objects.filter(import_batch=batch), kept, "vendors"),
        }
        summary = dict(locked.summary)
        summary["undo"] = {"removed": removed, "kept_still_in_use": kept}
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.UNDONE, undone_at=timezone.now(), undone_by=_user_or_none(user), summary=summary
        )
    batch.refresh_from_db()
    return batch


def _delete_unreferenced(rows, kept: dict[str, int], label: str) -> int:
    """Rows that other data has come to use since the import (a later upload's orders,
    stock, forecasts) stay: deleting them would lose that data."""
    try:
        with transaction.atomic():
            _, by_model = rows.delete()
            return by_model.get(rows.model._meta.label, 0)
    except (ProtectedError, RestrictedError):
        pass
    removed = 0
    for row in rows.iterator():
        try:
            with transaction.atomic():
                row.delete()
                removed += 1
        except (ProtectedError, RestrictedError):
            kept[label] = kept.get(label, 0) + 1
    return removed


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
