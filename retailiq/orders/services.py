"""Writes to orders: each one keeps the sales rollups in step in the same transaction.

Imports write orders in bulk through `retailiq.imports.services`; these are the one-order
use cases (a retailer's order placed through a client, a cancellation, a return)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from retailiq.core.errors import InvalidInput
from retailiq.rollups.services import rollups_apply, rollups_apply_lost_sales

from .models import LostSale, LostSaleReason, Order, OrderKind, OrderLine, OrderStatus


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: int
    unit_price: Decimal
    discount_rate: Decimal = Decimal(0)


@dataclass(frozen=True)
class RefusedLineInput:
    """A line the warehouse could not ship: the units asked for, not shipped."""

    product_id: int
    quantity: int
    reason: str = LostSaleReason.STOCKOUT


def _placed_on(placed_at: dt.datetime) -> dt.date:
    return timezone.localdate(placed_at) if timezone.is_aware(placed_at) else placed_at.date()


def _check_refused(refused: Sequence[RefusedLineInput]) -> None:
    for number, line in enumerate(refused, start=1):
        if line.quantity <= 0:
            raise InvalidInput(f"Refused line {number}: the quantity must be above zero.", field="refused.quantity")
        if line.reason not in LostSaleReason.values:
            raise InvalidInput(f"Refused line {number}: unknown reason {line.reason!r}.", field="refused.reason")


def order_create(
    *,
    external_id: str,
    retailer_id: int,
    placed_at: dt.datetime,
    lines: Sequence[LineInput],
    warehouse_id: int | None = None,
    kind: str = OrderKind.SALE,
    returns_order: Order | None = None,
    status: str = OrderStatus.PLACED,
    refused: Sequence[RefusedLineInput] = (),
) -> Order:
    """An order and its lines; a return is an order of kind return (pointing at the sale
    it returns goods from, when known). `refused` are the lines its warehouse could not
    fill: each becomes a lost sale of the order, so the demand is on record beside the
    sales (an order may have every line refused)."""
    if not lines and not refused:
        raise InvalidInput("An order needs at least one line.", field="lines")
    if refused and kind != OrderKind.SALE:
        raise InvalidInput("Only a sale can have refused lines.", field="refused")
    _check_refused(refused)
    with transaction.atomic():
        order = Order.objects.create(
            external_id=external_id,
            retailer_id=retailer_id,
            warehouse_id=warehouse_id,
            placed_at=placed_at,
            kind=kind,
            returns_order=returns_order,
            status=status,
            cancelled_at=timezone.now() if status == OrderStatus.CANCELLED else None,
        )
        placed_on = _placed_on(placed_at)
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                line_number=number,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_rate=line.discount_rate,
                retailer_id=retailer_id,
                placed_on=placed_on,
            )
            for number, line in enumerate(lines, start=1)
        )
        LostSale.objects.bulk_create(
            LostSale(
                order=order,
                retailer_id=retailer_id,
                product_id=line.product_id,
                warehouse_id=warehouse_id,
                lost_on=placed_on,
                quantity=line.quantity,
                reason=line.reason,
            )
            for line in refused
        )
        rollups_apply(orders=Order.objects.filter(pk=order.pk), sign=+1)
    return order


def lost_sale_create(
    *,
    retailer_id: int,
    product_id: int,
    lost_on: dt.date,
    quantity: int,
    warehouse_id: int | None = None,
    reason: str = LostSaleReason.STOCKOUT,
) -> LostSale:
    """Units asked for and refused with no order on record (a phoned-in request, a line a
    client dropped before ordering): demand the sales will not show."""
    _check_refused([RefusedLineInput(product_id=product_id, quantity=quantity, reason=reason)])
    with transaction.atomic():
        lost = LostSale.objects.create(
            retailer_id=retailer_id,
            product_id=product_id,
            warehouse_id=warehouse_id,
            lost_on=lost_on,
            quantity=quantity,
            reason=reason,
        )
        rollups_apply_lost_sales(lost_sales=LostSale.objects.filter(pk=lost.pk), sign=+1)
    return lost


def order_return_create(*, sale: Order, external_id: str, placed_at: dt.datetime, lines: Sequence[LineInput]) -> Order:
    """Goods of `sale` coming back: a return order from the same retailer and warehouse."""
    if sale.kind != OrderKind.SALE:
        raise InvalidInput("Only a sale can be returned.", field="sale")
    return order_create(
        external_id=external_id,
        retailer_id=sale.retailer_id,
        warehouse_id=sale.warehouse_id,
        placed_at=placed_at,
        lines=lines,
        kind=OrderKind.RETURN,
        returns_order=sale,
        status=OrderStatus.DELIVERED,
    )


def order_cancel(*, order: Order) -> Order:
    """A cancelled order stays on record but no longer counts as demand."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CANCELLED:
            return locked
        one = Order.objects.filter(pk=order.pk)
        rollups_apply(orders=one, sign=-1)  # while it still counts
        one.update(status=OrderStatus.CANCELLED, cancelled_at=timezone.now())
        rollups_apply(orders=one, sign=+1)  # whatever the demand rule now counts of it
    order.refresh_from_db()
    return order
