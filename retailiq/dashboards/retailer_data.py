"""Reads for the retailer's home. Every function takes `user=` and starts from the
scoped order selectors, so a shop only ever aggregates its own orders (and the same
functions give a rep its book of retailers)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from retailiq.accounts.models import User
from retailiq.orders import selectors as order_selectors
from retailiq.orders.models import Order, OrderKind

from .reference_day import reference_day

WINDOW_DAYS = 90
CALENDAR_WEEKS = 26
TOP_PRODUCTS = 10
MONEY = DecimalField(max_digits=18, decimal_places=2)


@dataclass(frozen=True)
class KeyFigure:
    """One card: this window against the one before, so a shop sees direction, not only size."""

    label: str
    value: float
    previous: float
    is_money: bool = False

    @property
    def change_pct(self) -> float | None:
        if not self.previous:
            return None
        return round((self.value - self.previous) / abs(self.previous) * 100, 1)


def windows(today: dt.date | None = None, days: int = WINDOW_DAYS) -> tuple[dt.date, dt.date]:
    """Start of the current window and of the previous one; the current one includes today."""
    today = today or reference_day()
    current = today - dt.timedelta(days=days - 1)
    return current, current - dt.timedelta(days=days)


def key_figures_for_user(*, user: User, today: dt.date | None = None, spend_label: str = "Spend") -> list[KeyFigure]:
    """Spend, orders, units and average order value, last 90 days against the 90 before,
    in one aggregate query."""
    current, previous = windows(today)
    lines = order_selectors.demand_lines(order_selectors.order_line_list_for_user(user=user))
    lines = lines.filter(placed_on__gte=previous)
    now, before = Q(placed_on__gte=current), Q(placed_on__lt=current)
    sale = Q(order__kind=OrderKind.SALE)
    value, units = order_selectors.net_value_expression(), order_selectors.net_quantity_expression()
    row = lines.aggregate(
        spend=Sum(value, filter=now),
        spend_before=Sum(value, filter=before),
        units=Sum(units, filter=now),
        units_before=Sum(units, filter=before),
        orders=Count("order", filter=now & sale, distinct=True),
        orders_before=Count("order", filter=before & sale, distinct=True),
    )
    spend, spend_before = float(row["spend"] or 0), float(row["spend_before"] or 0)
    orders, orders_before = row["orders"], row["orders_before"]
    return [
        KeyFigure(spend_label, spend, spend_before, is_money=True),
        KeyFigure("Orders", orders, orders_before),
        KeyFigure("Units", int(row["units"] or 0), int(row["units_before"] or 0)),
        KeyFigure(
            "Average order value",
            spend / orders if orders else 0,
            spend_before / orders_before if orders_before else 0,
            is_money=True,
        ),
    ]


def order_rows_for_user(*, user: User) -> QuerySet[Order]:
    """Whole orders with their lines, units and value (negative for returns) summed in
    the database, newest first."""
    gross = ExpressionWrapper(
        F("lines__quantity") * F("lines__unit_price") * (Value(1) - F("lines__discount_rate")), output_field=MONEY
    )
    signed = Case(When(kind=OrderKind.RETURN, then=Value(-1)), default=Value(1))
    return (
        order_selectors.order_list_for_user(user=user)
        .annotate(
            line_count=Count("lines"),
            units=Coalesce(Sum("lines__quantity"), 0),
            gross=Coalesce(Sum(gross), Value(Decimal(0)), output_field=MONEY),
        )
        .annotate(amount=ExpressionWrapper(F("gross") * signed, output_field=MONEY))
        .order_by("-placed_at", "-pk")
    )


def top_products_for_user(*, user: User, today: dt.date | None = None, limit: int = TOP_PRODUCTS) -> list[dict]:
    """What the shop buys most by spend in the last 90 days, with how many orders had it."""
    current, _ = windows(today)
    lines = order_selectors.demand_lines(order_selectors.order_line_list_for_user(user=user))
    return list(
        lines.filter(placed_on__gte=current)
        .values("product_id", "product__sku", "product__name")
        .annotate(
            spend=Sum(order_selectors.net_value_expression()),
            units=Sum(order_selectors.net_quantity_expression()),
            orders=Count("order", distinct=True),
        )
        .order_by("-spend", "product__name")[:limit]
    )


def daily_activity_for_user(*, user: User, weeks: int = CALENDAR_WEEKS, today: dt.date | None = None) -> pd.DataFrame:
    """Orders and net value per day over the last `weeks` weeks (columns day, orders,
    value): one query feeds both the weekly chart and the order calendar."""
    today = today or reference_day()
    since = today - dt.timedelta(days=weeks * 7 - 1)
    lines = order_selectors.demand_lines(order_selectors.order_line_list_for_user(user=user))
    rows = (
        lines.filter(placed_on__gte=since, placed_on__lte=today)
        .values("placed_on")
        .annotate(
            orders=Count("order", filter=Q(order__kind=OrderKind.SALE), distinct=True),
            value=Sum(order_selectors.net_value_expression()),
        )
        .order_by("placed_on")
    )
    frame = pd.DataFrame(
        [{"day": r["placed_on"], "orders": r["orders"], "value": float(r["value"] or 0)} for r in rows],
        columns=["day", "orders", "value"],
    )
    frame.attrs.update(start=since, end=today)
    return frame
