"""Forecast accuracy measures over aligned actual/forecast arrays (series x steps)."""

import numpy as np


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.mean(np.abs(actual - forecast)))


def rmse(actual: np.ndarray, forecast: np.ndarray) -> float:
    return float(np.sqrt(np.mean((actual - forecast) ** 2)))


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    total = np.sum(np.abs(actual))
    return float(np.sum(np.abs(actual - forecast)) / total) if total > 0 else float("nan")


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    denominator = np.abs(actual) + np.abs(forecast)
    mask = denominator > 0
    return float(np.mean(2 * np.abs(actual - forecast)[mask] / denominator[mask])) if mask.any() else 0.0


def mase(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int = 1) -> float:
    """Mean over series of MAE scaled by the in-sample MAE of the (seasonal) naive method;
    series whose history never changes are left out (their scale is zero)."""
    scale = naive_scale(history, season, power=1)
    errors = row_nanmean(np.abs(actual - forecast))
    keep = (scale > 0) & ~np.isnan(errors)
    return float(np.mean(errors[keep] / scale[keep])) if keep.any() else float("nan")


def rmsse(actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int = 1) -> float:
    """M5's root mean squared scaled error, averaged over series: each series' RMSE over
    the horizon divided by the root of its in-sample mean squared (seasonal) naive error.
    Squared errors reward getting the level right, not the median, which for
    intermittent demand is zero. NaN marks a value to leave out (a censored period, or
    the leading periods before a product's first sale, which M5 also drops from the
    scale); series with a zero scale are left out."""
    return float(np.mean(scaled_errors(actual, forecast, history, season, power=2)))


def scaled_errors(
    actual: np.ndarray, forecast: np.ndarray, history: np.ndarray, season: int = 1, *, power: int = 1
) -> np.ndarray:
    """Per kept series, the MASE (power 1) or RMSSE (power 2) term; NaN-aware like rmsse."""
    scale = naive_scale(history, season, power=power)
    errors = row_nanmean(np.abs(actual - forecast) ** power)
    keep = (scale > 0) & ~np.isnan(errors)
    ratio = errors[keep] / scale[keep]
    return np.sqrt(ratio) if power == 2 else ratio


def naive_scale(history: np.ndarray, season: int, *, power: int) -> np.ndarray:
    """Per series, the in-sample mean of |(seasonal) naive error|^power, NaN-aware."""
    if history.shape[1] <= season:
        return np.full(history.shape[0], np.nan)
    return row_nanmean(np.abs(history[:, season:] - history[:, :-season]) ** power)


def row_nanmean(values: np.ndarray) -> np.ndarray:
    """Row means over the non-NaN entries; NaN for a row with none (without a warning)."""
    valid = ~np.isnan(values)
    counts = valid.sum(axis=1)
    sums = np.where(valid, values, 0.0).sum(axis=1)
    return np.divide(sums, counts, out=np.full(values.shape[0], np.nan), where=counts > 0)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    return float(np.mean((actual >= lower) & (actual <= upper)))


def masked(actual: np.ndarray, forecast: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The entries where mask is False, flattened: pooled measures without censored periods."""
    if mask is None:
        return actual.ravel(), forecast.ravel()
    keep = ~mask
    return actual[keep], forecast[keep]


def mean_ignoring_nan(values: list[float]) -> float:
    finite = [v for v in values if not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")
