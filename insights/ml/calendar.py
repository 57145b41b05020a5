"""Calendar events and promotions mapped onto the periods of a series.

A calendar arrives as one row per day (``date, event``); a weekly series sees an event in the week that
contains one of its days. Django code holds the marketplace's festival table and passes it in as a DataFrame;
:func:`calendar_from_windows` turns event windows (``name, starts_on, ends_on``) into those rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PROMOTION_COLUMNS = {"on_promotion", "promo", "promotion"}


def calendar_from_windows(windows: pd.DataFrame) -> pd.DataFrame:
    """``name, starts_on, ends_on`` (one row per event occurrence) -> ``date, event`` (one row per day)."""
    rows = [
        (day, window.name)
        for window in windows.itertuples(index=False)
        for day in pd.date_range(window.starts_on, window.ends_on, freq="D")
    ]
    return pd.DataFrame(rows, columns=["date", "event"])


def period_events(dates: pd.DatetimeIndex | pd.Series, calendar: pd.DataFrame | None, freq: str) -> np.ndarray:
    """Per period start, the name of an event that falls in the period ('' when none; the first when several)."""
    dates = pd.DatetimeIndex(dates)
    labels = np.full(len(dates), "", dtype=object)
    if calendar is None or calendar.empty:
        return labels
    days = pd.to_datetime(calendar["date"]).dt.normalize()
    width = pd.Timedelta(days=7 if freq.upper().startswith("W") else 1)
    by_day = pd.Series(calendar["event"].astype(str).to_numpy(), index=days).sort_index()
    by_day = by_day[~by_day.index.duplicated()]
    day_values = by_day.index.to_numpy()
    starts = np.searchsorted(day_values, dates.to_numpy(), side="left")
    ends = np.searchsorted(day_values, (dates + width).to_numpy(), side="left")
    hit = ends > starts
    labels[hit] = by_day.to_numpy()[starts[hit]]
    return labels


def explanation_label(column: str) -> str:
    """What an exogenous column is called in an explanation: promotions read as 'promotion'."""
    return "promotion" if column.lower() in PROMOTION_COLUMNS else column
