"""Reads for the sales rep's home: its assigned retailers with how each is ordering,
aggregated in one grouped query over the scoped retailer selector's rows."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum

from retailiq.accounts.models import User
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.rollups.models import RetailerDailySales

from .reference_day import reference_day
from .retailer_data import WINDOW_DAYS, windows


def retailer_rows_for_user(*, user: User) -> QuerySet[Retailer]:
    """Every assigned retailer, also those that never ordered, with its last order day
    (one step down the per-retailer daily rollup's (retailer, day) key each), most recent
    first. The window figures come from `with_window_figures`, once the filters have
    chosen the rows."""
    last_day = RetailerDailySales.objects.filter(retailer=OuterRef("pk")).order_by("-day").values("day")[:1]
    return (
        retailer_list_for_user(user=user)
        .annotate(last_order_on=Subquery(last_day))
        .order_by(F("last_order_on").desc(nulls_last=True), "name")
    )


def with_window_figures(retailers: Iterable[Retailer], *, today: dt.date | None = None) -> list[Retailer]:
    """The retailers, each with sale orders per month and net value over the last 90 days,
    the 90 before, and the trend between them in percent (None when there was nothing
    before to compare with). One grouped query over the per-retailer daily rollup."""
    retailers = list(retailers)
    current, previous = windows(today)
    recent, before = Q(day__gte=current), Q(day__lt=current)
    figures = {
        row["retailer_id"]: row
        for row in RetailerDailySales.objects.filter(retailer_id__in=[r.pk for r in retailers], day__gte=previous)
        .values("retailer_id")
        .annotate(
            recent_orders=Sum("sale_orders", filter=recent),
            value_recent=Sum("revenue", filter=recent),
            value_before=Sum("revenue", filter=before),
        )
        .order_by()
    }
    for retailer in retailers:
        row = figures.get(retailer.pk, {})
        retailer.recent_orders = row.get("recent_orders") or 0
        retailer.value_recent = row.get("value_recent") or Decimal(0)
        retailer.value_before = row.get("value_before") or Decimal(0)
        retailer.orders_per_month = float(retailer.recent_orders) * 30 / WINDOW_DAYS
        before_value = float(retailer.value_before)
        retailer.trend_pct = (
            (float(retailer.value_recent) - before_value) * 100.0 / before_value if before_value > 0 else None
        )
    return retailers


def quiet_cutoff(days: int, today: dt.date | None = None) -> dt.date:
    """A retailer is quiet for more than `days` when its last order is before this day."""
    return (today or reference_day()) - dt.timedelta(days=days)


def city_choices_for_user(*, user: User) -> list[tuple[str, str]]:
    """The cities of the rep's own retailers, for the city filter (never others' cities)."""
    cities = retailer_list_for_user(user=user).order_by("city").values_list("city", flat=True).distinct()
    return [(city, city) for city in cities]
