"""Demand history from the database as the matrices the forecasters take, with their
drivers (prices, promotions, events, stockouts, catalog codes) attached, and the long
frame a training run records. Django side: reads through selectors, no model code."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from retailiq.rollups.selectors import product_lost_units_at_warehouses

from .drivers import matrix_with_drivers
from .location_sales import daily_sales_by_location
from .ml.matrix import DemandMatrix, demand_matrix
from .selectors import daily_product_demand

STATIC_PREFIX = "static_"
CENSORED_COLUMN = "censored"


def product_matrix(
    product_ids: Sequence[int] | None,
    *,
    start: dt.date,
    end: dt.date,
    horizon: int = 0,
    warehouse_id: int | None = None,
    with_drivers: bool = True,
) -> DemandMatrix:
    """Daily demand per product from `start` to `end` (every product that sold or had
    units refused, or the ones asked for in that order, all-zero when they did not), at
    one warehouse or in total, with drivers known `horizon` days ahead.

    Demand is what sold plus what was refused for want of stock where a lost sale is on
    record: the one series training, batch scoring and the on-demand answer all learn
    from. A day with recorded lost units is observed demand, not a censored guess, so its
    stockout flag is lifted (a stockout day without a record stays censored)."""
    if warehouse_id is None:
        sales = daily_product_demand(start=start, end=end, product_ids=product_ids)
    else:
        sold = daily_sales_by_location(kind="warehouse", start=start, end=end, product_ids=product_ids)
        lost = pd.DataFrame.from_records(
            list(
                product_lost_units_at_warehouses(
                    start=start, end=end, product_ids=None if product_ids is None else [int(p) for p in product_ids]
                )
            ),
            columns=["series_id", "date", "lost"],
        )
        lost["date"] = pd.to_datetime(lost["date"])
        lost["lost"] = lost["lost"].astype(float)
        sales = pd.concat([sold.assign(lost=0.0), lost.assign(units=lost["lost"])], ignore_index=True)
        sales = sales.groupby(["series_id", "date"], as_index=False)[["units", "lost"]].sum()
    matrix = demand_matrix(sales, start=pd.Timestamp(start), end=pd.Timestamp(end))
    recorded = _lost_recorded(sales, matrix)
    if product_ids is not None:
        wanted = np.asarray(list(product_ids), dtype=np.int64)
        values = pd.DataFrame(matrix.values, index=matrix.series_ids).reindex(wanted, fill_value=0.0)
        matrix = DemandMatrix(series_ids=wanted, days=matrix.days, values=values.to_numpy(dtype=float))
    else:
        matrix = replace(matrix, series_ids=matrix.series_ids.astype(np.int64))
    if not with_drivers or matrix.n_series == 0:
        return matrix
    matrix = matrix_with_drivers(matrix, horizon=horizon, warehouse_id=warehouse_id)
    if matrix.censored is None or recorded.empty:
        return matrix
    return replace(matrix, censored=_observed(matrix, recorded))


def _lost_recorded(sales: pd.DataFrame, matrix: DemandMatrix) -> pd.DataFrame:
    """(series_id, day offset) of every product and day in the window with lost units on record."""
    lost = sales[sales["lost"] > 0]
    offset = (lost["date"] - matrix.days[0]).dt.days.to_numpy() if len(matrix.days) else np.zeros(0, dtype=int)
    inside = (offset >= 0) & (offset < matrix.n_periods)
    return pd.DataFrame({"series_id": lost["series_id"].to_numpy()[inside], "offset": offset[inside]})


def _observed(matrix: DemandMatrix, recorded: pd.DataFrame) -> np.ndarray:
    """The stockout flags with every day of recorded lost units lifted: the demand there is known."""
    censored = matrix.censored.copy()
    rows = pd.Index(matrix.series_ids).get_indexer(recorded["series_id"].to_numpy())
    known = rows >= 0
    censored[rows[known], recorded["offset"].to_numpy()[known]] = False
    return censored


def location_shares(product_ids: Sequence[int], *, kind: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Each product's share of its units per warehouse or region over the window:
    columns series_id, location, share (a product's shares sum to 1)."""
    sales = daily_sales_by_location(kind=kind, start=start, end=end, product_ids=product_ids)
    if sales.empty:
        return pd.DataFrame(columns=["series_id", "location", "share"])
    totals = sales.groupby(["series_id", "location"], as_index=False)["units"].sum()
    totals["share"] = totals["units"] / totals.groupby("series_id")["units"].transform("sum")
    return totals[["series_id", "location", "share"]]


def training_frame(matrix: DemandMatrix) -> pd.DataFrame:
    """The long format a model version is trained on and hashed by: one row per series
    and day with its target, drivers, censored flag and catalog codes."""
    n_days = matrix.n_periods
    frame = pd.DataFrame(
        {
            "series_id": np.repeat(matrix.series_ids, n_days),
            "date": np.tile(matrix.days.to_numpy(), matrix.n_series),
            "target": matrix.values.ravel(),
        }
    )
    for name, array in sorted(matrix.exogenous.items()):
        frame[name] = array[:, :n_days].ravel()
    if matrix.censored is not None:
        frame[CENSORED_COLUMN] = matrix.censored.ravel()
    for name, codes in sorted(matrix.static.items()):
        frame[f"{STATIC_PREFIX}{name}"] = np.repeat(codes, n_days)
    return frame


def matrix_from_training_frame(frame: pd.DataFrame) -> DemandMatrix:
    """The inverse of training_frame (the frame is series-major and complete)."""
    series_ids = frame["series_id"].drop_duplicates().to_numpy()
    days = pd.DatetimeIndex(frame["date"].drop_duplicates().sort_values())
    shape = (len(series_ids), len(days))
    if len(frame) != shape[0] * shape[1]:
        raise ValueError("The training frame is not one row per series and day.")
    ordered = frame.sort_values(["series_id", "date"], kind="stable")
    series_ids = ordered["series_id"].drop_duplicates().to_numpy()
    driver_columns = [c for c in frame.columns if c not in ("series_id", "date", "target", CENSORED_COLUMN)]
    exogenous = {
        c: ordered[c].to_numpy(dtype=float).reshape(shape) for c in driver_columns if not c.startswith(STATIC_PREFIX)
    }
    static = {
        c[len(STATIC_PREFIX) :]: ordered[c].to_numpy().reshape(shape)[:, 0]
        for c in driver_columns
        if c.startswith(STATIC_PREFIX)
    }
    censored = ordered[CENSORED_COLUMN].to_numpy(dtype=bool).reshape(shape) if CENSORED_COLUMN in frame else None
    return DemandMatrix(
        series_ids=series_ids,
        days=days,
        values=ordered["target"].to_numpy(dtype=float).reshape(shape),
        exogenous=exogenous,
        static=static,
        censored=censored,
    )
