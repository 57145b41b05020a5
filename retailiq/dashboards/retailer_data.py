"""Reads for the retailer's home. Every function takes `user=` and starts from the
scoped order selectors, so a shop only ever aggregates its own orders (and the same
functions give a rep its book of retailers)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from retailiq.accounts.models import User
from retailiq.orders import selectors as order_selectors
from retailiq.orders.models import Order, OrderKind, OrderLine
from retailiq.rollups.selectors import net_units, retailer_daily_for_user

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
    """Spend, orders, units and average order value, last 90 days against the 90 before."""
    return activity_for_user(user=user, today=today, spend_label=spend_label)[1]


def _key_figures(rows: list[dict], today: dt.date, spend_label: str) -> list[KeyFigure]:
    # An order's lines all carry its day, so distinct orders per day add up to distinct
    # orders per window.
    current, previous = windows(today)
    now = [r for r in rows if r["placed_on"] >= current]
    before = [r for r in rows if previous <= r["placed_on"] < current]

    def total(part: list[dict], name: str):
        return sum((r[name] or 0 for r in part), Decimal(0) if name == "value" else 0)

    spend, spend_before = float(total(now, "value")), float(total(before, "value"))
    orders, orders_before = total(now, "orders"), total(before, "orders")
    return [
        KeyFigure(spend_label, spend, spend_before, is_money=True),
        KeyFigure("Orders", orders, orders_before),
        KeyFigure("Units", int(total(now, "units")), int(total(before, "units"))),
        KeyFigure(
            "Average order value",
            spend / orders if orders else 0,
            spend_before / orders_before if orders_before else 0,
            is_money=True,
        ),
    ]


def _one_shop(queryset, retailer_id: int | None):
    """Narrowed to one shop where a user who sees several (an analyst) picked one."""
    return queryset if retailer_id is None else queryset.filter(retailer_id=retailer_id)


def order_rows_for_user(*, user: User, retailer_id: int | None = None) -> QuerySet[Order]:
    """Whole orders with their lines, units and value (negative for returns), newest first.

    Each figure is a subquery over the order's own lines, so a page of 20 orders reads
    only those orders' lines and the pagination count reads the orders alone; grouping a
    join of every order with every line read the shop's whole history per page."""
    lines = OrderLine.objects.filter(order=OuterRef("pk")).order_by().values("order")
    gross = ExpressionWrapper(F("quantity") * F("unit_price") * (Value(1) - F("discount_rate")), output_field=MONEY)
    signed = Case(When(kind=OrderKind.RETURN, then=Value(-1)), default=Value(1))
    return (
        _one_shop(order_selectors.order_list_for_user(user=user), retailer_id)
        .annotate(
            line_count=Coalesce(Subquery(lines.annotate(n=Count("*")).values("n")), 0),
            units=Coalesce(Subquery(lines.annotate(n=Sum("quantity")).values("n")), 0),
            amount=ExpressionWrapper(
                Coalesce(Subquery(lines.annotate(n=Sum(gross)).values("n"), output_field=MONEY), Value(Decimal(0)))
                * signed,
                output_field=MONEY,
            ),
        )
        .order_by("-placed_at", "-pk")
    )


def top_products_for_user(
    *, user: User, today: dt.date | None = None, limit: int = TOP_PRODUCTS, retailer_id: int | None = None
) -> list[dict]:
    """What the shop buys most by spend in the last 90 days, with how many orders had it."""
    current, _ = windows(today)
    lines = _one_shop(order_selectors.demand_lines(order_selectors.order_line_list_for_user(user=user)), retailer_id)
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
    return _daily_frame(_daily_rows(user=user, since=_first_chart_day(today, weeks)), today, weeks)


def activity_for_user(
    *, user: User, today: dt.date | None = None, spend_label: str = "Spend", retailer_id: int | None = None
) -> tuple[pd.DataFrame, list[KeyFigure]]:
    """The daily activity of the last 26 weeks and the key figures, from one grouped query:
    the 26 weeks cover both 90-day windows the figures compare."""
    today = today or reference_day()
    since = min(_first_chart_day(today, CALENDAR_WEEKS), windows(today)[1])
    rows = _daily_rows(user=user, since=since, retailer_id=retailer_id)
    return _daily_frame(rows, today, CALENDAR_WEEKS), _key_figures(rows, today, spend_label)


def _first_chart_day(today: dt.date, weeks: int) -> dt.date:
    return today - dt.timedelta(days=weeks * 7 - 1)


def _daily_rows(*, user: User, since: dt.date, retailer_id: int | None = None) -> list[dict]:
    """Per day: sale orders, net value and net units, from the per-retailer daily rollup."""
    rows = _one_shop(retailer_daily_for_user(user=user), retailer_id)
    return list(
        rows.filter(day__gte=since)
        .values(placed_on=F("day"))
        .annotate(orders=Sum("sale_orders"), value=Sum("revenue"), units=Sum(net_units()))
        .order_by("placed_on")
    )


def _daily_frame(rows: list[dict], today: dt.date, weeks: int) -> pd.DataFrame:
    since = _first_chart_day(today, weeks)
    frame = pd.DataFrame(
        [
            {"day": r["placed_on"], "orders": r["orders"], "value": float(r["value"] or 0)}
            for r in rows
            if since <= r["placed_on"] <= today
        ],
        columns=["day", "orders", "value"],
    )
    frame.attrs.update(start=since, end=today)
    return frame
