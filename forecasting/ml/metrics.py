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
    scale = np.mean(np.abs(history[:, season:] - history[:, :-season]), axis=1)
    errors = np.mean(np.abs(actual - forecast), axis=1)
    keep = scale > 0
    return float(np.mean(errors[keep] / scale[keep])) if keep.any() else float("nan")


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    return float(np.mean((actual >= lower) & (actual <= upper)))


def mean_ignoring_nan(values: list[float]) -> float:
    finite = [v for v in values if not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")
