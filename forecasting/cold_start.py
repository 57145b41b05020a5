"""New products: a product selling for less than four weeks has too little history of
its own, so its forecast borrows the level and weekly shape of similar products
(category, brand, price band) and says so. Django side: finds the peers in the
database and hands the arrays to forecasting.ml.cold_start."""

import datetime as dt

import numpy as np

from mlkit.demand_class import classify

from . import history
from .ml.base import ServingForecaster
from .ml.cold_start import cold_series, cold_start_forecast
from .ml.intervals import recent_level
from .ml.matrix import DemandMatrix
from .selectors import daily_product_demand

MIN_HISTORY_DAYS = 28
PEER_WINDOW_DAYS = 90


def is_new(matrix: DemandMatrix) -> np.ndarray:
    return cold_series(matrix, min_history=MIN_HISTORY_DAYS)


def replace_new_products(
    model: ServingForecaster, matrix: DemandMatrix, bounds: dict[str, np.ndarray], horizon: int
) -> dict[int, str]:
    """In place: rows of new products take their peers' forecast and the model's
    interval widths around it (a model without widths, the baseline, leaves them). Peers
    are the matrix's established rows; a matrix of one new product gets the recently
    selling catalog as its peers. Returns, per replaced series id, the sentence that says
    where its forecast came from."""
    widths = model.interval_widths
    if widths is None:
        return {}
    new = is_new(matrix)
    if not new.any() or "category" not in matrix.static:
        return {}
    pool = matrix
    if (~new).sum() < 3:
        pool = _peer_pool(matrix, horizon)
    rows_in_pool = np.isin(pool.series_ids, matrix.series_ids[new])
    result = cold_start_forecast(pool, horizon=horizon, min_history=MIN_HISTORY_DAYS, cold=rows_in_pool)
    said = {}
    for series_id, forecast, basis in zip(result.series_ids, result.forecast, result.basis, strict=True):
        row = int(np.flatnonzero(matrix.series_ids == series_id)[0])
        level = np.array([max(basis.peer_level, float(recent_level(matrix.values[row : row + 1])[0]))])
        classes = classify(pool.values[np.isin(pool.series_ids, basis.peer_ids)])
        peer_class = np.array([_most_common(classes)])
        # The widths are in units of each series' backtest error; a series the backtest did not see is
        # given its scale times the panel's ratio of error to spread, as the ensemble does.
        intervals = widths.apply(forecast[None, :], level * widths.spread_ratio, peer_class)
        bounds["forecast"][row] = forecast
        for key, value in intervals.items():
            bounds[key][row] = value[0]
        said[int(series_id)] = basis.describe()
    return said


def _peer_pool(matrix: DemandMatrix, horizon: int) -> DemandMatrix:
    end = matrix.days[-1].date()
    start = end - dt.timedelta(days=PEER_WINDOW_DAYS - 1)
    sold = daily_product_demand(start=start, end=end)["series_id"].unique().tolist()
    ids = list(dict.fromkeys([*sold, *matrix.series_ids.tolist()]))
    return history.product_matrix(ids, start=start, end=end, horizon=horizon)


def _most_common(values: np.ndarray) -> str:
    if values.size == 0:
        return "all"
    names, counts = np.unique(values, return_counts=True)
    return str(names[counts.argmax()])
