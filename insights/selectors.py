"""Reads for insights: what a detection run reads (order lines, the calendar, promotions, names), and the stored
insights, segments, profiles and anomalies, each already narrowed to what a user may see."""

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db.models import Q, QuerySet

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, product_filter, retailer_filter
from retailiq.catalog.models import Product
from retailiq.events.selectors import calendar_event_frame
from retailiq.orders.selectors import last_day_of, sale_lines
from retailiq.registry.selectors import ServingBatch, as_of_after, serving_batch
from retailiq.retailers.models import Retailer

from .models import Insight, InsightFeedback, PatternProfile, RetailerSegment, SeriesAnomaly

CAPABILITY = "insights"
LINE_COLUMNS = [
    "retailer_id",
    "order_id",
    "date",
    "product_id",
    "category",
    "quantity",
    "value",
    "region",
    "on_promotion",
    "vendor_id",
]


# --- What a run reads ----------------------------------------------------------------------------


def latest_order_day() -> dt.date | None:
    return last_day_of(sale_lines())


def line_frame(*, start: dt.date, end: dt.date, retailer_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Sale lines between ``start`` and ``end`` (inclusive) in the detectors' long format: one row per line with
    its value after discount, the shop's region and whether the line was on promotion."""
    lines = sale_lines().filter(placed_on__gte=start, placed_on__lte=end)
    if retailer_ids is not None:
        lines = lines.filter(retailer_id__in=list(retailer_ids))
    rows = list(
        lines.order_by("placed_on", "order_id", "line_number").values_list(
            "retailer_id",
            "order_id",
            "placed_on",
            "product_id",
            "product__category__name",
            "quantity",
            "unit_price",
            "discount_rate",
            "retailer__region",
            "on_promotion",
            "product__vendor_id",
        )
    )
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(11)]
    quantity = np.asarray(columns[5], dtype=float)
    value = quantity * np.asarray(columns[6], dtype=float) * (1 - np.asarray(columns[7], dtype=float))
    return pd.DataFrame(
        {
            "retailer_id": np.asarray(columns[0], dtype=np.int64),
            "order_id": np.asarray(columns[1], dtype=np.int64),
            "date": np.asarray(columns[2], dtype="datetime64[D]").astype("datetime64[ns]"),
            "product_id": np.asarray(columns[3], dtype=np.int64),
            "category": pd.Series([c or "Uncategorised" for c in columns[4]], dtype="object"),
            "quantity": quantity,
            "value": value.round(2),
            "region": pd.Series(columns[8], dtype="object"),
            "on_promotion": np.asarray(columns[9], dtype=bool),
            "vendor_id": np.asarray(columns[10], dtype=np.int64),
        },
        columns=LINE_COLUMNS,
    )


def calendar_frame(*, start: dt.date, end: dt.date) -> pd.DataFrame:
    """One row per day of each festival or holiday between ``start`` and ``end``: date, event."""
    events = calendar_event_frame(start=start, end=end)
    days = [
        (day, name)
        for name, first, last in events[["name", "starts_on", "ends_on"]].itertuples(index=False)
        for day in pd.date_range(max(first, start), min(last, end), freq="D")
    ]
    return pd.DataFrame(days, columns=["date", "event"]).drop_duplicates(ignore_index=True)


def retailer_names(ids: Sequence[int]) -> dict[int, dict]:
    rows = Retailer.objects.filter(pk__in=list(ids)).values("pk", "name", "region", "city")
    return {row["pk"]: row for row in rows}


def product_names(ids: Sequence[int]) -> dict[int, dict]:
    rows = Product.objects.filter(pk__in=list(ids)).values("pk", "name", "vendor_id", "vendor__name")
    return {row["pk"]: row for row in rows}


def active_retailer_ids() -> list[int]:
    return list(Retailer.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))


# --- The serving batch ----------------------------------------------------------------------------


def insight_batch_serving() -> ServingBatch:
    """The stored run that serves the feed now (the active version's newest day)."""
    batch = serving_batch(capability=CAPABILITY)
    if batch.stored:
        return batch
    last = latest_order_day()
    return ServingBatch(version=batch.version, as_of=as_of_after(last) if last else None, stamp=0, stored=False)


# --- Scope -------------------------------------------------------------------------------------------


def insight_scope(user: User) -> Q:
    """Which insights a user may read: a retailer those about its own shop, a rep those about its assigned shops,
    a vendor those about its own products or itself, analysts every one (marketplace and regional ones are
    theirs alone)."""
    if user.sees_everything:
        return Q()
    if user.is_vendor:
        return Q(vendor_id=user.vendor_id) | Q(product__vendor_id=user.vendor_id)
    if user.is_retailer or user.is_sales_rep:
        return Q(retailer__isnull=False) & retailer_filter(user, prefix="retailer__")
    raise NoScope


def insight_list_for_user(*, user: User) -> QuerySet[Insight]:
    try:
        return Insight.objects.filter(insight_scope(user))
    except NoScope:
        return Insight.objects.none()


def feedback_list_for_user(*, user: User) -> QuerySet[InsightFeedback]:
    """Feedback on the insights a user may read (counts of "acted on" show to everyone who sees the insight)."""
    return InsightFeedback.objects.filter(insight__in=insight_list_for_user(user=user))


def pattern_retailers_for_user(*, user: User) -> QuerySet[Retailer]:
    """Shops whose pattern pages a user may open: its own, its assigned ones, or all (analysts)."""
    try:
        return Retailer.objects.filter(retailer_filter(user))
    except NoScope:
        return Retailer.objects.none()


def pattern_products_for_user(*, user: User) -> QuerySet[Product]:
    """Products whose pattern pages a user may open: a vendor its own, analysts all. Shops and reps read their
    shops' patterns, not a product's marketplace-wide demand."""
    if not (user.sees_everything or user.is_vendor):
        return Product.objects.none()
    return Product.objects.filter(product_filter(user))


def segment_list_for_user(*, user: User) -> QuerySet[RetailerSegment]:
    try:
        return RetailerSegment.objects.filter(retailer_filter(user, prefix="retailer__"))
    except NoScope:
        return RetailerSegment.objects.none()


def retailer_profile(*, retailer_id: int) -> PatternProfile | None:
    return PatternProfile.objects.filter(retailer_id=retailer_id).first()


def product_profile(*, product_id: int) -> PatternProfile | None:
    return PatternProfile.objects.filter(product_id=product_id).first()


def series_anomalies(*, series_key: str) -> QuerySet[SeriesAnomaly]:
    return SeriesAnomaly.objects.filter(series_key=series_key).order_by("date")
