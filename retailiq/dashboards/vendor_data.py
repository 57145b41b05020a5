"""What the vendor's home reads, each a selector taking `user=` and built on the scoped
rollup selectors (per product and day, per vendor x retailer and day, retailer x product),
so a vendor only ever aggregates its own products' figures and never reads order lines.
Every function is one aggregate query in the database."""

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from retailiq.accounts.models import User
from retailiq.retailers.models import Retailer, Segment
from retailiq.rollups.selectors import (
    net_units,
    product_daily_for_user,
    retailer_product_sales_for_user,
    retailer_sales_for_user,
    vendor_retailer_daily_for_user,
)

from .reference_day import reference_day

KEY_FIGURE_DAYS = 90
MOVEMENT_DAYS = 30
GRANULARITIES = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
# How far back each granularity looks: enough points to read a trend, not so many that
# the bars turn into noise.
CHART_WINDOW_DAYS = {"day": 90, "week": 364, "month": 730}
BREAKDOWNS = {"region": "retailer__region", "segment": "retailer__segment"}


def _change(current: float, previous: float) -> float | None:
    """Relative change; None when there was nothing before (a change from zero has no size)."""
    return None if not previous else (current - previous) / previous


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: float
    previous: float
    is_money: bool = False

    @property
    def change(self) -> float | None:
        return _change(self.value, self.previous)

    @property
    def change_text(self) -> str:
        """'+12.5%' or, for a fall, a true minus sign (U+2212) as the money filter writes it."""
        change = self.change
        if change is None:
            return ""
        sign = "+" if change > 0 else "−" if change < 0 else ""
        return f"{sign}{abs(change) * 100:,.1f}%"


def vendor_key_figures(*, user: User, today: dt.date | None = None) -> list[KeyFigure]:
    """Revenue, units, buying retailers and products sold in the last 90 days and the 90
    before, so each card can show its change: the per-product daily rollup, and the
    vendor x retailer days for the distinct retailers over a window."""
    today = today or reference_day()
    since = today - dt.timedelta(days=KEY_FIGURE_DAYS)
    before = since - dt.timedelta(days=KEY_FIGURE_DAYS)
    now, then = Q(day__gte=since), Q(day__gte=before, day__lt=since)
    row = (
        product_daily_for_user(user=user)
        .filter(day__gte=before, lines__gt=0)  # a day with only refused units sold nothing
        .aggregate(
            # Named apart from the rollup's own columns, which an aggregate may not shadow.
            revenue_now=Sum("revenue", filter=now),
            revenue_before=Sum("revenue", filter=then),
            units_now=Sum(net_units(), filter=now),
            units_before=Sum(net_units(), filter=then),
            products_now=Count("product", filter=now, distinct=True),
            products_before=Count("product", filter=then, distinct=True),
        )
    )
    row = {key.removesuffix("_now"): value for key, value in row.items()}
    row |= (
        vendor_retailer_daily_for_user(user=user)
        .filter(day__gte=before)
        .aggregate(
            retailers=Count("retailer", filter=now, distinct=True),
            retailers_before=Count("retailer", filter=then, distinct=True),
        )
    )
    labels = {"revenue": "Revenue", "units": "Units sold", "retailers": "Buying retailers", "products": "Products sold"}
    return [
        KeyFigure(
            label=label,
            value=float(row[key] or 0),
            previous=float(row[f"{key}_before"] or 0),
            is_money=key == "revenue",
        )
        for key, label in labels.items()
    ]


def vendor_sales_series(*, user: User, granularity: str, breakdown: str, today: dt.date | None = None) -> pd.DataFrame:
    """Net revenue and units per period and region (or segment), long format: columns
    period, group, revenue, units. Truncated and summed in the database, over the
    vendor x retailer days (the region and segment are the retailer's today, as on the lines)."""
    today = today or reference_day()
    since = today - dt.timedelta(days=CHART_WINDOW_DAYS[granularity])
    rows = (
        vendor_retailer_daily_for_user(user=user)
        .filter(day__gte=since)
        .annotate(period=GRANULARITIES[granularity]("day"), group=F(BREAKDOWNS[breakdown]))
        .values("period", "group")
        .annotate(revenue=Sum("revenue"), units=Sum(net_units()))
        .order_by("period", "group")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["period", "group", "revenue", "units"])
    if breakdown == "segment":
        frame["group"] = frame["group"].map(lambda s: Segment(s).label if s in Segment.values else s)
    frame["revenue"] = frame["revenue"].astype(float)
    frame["units"] = frame["units"].astype(int)
    return frame


def vendor_retailer_sales(*, user: User, today: dt.date | None = None) -> QuerySet:
    """Retailers buying the vendor's products in the last 90 days, for the filtered table."""
    today = today or reference_day()
    return retailer_sales_for_user(user=user, since=today - dt.timedelta(days=KEY_FIGURE_DAYS))


def sales_region_choices(*, user: User) -> list[tuple[str, str]]:
    """Regions the user's sales reached: the region filter offers only what can match,
    and a vendor learns nothing about regions it never sold to. Read from the retailer x
    product rollup (one row per buying pair), not the vendor's lines."""
    reached = retailer_product_sales_for_user(user=user).filter(retailer=OuterRef("pk"))
    regions = Retailer.objects.filter(Exists(reached)).order_by("region").values_list("region", flat=True).distinct()
    return [(r, r) for r in regions if r]


def vendor_product_movement(*, user: User, today: dt.date | None = None) -> list[dict]:
    """Per product: units in the last 30 days and the 30 before, the change, and recent
    revenue. One grouped query over the per-product daily rollup; the two tables (top,
    declining) sort the same rows."""
    today = today or reference_day()
    since = today - dt.timedelta(days=MOVEMENT_DAYS)
    before = since - dt.timedelta(days=MOVEMENT_DAYS)
    now, then = Q(day__gte=since), Q(day__gte=before, day__lt=since)
    rows = (
        product_daily_for_user(user=user)
        .filter(day__gte=before, lines__gt=0)  # a day with only refused units sold nothing
        .values("product_id")
        .annotate(
            sku=F("product__sku"),
            name=F("product__name"),
            units=Sum(net_units(), filter=now),
            units_before=Sum(net_units(), filter=then),
            recent_revenue=Sum("revenue", filter=now),
        )
        .order_by("product_id")
    )
    movement = []
    for row in rows:
        units, units_before = int(row["units"] or 0), int(row["units_before"] or 0)
        revenue = float(row.pop("recent_revenue") or 0)
        movement.append(
            {
                **row,
                "units": units,
                "units_before": units_before,
                "revenue": revenue,
                # A product new this month has no relative change; infinity keeps the
                # column sortable (tables sort in Python here) and renders as "new".
                "change": math.inf if not units_before else _change(units, units_before),
            }
        )
    return movement


def top_products(movement: list[dict]) -> list[dict]:
    return sorted((r for r in movement if r["units"] > 0), key=lambda r: (-r["units"], r["name"]))


def declining_products(movement: list[dict]) -> list[dict]:
    """Products selling fewer units than in the 30 days before, steepest fall first."""
    falling = [r for r in movement if r["units"] < r["units_before"]]
    return sorted(falling, key=lambda r: (r["change"], -r["units_before"], r["name"]))
