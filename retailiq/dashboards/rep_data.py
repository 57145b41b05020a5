"""Reads for the sales rep's home: its assigned retailers with how each is ordering,
aggregated in one grouped query over the scoped retailer selector."""

import datetime as dt
from decimal import Decimal

from django.db.models import Case, Count, F, FloatField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from retailiq.accounts.models import User
from retailiq.orders.models import DEMAND_STATUSES, OrderKind, OrderLine
from retailiq.orders.selectors import net_value_expression
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user

from .reference_day import reference_day
from .retailer_data import MONEY, WINDOW_DAYS, windows


def _lines_of_each_retailer() -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(retailer=OuterRef("pk"), order__status__in=DEMAND_STATUSES)


def _sum_per_retailer(lines: QuerySet[OrderLine], expression) -> Subquery:
    return Subquery(
        lines.order_by().values("retailer").annotate(total=Sum(expression)).values("total")[:1], output_field=MONEY
    )


def retailer_rows_for_user(*, user: User, today: dt.date | None = None) -> QuerySet[Retailer]:
    """Every assigned retailer, also those that never ordered: last order day, sale
    orders per month and net value over the last 90 days, the 90 before, and the trend
    between them in percent (None when there was nothing before to compare with).

    Each figure is a subquery per retailer over the (retailer, placed_on) index, limited
    to its window: a join of all retailers with all their lines took seconds."""
    current, previous = windows(today)
    lines = _lines_of_each_retailer()
    value = net_value_expression()
    zero = Value(Decimal(0))
    per_month = 30 / WINDOW_DAYS
    recent_orders = (
        lines.filter(placed_on__gte=current, order__kind=OrderKind.SALE)
        .order_by()
        .values("retailer")
        .annotate(n=Count("order", distinct=True))
        .values("n")[:1]
    )
    return (
        retailer_list_for_user(user=user)
        .annotate(
            last_order_on=Subquery(lines.order_by("-placed_on").values("placed_on")[:1]),
            recent_orders=Coalesce(Subquery(recent_orders, output_field=IntegerField()), 0),
            value_recent=Coalesce(
                _sum_per_retailer(lines.filter(placed_on__gte=current), value), zero, output_field=MONEY
            ),
            value_before=Coalesce(
                _sum_per_retailer(lines.filter(placed_on__gte=previous, placed_on__lt=current), value),
                zero,
                output_field=MONEY,
            ),
        )
        .annotate(
            orders_per_month=Cast(F("recent_orders"), FloatField()) * Value(per_month),
            trend_pct=Case(
                When(
                    value_before__gt=0,
                    then=(Cast(F("value_recent"), FloatField()) - Cast(F("value_before"), FloatField()))
                    * Value(100.0)
                    / Cast(F("value_before"), FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            ),
        )
        .order_by(F("last_order_on").desc(nulls_last=True), "name")
    )


def quiet_cutoff(days: int, today: dt.date | None = None) -> dt.date:
    """A retailer is quiet for more than `days` when its last order is before this day."""
    return (today or reference_day()) - dt.timedelta(days=days)


def city_choices_for_user(*, user: User) -> list[tuple[str, str]]:
    """The cities of the rep's own retailers, for the city filter (never others' cities)."""
    cities = retailer_list_for_user(user=user).order_by("city").values_list("city", flat=True).distinct()
    return [(city, city) for city in cities]
