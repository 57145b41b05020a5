"""Empirical prediction intervals shared by every forecaster: backtest errors are
expressed in units of each series' recent spread, their quantiles become the interval
bounds, and a forecast's interval is those bounds scaled back by its own spread.

The spread, not the level: errors relative to the level differ by orders of magnitude between
a product sold in rare big orders and one that sells 1,000 a day give or take 150, so widths
pooled over a lumpy majority gave the steady product a band of 0-3,000. In units of spread the
two kinds of error are alike, and a steady series' band stays as narrow as its history."""

import numpy as np

LEVELS = (80, 95)


def recent_level(history: np.ndarray) -> np.ndarray:
    """Recent mean demand per series: the scale the interval widths are expressed in."""
    return np.maximum(history[:, -28:].mean(axis=1), 0.05)


def recent_scale(history: np.ndarray) -> np.ndarray:
    """Recent spread per series, the unit interval widths are expressed in: the standard deviation of the
    last 28 periods (NaN periods, such as stockouts, left out), at least the counting noise of their mean
    (its square root, as for Poisson demand), so a series that sold the same every day still has a width."""
    recent = np.asarray(history, dtype=float)[:, -28:]
    known = np.isfinite(recent).any(axis=1) if recent.size else np.zeros(len(recent), bool)
    mean = np.zeros(len(recent))
    spread = np.zeros(len(recent))
    if known.any():
        mean[known] = np.nanmean(recent[known], axis=1)
        spread[known] = np.nanstd(recent[known], axis=1)
    return np.maximum(np.maximum(spread, np.sqrt(np.maximum(mean, 0.0))), 0.05)


def error_quantiles(relative_errors: np.ndarray) -> dict[str, list[float]]:
    return {
        str(level): [
            float(np.quantile(relative_errors, (1 - level / 100) / 2)),
            float(np.quantile(relative_errors, 1 - (1 - level / 100) / 2)),
        ]
        for level in LEVELS
    }


def interval_from_bounds(
    forecast: np.ndarray, levels: np.ndarray, bounds: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    lower = np.maximum(forecast + bounds[0] * levels[:, None], 0.0)
    upper = np.maximum(forecast + bounds[1] * levels[:, None], lower)
    return lower, upper
