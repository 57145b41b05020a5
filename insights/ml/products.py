"""Product classes: ABC by value, XYZ by variability of periodic demand, and the Syntetos-Boylan demand class
that forecasting uses to choose its methods (one classifier, in mlkit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlkit.demand_class import classify

from .orders import check_lines

ABC_CUTS = (0.8, 0.95)  # cumulative value share closing A, then B
XYZ_CUTS = (0.5, 1.0)  # coefficient of variation of periodic demand closing X, then Y


def demand_grid(lines: pd.DataFrame, *, as_of: pd.Timestamp, freq: str, lookback_days: int) -> pd.DataFrame:
    """Product x period quantity, zero where nothing sold, over the whole periods of the ``lookback_days``
    before ``as_of``: a period cut short by either end would read as a collapse in demand."""
    start = as_of - pd.Timedelta(days=lookback_days)
    periods = pd.period_range(start, as_of - pd.Timedelta(days=1), freq=freq)
    periods = periods[(periods.start_time >= start) & (periods.end_time < as_of)]
    if len(periods) == 0:
        return pd.DataFrame(index=pd.Index([], name="product_id"))
    first, end = periods[0].start_time, periods[-1].end_time
    window = lines[(lines["date"] >= first) & (lines["date"] <= end)]
    period = window["date"].dt.to_period(freq).dt.start_time
    grid = window.assign(period=period).pivot_table(
        index="product_id", columns="period", values="quantity", aggfunc="sum", fill_value=0.0
    )
    return grid.reindex(columns=periods.start_time, fill_value=0.0)


def classify_products(
    lines: pd.DataFrame, *, as_of: pd.Timestamp, freq: str = "W", lookback_days: int = 365
) -> pd.DataFrame:
    """One row per product sold in the ``lookback_days`` before ``as_of``.

    Columns: product_id, abc ('A' the products making the first 80% of value, 'B' the next 15%, 'C' the rest),
    xyz ('X' CV of periodic demand <= 0.5, 'Y' <= 1.0, 'Z' above), demand_class ('smooth', 'erratic',
    'intermittent', 'lumpy', or 'no demand' for a product sold only in a period cut short by as_of), value,
    value_share, cv, adi, cv2, periods.
    """
    as_of = pd.Timestamp(as_of)
    lines = check_lines(lines, ["product_id", "date", "quantity", "value"])
    columns = ["product_id", "abc", "xyz", "demand_class", "value", "value_share", "cv", "adi", "cv2", "periods"]
    start = as_of - pd.Timedelta(days=lookback_days)
    window = lines[(lines["date"] >= start) & (lines["date"] < as_of)]
    if window.empty:
        return pd.DataFrame(columns=columns)
    value = window.groupby("product_id")["value"].sum().sort_values(ascending=False, kind="stable")
    share = value / max(float(value.sum()), 1e-12)
    # A product is in A while the value *before* it is under the cut, so the top product is always A.
    before = share.cumsum() - share
    abc = np.where(before < ABC_CUTS[0], "A", np.where(before < ABC_CUTS[1], "B", "C"))

    grid = demand_grid(window, as_of=as_of, freq=freq, lookback_days=lookback_days).reindex(value.index)
    matrix = grid.fillna(0.0).to_numpy(dtype=float)
    if matrix.shape[1] == 0:  # less than one whole period: demand over the window as its one period
        matrix = window.groupby("product_id")["quantity"].sum().reindex(value.index).to_numpy(dtype=float)[:, None]
    mean = matrix.mean(axis=1)
    cv = np.divide(matrix.std(axis=1), mean, out=np.full(len(mean), np.inf), where=mean > 0)
    xyz = np.where(cv <= XYZ_CUTS[0], "X", np.where(cv <= XYZ_CUTS[1], "Y", "Z"))
    nonzero = (matrix > 0).sum(axis=1)
    adi = np.divide(matrix.shape[1], nonzero, out=np.full(len(mean), np.inf), where=nonzero > 0)
    sizes_cv2 = [(row[row > 0].std() / row[row > 0].mean()) ** 2 if (row > 0).sum() > 1 else 0.0 for row in matrix]
    return pd.DataFrame(
        {
            "product_id": value.index,
            "abc": abc,
            "xyz": xyz,
            "demand_class": classify(matrix),
            "value": value.to_numpy(),
            "value_share": share.to_numpy(),
            "cv": cv,
            "adi": adi,
            "cv2": sizes_cv2,
            "periods": matrix.shape[1],
        }
    )[columns]
