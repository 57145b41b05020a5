"""Empirical prediction intervals shared by every forecaster: backtest errors are
expressed relative to each series' recent level, their quantiles become the interval
bounds, and a forecast's interval is those bounds scaled back by its own level."""

import numpy as np

LEVELS = (80, 95)


def recent_level(history: np.ndarray) -> np.ndarray:
    """Recent mean demand per series: the scale the interval widths are expressed in."""
    return np.maximum(history[:, -28:].mean(axis=1), 0.05)


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
