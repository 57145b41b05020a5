"""What the pattern pages and the segment overview show: a shop's or a product's series with its anomalies, its
seasonality profile and segment or classes; and the segments' sizes with the movement between them from one
month to the next. Pages and API read them here, scoped to the user."""

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import Forbidden, InvalidInput, NotFound
from retailiq.retailers.models import Retailer

from ..conf import insights_settings
from ..detection import order_series
from ..models import PatternProfile, RetailerSegment, SeriesAnomaly
from ..selectors import (
    latest_order_day,
    line_frame,
    pattern_products_for_user,
    pattern_retailers_for_user,
    product_profile,
    retailer_profile,
    segment_list_for_user,
    series_anomalies,
)

SERIES_WEEKS = 78  # a year and a half: last year's festivals show beside this year's


def _id(value, *, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be an id.", field=name) from None
    if number < 1:
        raise InvalidInput(f"{name} must be an id.", field=name)
    return number


@dataclass
class Pattern:
    title: str
    series: pd.DataFrame  # date, value
    anomalies: list[SeriesAnomaly]
    profile: PatternProfile | None
    unit: str  # what the series counts
    segments: list[RetailerSegment] = field(default_factory=list)
    shop: Retailer | None = None
    product: Product | None = None
    regions: list[str] = field(default_factory=list)
    region: str = ""


def _series(*, start: dt.date, end: dt.date, key: str, retailer_ids=None, product_id=None) -> pd.DataFrame:
    lines = line_frame(start=start, end=end, retailer_ids=retailer_ids)
    if product_id is not None:
        lines = lines[lines["product_id"] == product_id]
    series = order_series(lines, freq="W")
    picked = series[series["series_id"] == key][["date", "value"]]
    if picked.empty:
        return pd.DataFrame({"date": pd.to_datetime([]), "value": []})
    # Weeks without an order are zero, not missing, so a gap shows as a drop on the chart.
    weeks = pd.date_range(picked["date"].min(), picked["date"].max(), freq="W-MON")
    return picked.set_index("date").reindex(weeks, fill_value=0.0).rename_axis("date").reset_index()


def _window() -> tuple[dt.date, dt.date]:
    end = latest_order_day() or dt.date.today()
    return end - dt.timedelta(weeks=SERIES_WEEKS), end


def shop_pattern(*, user: User, retailer_id) -> Pattern:
    pk = _id(retailer_id, name="retailer")
    shop = pattern_retailers_for_user(user=user).filter(pk=pk).first()
    if shop is None:
        raise NotFound(f"No shop {pk}.", fields={"retailer": f"No shop {pk}."})
    start, end = _window()
    key = f"r{pk}"
    return Pattern(
        title=shop.name,
        series=_series(start=start, end=end, key=key, retailer_ids=[pk]),
        anomalies=list(series_anomalies(series_key=key).filter(date__gte=start)),
        profile=retailer_profile(retailer_id=pk),
        unit="order value",
        segments=list(
            RetailerSegment.objects.filter(retailer=shop).order_by("-month")[: insights_settings().segment_months + 1]
        ),
        shop=shop,
    )


def product_pattern(*, user: User, product_id, region: str = "") -> Pattern:
    pk = _id(product_id, name="product")
    if not (user.sees_everything or user.is_vendor):
        raise Forbidden("Product patterns are for vendors and analysts.")
    product = pattern_products_for_user(user=user).select_related("vendor").filter(pk=pk).first()
    if product is None:
        raise NotFound(f"No product {pk}.", fields={"product": f"No product {pk}."})
    start, end = _window()
    regions = sorted(
        Retailer.objects.filter(order_lines__product_id=pk).order_by().values_list("region", flat=True).distinct()
    )
    if region and region not in regions:
        raise InvalidInput(f"region: {product.name} has no orders in {region}.", field="region")
    key = f"p{pk}:{region}" if region and len(regions) > 1 else f"p{pk}"
    return Pattern(
        title=product.name,
        series=_series(start=start, end=end, key=key, product_id=pk),
        anomalies=list(series_anomalies(series_key=key).filter(date__gte=start)),
        profile=product_profile(product_id=pk),
        unit="units",
        product=product,
        regions=regions if len(regions) > 1 else [],
        region=region if len(regions) > 1 else "",
    )


@dataclass
class SegmentOverview:
    month: dt.date | None
    previous: dt.date | None
    sizes: list[dict]  # segment, label, shops, share, previous_shops
    labels: list[str]  # the transition table's rows and columns, in order
    transitions: list[list[int]]  # transitions[i][j]: shops from labels[i] last month to labels[j] this month
    stayed: int = 0
    moved: int = 0
    months: list[dict] = field(default_factory=list)  # per month: {"month": day, "sizes": {label: shops}}

    def history(self) -> dict:
        """The month-by-month sizes as a table: months (columns) and, per segment label, its shops each month."""
        months = [m["month"] for m in self.months]
        labels = sorted({label for m in self.months for label in m["sizes"]})
        return {
            "months": months,
            "rows": [(label, [m["sizes"].get(label, 0) for m in self.months]) for label in labels],
        }


def segment_overview(*, user: User, month: dt.date | None = None) -> SegmentOverview:
    """Segment sizes in the latest stored month (or ``month``) and the shops' movement from the month before."""
    if user.is_vendor:
        raise Forbidden("Segments are about shops; vendors read their products' insights.")
    rows = segment_list_for_user(user=user)
    months = sorted(rows.order_by().values_list("month", flat=True).distinct(), reverse=True)
    if month is not None and month not in months:
        raise InvalidInput(f"month: no segments stored for {month:%Y-%m}.", field="month")
    if not months:
        return SegmentOverview(None, None, [], [], [])
    current = month or months[0]
    earlier = [m for m in months if m < current]
    previous = earlier[0] if earlier else None
    now = pd.DataFrame.from_records(
        list(rows.filter(month=current).values_list("retailer_id", "segment_label")), columns=["retailer_id", "label"]
    )
    before = pd.DataFrame.from_records(
        list(rows.filter(month=previous).values_list("retailer_id", "segment_label")) if previous else [],
        columns=["retailer_id", "label"],
    )
    history = (
        rows.filter(month__in=sorted(months)[-insights_settings().segment_months :])
        .values("month", "segment_label")
        .annotate(shops=Count("pk"))
        .order_by("month", "segment_label")
    )
    per_month: dict[dt.date, dict[str, int]] = {}
    for row in history:
        per_month.setdefault(row["month"], {})[row["segment_label"]] = row["shops"]
    labels = sorted(set(now["label"]) | set(before["label"]))
    counts_now, counts_before = now["label"].value_counts(), before["label"].value_counts()
    sizes = [
        {
            "label": label,
            "shops": int(counts_now.get(label, 0)),
            "share": float(counts_now.get(label, 0)) / max(len(now), 1),
            "share_text": f"{float(counts_now.get(label, 0)) / max(len(now), 1):.1%}",
            "previous_shops": int(counts_before.get(label, 0)) if previous else None,
        }
        for label in sorted(labels, key=lambda name: -counts_now.get(name, 0))
    ]
    moves = before.merge(now, on="retailer_id", suffixes=("_from", "_to"))
    matrix = pd.crosstab(moves["label_from"], moves["label_to"]).reindex(index=labels, columns=labels, fill_value=0)
    stayed = int(sum(matrix.at[label, label] for label in labels)) if len(moves) else 0
    return SegmentOverview(
        month=current,
        previous=previous,
        sizes=sizes,
        labels=labels,
        transitions=matrix.astype(int).values.tolist() if previous else [],
        stayed=stayed,
        moved=len(moves) - stayed,
        months=[{"month": m, "sizes": per_month[m]} for m in sorted(per_month)],
    )


def segment_rows(*, user: User, month: dt.date | None = None, retailer_id=None):
    """Shops' segments as the API lists them: the latest month unless ``month``, one shop with ``retailer``."""
    if user.is_vendor:
        raise Forbidden("Segments are about shops; vendors read their products' insights.")
    rows = segment_list_for_user(user=user).select_related("retailer")
    if retailer_id is not None:
        rows = rows.filter(retailer_id=_id(retailer_id, name="retailer"))
    if month is None:
        latest = rows.order_by("-month").values_list("month", flat=True).first()
        rows = rows.filter(month=latest) if latest else rows.none()
    else:
        rows = rows.filter(month=month)
    return rows.order_by("retailer__name", "retailer_id")
