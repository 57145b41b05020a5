"""Reads for the sales rep's home: its assigned retailers with how each is ordering,
aggregated in one grouped query over the scoped retailer selector's rows."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum

from retailiq.accounts.models import User
from retailiq.orders.models import OrderLine
from retailiq.orders.selectors import demand_lines, net_value_expression, sale_filter
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user

from .reference_day import reference_day
from .retailer_data import WINDOW_DAYS, windows


def retailer_rows_for_user(*, user: User) -> QuerySet[Retailer]:
    """Every assigned retailer, also those that never ordered, with its last order day
    (one step down the (retailer, placed_on) index each), most recent first. The window
    figures come from `with_window_figures`, once the filters have chosen the rows."""
    last_line = demand_lines().filter(retailer=OuterRef("pk"))
    return (
        retailer_list_for_user(user=user)
        .annotate(last_order_on=Subquery(last_line.order_by("-placed_on").values("placed_on")[:1]))
        .order_by(F("last_order_on").desc(nulls_last=True), "name")
    )


def with_window_figures(retailers: Iterable[Retailer], *, today: dt.date | None = None) -> list[Retailer]:
    """The retailers, each with sale orders per month and net value over the last 90 days,
    the 90 before, and the trend between them in percent (None when there was nothing
    before to compare with).

    One query with a subquery per figure, each over the retailer's own window of the
    (retailer, placed_on) index: grouping all the retailers' lines in one join made
    PostgreSQL scan every order; the trend, computed here, would repeat them."""
    retailers = list(retailers)
    current, previous = windows(today)
    lines = demand_lines().filter(retailer=OuterRef("pk")).order_by()

    def per_retailer(window: QuerySet[OrderLine], figure) -> Subquery:
        return Subquery(window.values("retailer").annotate(figure=figure).values("figure")[:1])

    value = Sum(net_value_expression())
    figures = {
        row["pk"]: row
        for row in Retailer.objects.filter(pk__in=[r.pk for r in retailers])
        .values("pk")
        .annotate(
            recent_orders=per_retailer(
                lines.filter(sale_filter(), placed_on__gte=current), Count("order", distinct=True)
            ),
            value_recent=per_retailer(lines.filter(placed_on__gte=current), value),
            value_before=per_retailer(lines.filter(placed_on__gte=previous, placed_on__lt=current), value),
        )
    }
    for retailer in retailers:
        row = figures.get(retailer.pk, {})
        retailer.recent_orders = row.get("recent_orders") or 0
        retailer.value_recent = row.get("value_recent") or Decimal(0)
        retailer.value_before = row.get("value_before") or Decimal(0)
        retailer.orders_per_month = float(retailer.recent_orders) * 30 / WINDOW_DAYS
        before = float(retailer.value_before)
        retailer.trend_pct = (float(retailer.value_recent) - before) * 100.0 / before if before > 0 else None
    return retailers


def quiet_cutoff(days: int, today: dt.date | None = None) -> dt.date:
    """A retailer is quiet for more than `days` when its last order is before this day."""
    return (today or reference_day()) - dt.timedelta(days=days)


def city_choices_for_user(*, user: User) -> list[tuple[str, str]]:
    """The cities of the rep's own retailers, for the city filter (never others' cities)."""
    cities = retailer_list_for_user(user=user).order_by("city").values_list("city", flat=True).distinct()
    return [(city, city) for city in cities]
