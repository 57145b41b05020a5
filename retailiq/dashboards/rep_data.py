"""Reads for the sales rep's home: its assigned retailers with how each is ordering,
aggregated in one grouped query over the scoped retailer selector."""

import datetime as dt
from decimal import Decimal

from django.db.models import Case, Count, F, FloatField, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.orders.models import DEMAND_STATUSES, OrderKind
from retailiq.orders.selectors import net_value_expression_through
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user

from .retailer_data import MONEY, WINDOW_DAYS, windows


def retailer_rows_for_user(*, user: User, today: dt.date | None = None) -> QuerySet[Retailer]:
    """Every assigned retailer, also those that never ordered: last order day, sale
    orders per month and net value over the last 90 days, the 90 before, and the trend
    between them in percent (None when there was nothing before to compare with)."""
    current, previous = windows(today)
    demand = Q(order_lines__order__status__in=DEMAND_STATUSES)
    now = demand & Q(order_lines__placed_on__gte=current)
    before = demand & Q(order_lines__placed_on__gte=previous, order_lines__placed_on__lt=current)
    value = net_value_expression_through("order_lines__")
    zero = Value(Decimal(0))
    per_month = 30 / WINDOW_DAYS
    return (
        retailer_list_for_user(user=user)
        .annotate(
            last_order_on=Max("order_lines__placed_on", filter=demand),
            recent_orders=Count(
                "order_lines__order", filter=now & Q(order_lines__order__kind=OrderKind.SALE), distinct=True
            ),
            value_recent=Coalesce(Sum(value, filter=now), zero, output_field=MONEY),
            value_before=Coalesce(Sum(value, filter=before), zero, output_field=MONEY),
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
    return (today or timezone.localdate()) - dt.timedelta(days=days)


def city_choices_for_user(*, user: User) -> list[tuple[str, str]]:
    """The cities of the rep's own retailers, for the city filter (never others' cities)."""
    cities = retailer_list_for_user(user=user).order_by("city").values_list("city", flat=True).distinct()
    return [(city, city) for city in cities]
