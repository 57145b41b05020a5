"""Shaping forecasts for callers: a caller's own history as a matrix, their planned
drivers laid onto the horizon, daily rows, and weekly rows summed from the days with
intervals combined as the hierarchy combines products. Plain pandas/NumPy, no Django."""

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .ml.hierarchy import aggregate_frame
from .ml.matrix import DemandMatrix

CALLER_SERIES_ID = -1  # a series the models never saw; global models treat it as new
# A product's errors on consecutive days are not independent: a week's interval is
# wider than the days' in quadrature, narrower than their plain sum.
DAY_ERROR_CORRELATION = 0.5
ROW_KEYS = {
    "quantity": "forecast",
    "lower_80": "lower_80",
    "upper_80": "upper_80",
    "lower_95": "lower_95",
    "upper_95": "upper_95",
}


def caller_matrix(points: list[list[Any]], *, horizon: int) -> DemandMatrix:
    """[[iso date, quantity], ...] (one per day with demand) as a one-series daily matrix."""
    frame = pd.DataFrame(points, columns=["date", "units"])
    frame["date"] = pd.to_datetime(frame["date"])
    days = pd.date_range(frame["date"].min(), frame["date"].max(), freq="D")
    values = frame.groupby("date")["units"].sum().reindex(days, fill_value=0.0).to_numpy(dtype=float)
    return DemandMatrix(series_ids=np.array([CALLER_SERIES_ID]), days=days, values=values[None, :])


def apply_planned_drivers(matrix: DemandMatrix, planned: dict[str, Any] | None, *, horizon: int) -> DemandMatrix:
    """Overwrite the horizon's columns of the drivers with what the caller plans: a price,
    promotion days (with their discount) and event days. Days outside the horizon are
    ignored; drivers not given keep what the database says."""
    if not planned:
        return matrix
    n = matrix.n_periods
    first_future = matrix.days[-1] + pd.Timedelta(days=1)

    def columns(days: list[str]) -> np.ndarray:
        offsets = np.array([(pd.Timestamp(d) - first_future).days for d in days], dtype=int)
        return n + offsets[(offsets >= 0) & (offsets < horizon)]

    def driver(name: str, fill: float) -> np.ndarray:
        if name in matrix.exogenous:
            return matrix.exogenous_until(name, n + horizon).copy()
        # A driver the history never recorded: unknown (NaN) before, the default after.
        array = np.full((matrix.n_series, n + horizon), np.nan)
        array[:, n:] = fill
        return array

    exogenous = dict(matrix.exogenous)
    if planned.get("price") is not None:
        price = driver("price", float(planned["price"]))
        price[:, n:] = float(planned["price"])
        exogenous["price"] = price
    if planned.get("promotion_days"):
        promo_columns = columns(planned["promotion_days"])
        promo = driver("promo", 0.0)
        promo[:, promo_columns] = 1.0
        exogenous["promo"] = promo
        if planned.get("promotion_discount") is not None:
            discount = driver("promo_discount", 0.0)
            discount[:, promo_columns] = float(planned["promotion_discount"])
            exogenous["promo_discount"] = discount
    for kind, days in (planned.get("event_days") or {}).items():
        event = driver(f"event_{kind}", 0.0)
        event[:, columns(days)] = 1.0
        exogenous[f"event_{kind}"] = event
    return replace(matrix, exogenous=exogenous)


def as_rows(bounds: dict[str, np.ndarray], *, start: dt.date, row: int) -> list[dict[str, Any]]:
    """One series' forecast as daily rows: date, quantity and the two intervals."""
    horizon = bounds["forecast"].shape[1]
    return [
        {
            "date": (start + dt.timedelta(days=step)).isoformat(),
            **{name: round(float(bounds[key][row, step]), 3) for name, key in ROW_KEYS.items()},
        }
        for step in range(horizon)
    ]


def weekly_rows(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Daily rows summed into 7-day periods from the first forecast day (each labelled by
    its first day); a last, partial period is left out rather than shown as a low week."""
    frame = pd.DataFrame(days)
    frame["week"] = np.arange(len(frame)) // 7
    complete = frame.groupby("week")["date"].transform("size") == 7
    frame = frame[complete]
    if frame.empty:
        return []
    totals = aggregate_frame(
        frame.assign(series="day", day=np.arange(len(frame))),
        groups=pd.Series(dict(zip(np.arange(len(frame)), frame["week"], strict=True))),
        id_col="day",
        date_col="series",
        correlation=DAY_ERROR_CORRELATION,
    )
    starts = frame.groupby("week")["date"].first()
    return [
        {"date": starts[row.group], **{name: round(float(getattr(row, name)), 3) for name in ROW_KEYS}}
        for row in totals.itertuples(index=False)
    ]
