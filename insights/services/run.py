"""One detection run as of a day: read the lines before it, run the detectors, word what they found as insights,
and take the month's segment snapshots (and any of the last months still missing, so movement between segments
shows from the first run). Returns frames; ``services.write`` stores them."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings

from ..conf import insights_settings
from ..detection import DetectionInputs, DetectionRun, detection_run, segments_as_of
from ..models import RetailerSegment
from ..selectors import calendar_frame, line_frame, product_names, retailer_names
from ..wording import Wording, product_anomaly, product_change, segment_shift, shop_anomaly, shop_change

RECENT_PERIODS = 2  # anomalies in the last two periods before the run become insights; older ones stay on charts


@dataclass
class RunOutput:
    insights: pd.DataFrame  # one row per Wording
    segments: pd.DataFrame  # retailer_id, month, as_of, the detector's columns, churn_probability
    profiles: pd.DataFrame  # entity_kind, entity_id, weekday, month_profile, festival_sensitivity, abc, xyz, ...
    anomalies: pd.DataFrame  # flagged periods: series_key, series_kind, retailer_id, product_id, region, ...


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(day: dt.date, count: int) -> list[dt.date]:
    """The first days of ``count`` months before ``day``'s month, newest first."""
    months, current = [], month_start(day)
    for _ in range(count):
        current = month_start(current - dt.timedelta(days=1))
        months.append(current)
    return months


def insights_run(
    *, as_of: dt.date, config: Any = None, retailer_ids: list[int] | None = None, stored_months: set | None = None
) -> RunOutput:
    """Detect as of ``as_of`` from the history window before it. ``retailer_ids`` narrows the shops (an on-demand
    look at one shop); ``stored_months`` are the months whose segment snapshots exist already."""
    conf = insights_settings()
    start = as_of - dt.timedelta(days=conf.history_days)
    lines = line_frame(start=start, end=as_of - dt.timedelta(days=1), retailer_ids=retailer_ids)
    calendar = calendar_frame(start=start, end=as_of)
    run = detection_run(DetectionInputs(lines=lines, calendar=calendar, as_of=as_of, freq=conf.freq), config=config)
    segments = _segments(run, lines, as_of=as_of, months=conf.segment_months, stored=stored_months or set())
    previous = _previous_month_segments(segments, as_of=as_of)
    wordings = [
        *_anomaly_insights(run, lines, as_of=as_of, freq=conf.freq),
        *_change_insights(run),
        *_segment_insights(segments, previous, as_of=as_of),
    ]
    wordings = [w for w in wordings if w.severity >= conf.min_severity]
    insights = pd.DataFrame([w.__dict__ for w in wordings], columns=list(Wording.__dataclass_fields__))
    insights = insights.drop_duplicates("key", keep="first").assign(as_of=as_of)
    return RunOutput(
        insights=insights.reset_index(drop=True),
        segments=segments,
        profiles=_profiles(run).assign(as_of=as_of),
        anomalies=_anomaly_rows(run).assign(as_of=as_of),
    )


def _recent(anomalies: pd.DataFrame, *, as_of: dt.date, freq: str) -> pd.DataFrame:
    if anomalies.empty:
        return anomalies
    days = RECENT_PERIODS * (1 if freq == "D" else 7) + (0 if freq == "D" else 6)
    return anomalies[pd.to_datetime(anomalies["date"]) >= pd.Timestamp(as_of - dt.timedelta(days=days))]


def _anomaly_insights(run: DetectionRun, lines: pd.DataFrame, *, as_of: dt.date, freq: str) -> list[Wording]:
    recent = _recent(run.anomalies, as_of=as_of, freq=freq)
    if recent.empty:
        return []
    ids = recent["series_id"].astype(str)
    shops = retailer_names([int(s[1:]) for s in ids if s.startswith("r")])
    products = product_names([int(s[1:].split(":")[0]) for s in ids if s.startswith("p")])
    money = settings.RETAILIQ_CURRENCY
    out = []
    for row in recent.assign(date=pd.to_datetime(recent["date"])).to_dict("records"):
        series = str(row["series_id"])
        if series.startswith("r") and int(series[1:]) in shops:
            out.append(shop_anomaly(row, shop=shops[int(series[1:])], freq=freq, money=money))
        elif series.startswith("p"):
            product_id, _, region = series[1:].partition(":")
            if int(product_id) in products:
                promoted = bool(row.get("on_promotion") or 0)
                out.append(
                    product_anomaly(row, product=products[int(product_id)], region=region, freq=freq, promoted=promoted)
                )
    return out


def _change_insights(run: DetectionRun) -> list[Wording]:
    changes = run.changes
    if changes is None or changes.empty:
        return []
    has_shop = changes["retailer_id"].notna()
    shops = retailer_names(changes.loc[has_shop, "retailer_id"].astype(int).tolist())
    products = product_names(changes.loc[~has_shop, "product_id"].dropna().astype(int).tolist())
    # A shop's smaller baskets join its other changes' sentences ("…; its last 3 orders were 20% smaller").
    baskets = {
        int(row["retailer_id"]): row["evidence"].get("last_3_basket_change_pct")
        for row in changes[changes["kind"] == "basket_shrink"].to_dict("records")
    }
    money = settings.RETAILIQ_CURRENCY
    out = []
    for row, shop_row in zip(changes.to_dict("records"), has_shop, strict=True):
        if shop_row and int(row["retailer_id"]) in shops:
            shop_id = int(row["retailer_id"])
            out.append(shop_change(row, shop=shops[shop_id], money=money, basket_change_pct=baskets.get(shop_id)))
        elif not shop_row and row.get("product_id") is not None and int(row["product_id"]) in products:
            out.append(product_change(row, product=products[int(row["product_id"])]))
    return out


def _churn_probabilities(run: DetectionRun) -> pd.Series:
    changes = run.changes
    if changes is None or changes.empty or "probability" not in changes:
        return pd.Series(dtype=float)
    churn = changes[changes["kind"] == "churn_risk"].dropna(subset=["retailer_id"])
    return churn.groupby(churn["retailer_id"].astype(int))["probability"].max()


def _segments(run: DetectionRun, lines: pd.DataFrame, *, as_of: dt.date, months: int, stored: set) -> pd.DataFrame:
    """This month's snapshot (as of the run) and the snapshots of earlier months not stored yet, each taken as of
    the first day of the month after it."""
    churn = _churn_probabilities(run)
    frames = [
        run.segments.assign(
            month=month_start(as_of), as_of=as_of, churn_probability=run.segments["retailer_id"].map(churn).fillna(0.0)
        )
    ]
    for month in months_back(as_of, months):
        if month in stored:
            continue
        snapshot_day = month_start(month + dt.timedelta(days=32))
        frame = segments_as_of(lines, as_of=snapshot_day)
        if len(frame):
            frames.append(frame.assign(month=month, as_of=snapshot_day, churn_probability=0.0))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _previous_month_segments(segments: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Last month's snapshot: from this run where it took one, else as stored."""
    last = months_back(as_of, 1)[0]
    here = segments[segments["month"] == last] if len(segments) else segments
    if len(here):
        return here[["retailer_id", "segment", "segment_label"]]
    stored = RetailerSegment.objects.filter(month=last).values_list("retailer_id", "segment", "segment_label")
    return pd.DataFrame.from_records(list(stored), columns=["retailer_id", "segment", "segment_label"])


def _segment_insights(segments: pd.DataFrame, previous: pd.DataFrame, *, as_of: dt.date) -> list[Wording]:
    """The largest movements between segments since last month, for analysts."""
    if segments.empty or previous.empty:
        return []
    now = segments[segments["month"] == month_start(as_of)][["retailer_id", "segment", "segment_label"]]
    moves = previous.merge(now, on="retailer_id", suffixes=("_from", "_to"))
    sizes = previous.groupby("segment_label").size()
    moved = moves[moves["segment_from"] != moves["segment_to"]]
    counts = moved.groupby(["segment_label_from", "segment_label_to"]).size().sort_values(ascending=False)
    month = f"{as_of:%B %Y}"
    return [
        segment_shift(moved=int(n), from_label=src, to_label=dst, month=month, size=int(sizes.get(src, 0)))
        for (src, dst), n in counts.head(3).items()
        if n >= 2
    ]


def _profiles(run: DetectionRun) -> pd.DataFrame:
    profiles = run.profiles.copy() if run.profiles is not None else pd.DataFrame()
    classes = run.classes if run.classes is not None else pd.DataFrame()
    if len(classes):
        products = classes.rename(columns={"product_id": "entity_id"}).assign(entity_kind="product")
        merged = profiles.merge(products, on=["entity_kind", "entity_id"], how="outer") if len(profiles) else None
        profiles = products if merged is None else merged
    return profiles


def _anomaly_rows(run: DetectionRun) -> pd.DataFrame:
    frame = run.anomalies
    if frame.empty:
        return frame.assign(series_kind=[], retailer_id=[], product_id=[], region=[])
    ids = frame["series_id"].astype(str)
    is_shop = ids.str.startswith("r")
    body = ids.str[1:]
    product = body.str.split(":").str[0]
    region = body.str.partition(":")[2]
    return frame.assign(
        series_key=ids,
        series_kind=is_shop.map({True: "retailer", False: "product"}).where(is_shop | (region == ""), "product_region"),
        retailer_id=pd.to_numeric(body.where(is_shop), errors="coerce"),
        product_id=pd.to_numeric(product.where(~is_shop), errors="coerce"),
        region=region.where(~is_shop, ""),
    )
