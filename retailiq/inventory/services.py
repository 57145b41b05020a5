"""Writes to inventory: the ledger (each movement moves `StockLevel` in the same transaction) and purchase orders
through their states: draft -> sent -> partly received -> received, and draft or sent -> cancelled.

A receipt writes one ledger row per line received and takes the quantity off what is on order; closing an order
short (the vendor will not send the rest) takes the remainder off too. `StockLevel.on_hand` is always the sum of
the pair's movements and `on_order` the outstanding quantity of its open purchase orders.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import F, Sum

from retailiq.catalog.models import Product
from retailiq.core.errors import Conflict, InvalidInput

from .models import (
    MovementKind,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    StockLevel,
    StockMovement,
    StockoutPeriod,
    Warehouse,
)
from .stockouts import out_of_stock, stockout_runs

INBOUND = {MovementKind.RECEIPT, MovementKind.RETURN}

# Which status each action may start from.
ALLOWED_FROM = {
    "send": {PurchaseOrderStatus.DRAFT},
    "receive": {PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED},
    "cancel": {PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT},
}
PAST = {"send": "sent", "receive": "received", "cancel": "cancelled"}


def _stock_level_locked(*, product_id: int, warehouse_id: int) -> StockLevel:
    level, _ = StockLevel.objects.select_for_update().get_or_create(product_id=product_id, warehouse_id=warehouse_id)
    return level


def stock_movement_record(
    *,
    product_id: int,
    warehouse_id: int,
    moved_on: dt.date,
    quantity: int,
    kind: str,
    reference: str = "",
    purchase_order_line: PurchaseOrderLine | None = None,
) -> StockMovement:
    """Post one movement. Refused when its sign does not fit its kind, or when it would leave stock below zero on
    its day or any day after (a back-dated issue cannot take what was already sold)."""
    if kind not in MovementKind.values:
        raise InvalidInput(f"Unknown movement kind {kind!r}.", field="kind")
    if quantity == 0:
        raise InvalidInput("A movement moves at least one unit.", field="quantity")
    if (kind in INBOUND and quantity < 0) or (kind == MovementKind.SALE and quantity > 0):
        raise InvalidInput(f"A {kind} cannot move {quantity} units.", field="quantity")
    with transaction.atomic():
        level = _stock_level_locked(product_id=product_id, warehouse_id=warehouse_id)
        if quantity < 0:
            movements = StockMovement.objects.filter(product_id=product_id, warehouse_id=warehouse_id)
            before = movements.filter(moved_on__lte=moved_on).aggregate(total=Sum("quantity"))["total"] or 0
            later = movements.filter(moved_on__gt=moved_on).order_by("moved_on").values("moved_on")
            later = later.annotate(net=Sum("quantity")).values_list("net", flat=True)
            lowest = before + min(0, int(np.cumsum([0, *later]).min()))
            if lowest + quantity < 0:
                raise InvalidInput(
                    f"Only {lowest} units are free on {moved_on}; {-quantity} cannot go out.", field="quantity"
                )
        movement = StockMovement.objects.create(
            product_id=product_id,
            warehouse_id=warehouse_id,
            moved_on=moved_on,
            quantity=quantity,
            kind=kind,
            reference=reference,
            purchase_order_line=purchase_order_line,
        )
        StockLevel.objects.filter(pk=level.pk).update(on_hand=F("on_hand") + quantity)
    return movement


@dataclass(frozen=True)
class PurchaseOrderLineInput:
    product_id: int
    quantity: int
    unit_cost: Decimal


def _next_number() -> str:
    last = PurchaseOrder.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"PO{last + 1:08d}"


def purchase_order_create(
    *, vendor_id: int, warehouse: Warehouse, lines: Sequence[PurchaseOrderLineInput]
) -> PurchaseOrder:
    """A draft order for the vendor's own products, one line per product."""
    if not lines:
        raise InvalidInput("A purchase order needs at least one line.", field="lines")
    products = [line.product_id for line in lines]
    if len(set(products)) != len(products):
        raise InvalidInput("Each product appears on one line only.", field="lines")
    if any(line.quantity <= 0 for line in lines):
        raise InvalidInput("Each line orders at least one unit.", field="quantity")
    if any(line.unit_cost < 0 for line in lines):
        raise InvalidInput("A unit cost cannot be negative.", field="unit_cost")
    owned = set(Product.objects.filter(pk__in=products, vendor_id=vendor_id).values_list("pk", flat=True))
    if owned != set(products):
        raise InvalidInput("Every product must be the vendor's own.", field="lines")
    with transaction.atomic():
        order = PurchaseOrder.objects.create(number=_next_number(), vendor_id=vendor_id, warehouse=warehouse)
        PurchaseOrderLine.objects.bulk_create(
            PurchaseOrderLine(
                purchase_order=order,
                product_id=line.product_id,
                quantity_ordered=line.quantity,
                unit_cost=line.unit_cost,
            )
            for line in lines
        )
    return order


def _locked(order: PurchaseOrder, action: str) -> PurchaseOrder:
    """Lock the row and check its current status allows `action` (another request may have moved it)."""
    order = PurchaseOrder.objects.select_for_update().get(pk=order.pk)
    allowed = ALLOWED_FROM[action]
    if order.status not in allowed:
        raise Conflict(
            f"A {order.get_status_display().lower()} purchase order cannot be {PAST[action]}.",
            fields={"status": f"is {order.status}; only {' or '.join(sorted(allowed))} can be {PAST[action]}"},
        )
    return order


def _move_on_order(order: PurchaseOrder, quantities: Mapping[int, int]) -> None:
    for product_id, quantity in quantities.items():
        if quantity:
            level = _stock_level_locked(product_id=product_id, warehouse_id=order.warehouse_id)
            StockLevel.objects.filter(pk=level.pk).update(on_order=F("on_order") + quantity)


def purchase_order_send(*, order: PurchaseOrder, sent_on: dt.date, promised_on: dt.date) -> PurchaseOrder:
    if promised_on < sent_on:
        raise InvalidInput("The promised receipt date cannot come before the order date.", field="promised_on")
    with transaction.atomic():
        order = _locked(order, "send")
        order.status, order.ordered_on, order.promised_on = PurchaseOrderStatus.SENT, sent_on, promised_on
        order.save(update_fields=["status", "ordered_on", "promised_on", "updated_at"])
        _move_on_order(order, {line.product_id: line.quantity_ordered for line in order.lines.all()})
    return order


def purchase_order_receive(
    *, order: PurchaseOrder, received_on: dt.date, quantities: Mapping[int, int], close: bool = False
) -> PurchaseOrder:
    """Receive goods: `quantities` maps product id to units arriving now. The order is received when every line
    is complete, or when `close` says the vendor will send no more (the rest leaves what is on order)."""
    with transaction.atomic():
        order = _locked(order, "receive")
        if received_on < order.ordered_on:
            raise InvalidInput("Goods cannot arrive before they were ordered.", field="received_on")
        lines = {line.product_id: line for line in order.lines.select_for_update()}
        unknown = set(quantities) - set(lines)
        if unknown:
            raise InvalidInput(f"Products {sorted(unknown)} are not on this order.", field="quantities")
        for product_id, quantity in quantities.items():
            line = lines[product_id]
            if quantity < 0 or line.quantity_received + quantity > line.quantity_ordered:
                raise InvalidInput(
                    f"{quantity} units of product {product_id} exceed the {line.quantity_ordered} ordered "
                    f"({line.quantity_received} already received).",
                    field="quantities",
                )
        arrived = {p: q for p, q in quantities.items() if q > 0}
        for product_id, quantity in arrived.items():
            line = lines[product_id]
            stock_movement_record(
                product_id=product_id,
                warehouse_id=order.warehouse_id,
                moved_on=received_on,
                quantity=quantity,
                kind=MovementKind.RECEIPT,
                reference=order.number,
                purchase_order_line=line,
            )
            line.quantity_received += quantity
            line.save(update_fields=["quantity_received"])
        complete = all(line.quantity_received == line.quantity_ordered for line in lines.values())
        leaving = dict(arrived)
        if close or complete:
            for product_id, line in lines.items():
                leaving[product_id] = leaving.get(product_id, 0) + line.quantity_ordered - line.quantity_received
            order.status, order.closed_on = PurchaseOrderStatus.RECEIVED, received_on
        else:
            order.status = PurchaseOrderStatus.PARTLY_RECEIVED
        if arrived and order.first_received_on is None:
            order.first_received_on = received_on
        order.save(update_fields=["status", "closed_on", "first_received_on", "updated_at"])
        _move_on_order(order, {p: -q for p, q in leaving.items()})
    return order


def purchase_order_cancel(*, order: PurchaseOrder, cancelled_on: dt.date) -> PurchaseOrder:
    """Only before anything arrives: a partly received order is closed short by `purchase_order_receive`."""
    with transaction.atomic():
        order = _locked(order, "cancel")
        was_sent = order.status == PurchaseOrderStatus.SENT
        order.status, order.closed_on = PurchaseOrderStatus.CANCELLED, cancelled_on
        order.save(update_fields=["status", "closed_on", "updated_at"])
        if was_sent:
            _move_on_order(order, {line.product_id: -line.quantity_ordered for line in order.lines.all()})
    return order


def stockout_periods_refresh(*, warehouse_id: int, start: dt.date, end: dt.date) -> int:
    """Rebuild one warehouse's stockout periods between `start` and `end` from its ledger (the rule of
    `retailiq.inventory.stockouts`). Returns how many periods it holds now."""
    from .selectors import stock_daily_frame

    frame = stock_daily_frame(warehouse_ids=[warehouse_id], start=start, end=end)
    with transaction.atomic():
        StockoutPeriod.objects.filter(warehouse_id=warehouse_id, started_on__gte=start, started_on__lte=end).delete()
        if frame.empty:
            return 0
        frame = frame.sort_values(["product_id", "date"])
        days = (end - start).days + 1
        pairs = frame.drop_duplicates("product_id")["product_id"].to_numpy()
        shape = (len(pairs), days)
        available = frame["available"].to_numpy(float).reshape(shape)
        stocked = frame["stocked"].to_numpy(bool).reshape(shape)
        pack = frame.drop_duplicates("product_id")["pack_size"].to_numpy()
        row, first, last = stockout_runs(out_of_stock(available, pack, stocked))
        StockoutPeriod.objects.bulk_create(
            StockoutPeriod(
                product_id=int(pairs[r]),
                warehouse_id=warehouse_id,
                started_on=start + dt.timedelta(days=int(f)),
                ended_on=None if la == days - 1 else start + dt.timedelta(days=int(la)),
            )
            for r, f, la in zip(row, first, last, strict=True)
        )
    return len(row)
