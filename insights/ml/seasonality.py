"""Each shop's and product's weekly and yearly profile and its festival sensitivity, as facts a page shows.

Profiles are indices around 1.0: the weekday profile is mean demand per weekday over the mean day (days without
orders count as zero), the month profile mean daily demand per calendar month over the mean day (NaN for
months not yet seen). Festival sensitivity is demand in festival weeks over the mean of the non-festival weeks
within six weeks either side: 1.0 insensitive, 2.0 doubles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import period_events

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
COLUMNS = [
    "entity_kind", "entity_id", "weekday_profile", "month_profile", "festival_sensitivity", "festival_detail",
    "peak_weekday", "peak_month", "weekday_strength", "days_observed",
]  # fmt: skip


def as_daily_series(lines_or_series: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """``entity_kind, entity_id, date, value``: shops by order value, products by quantity, or as given."""
    frame = lines_or_series.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    frame = frame[frame["date"] < as_of]
    if {"entity_kind", "entity_id", "value"} <= set(frame.columns):
        return frame[["entity_kind", "entity_id", "date", "value"]]
    parts = []
    if "retailer_id" in frame:
        shops = frame.groupby(["retailer_id", "date"])["value"].sum().reset_index()
        parts.append(shops.rename(columns={"retailer_id": "entity_id"}).assign(entity_kind="retailer"))
    if "product_id" in frame:
        products = frame.groupby(["product_id", "date"])["quantity"].sum().reset_index()
        parts.append(
            products.rename(columns={"product_id": "entity_id", "quantity": "value"}).assign(entity_kind="product")
        )
    if not parts:
        raise ValueError("lines_or_series needs retailer_id/product_id lines or entity_kind, entity_id, value")
    return pd.concat(parts, ignore_index=True)[["entity_kind", "entity_id", "date", "value"]]


def festival_ratios(weekly: pd.Series, events: np.ndarray) -> dict[str, float]:
    ratios: dict[str, list[float]] = {}
    values = weekly.to_numpy(dtype=float)
    for i, event in enumerate(events):
        if not event:
            continue
        around = [j for j in range(max(0, i - 6), min(len(values), i + 7)) if not events[j]]
        usual = float(np.mean(values[around])) if around else 0.0
        if usual > 0:
            ratios.setdefault(event, []).append(values[i] / usual)
    return {event: round(float(np.mean(r)), 3) for event, r in ratios.items()}


def profile_one(daily: pd.Series, calendar: pd.DataFrame | None) -> dict:
    mean_day = float(daily.mean())
    weekday = daily.groupby(daily.index.dayofweek).mean().reindex(range(7))
    month = daily.groupby(daily.index.month).mean().reindex(range(1, 13))
    weekday_index = (weekday / mean_day) if mean_day > 0 else weekday * np.nan
    month_index = (month / mean_day) if mean_day > 0 else month * np.nan
    weekly = daily.resample("W-MON", label="left", closed="left").sum()
    detail = festival_ratios(weekly, period_events(weekly.index, calendar, "W")) if calendar is not None else {}
    sensitivity = round(float(np.mean(list(detail.values()))), 3) if detail else np.nan
    finite_weekday = weekday_index.dropna()
    strength = float(finite_weekday.max() / finite_weekday.min()) if finite_weekday.min() > 0 else np.inf
    return {
        "weekday_profile": [round(float(v), 3) for v in weekday_index.fillna(0.0)],
        "month_profile": [None if pd.isna(v) else round(float(v), 3) for v in month_index],
        "festival_sensitivity": sensitivity,
        "festival_detail": detail,
        "peak_weekday": WEEKDAYS[int(weekday_index.fillna(-1).to_numpy().argmax())],
        "peak_month": MONTHS[int(month_index.fillna(-1).to_numpy().argmax())],
        "weekday_strength": round(strength, 3) if np.isfinite(strength) else None,
        "days_observed": len(daily),
    }


def seasonality_profiles(
    lines_or_series: pd.DataFrame, *, as_of: pd.Timestamp, calendar: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per entity: entity_kind ('retailer' | 'product'), entity_id, weekday_profile (7 indices,
    Monday first), month_profile (12, None where unseen), festival_sensitivity (NaN without festivals seen),
    festival_detail ({event: ratio}), peak_weekday, peak_month, weekday_strength (busiest over quietest
    weekday), days_observed.

    Input: order lines (``retailer_id, product_id, date, quantity, value``; shops profiled by value, products
    by quantity) or a daily series ``entity_kind, entity_id, date, value``.
    """
    as_of = pd.Timestamp(as_of)
    series = as_daily_series(lines_or_series, as_of)
    rows = []
    for (kind, entity), part in series.groupby(["entity_kind", "entity_id"], sort=True):
        days = pd.date_range(part["date"].min(), as_of - pd.Timedelta(days=1), freq="D")
        daily = part.groupby("date")["value"].sum().reindex(days, fill_value=0.0)
        rows.append({"entity_kind": kind, "entity_id": entity, **profile_one(daily, calendar)})
    return pd.DataFrame(rows, columns=COLUMNS)
