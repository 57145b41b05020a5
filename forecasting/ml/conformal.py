"""Split-conformal prediction intervals calibrated on backtest errors.

A forecast's band is its point forecast plus or minus a half-width per horizon step and demand class,
in units of the series' own forecast error: the root mean square of that model's absolute errors on
the series at the backtest origins. The half-widths are weighted conformal quantiles of the errors in
those units, the later origins counting more.

Why the series' own error, not its recent spread: the spread counts the weekly swing a good model
forecasts, so a series with a strong rhythm got a band far wider than its errors and a flat, noisy
one a band too narrow; pooled over both, the 80% band covered the rhythm 0.95 of the time and the
noise 0.6. In units of each series' error the two are alike. Each origin's errors are scaled by the
series' error at the other origins, never its own (an error measured against itself is deflated).
A series the backtest did not see is given its recent spread times the panel's median ratio of error
to spread.

Why the later origins count more: demand shifts, and the errors of the nearest origins say most about
the next one (weighted conformal prediction, as in Barber, Candes, Ramdas and Tibshirani, 2023).
Chosen on origins before the scored ones of bench/forecast_eval.py (docs/benchmarks.md, issue 19).
"""

from dataclasses import dataclass, field

import numpy as np

from .intervals import LEVELS

MIN_ROWS_PER_STEP = 100  # below this, interval quantiles pool the horizon steps
# Below this many backtest errors (series x fold x step), a demand class uses the pooled interval widths. Errors,
# not rows: a handful of steady products over a few folds of four weeks hold hundreds, enough for their own
# quantiles, and pooled widths would lend them the tails of the lumpy majority.
MIN_ERRORS_PER_CLASS = 200
# Each origin's errors weigh this many times those of the origin before it.
RECENCY = 2.0
MIN_UNIT = 0.05  # the smallest error unit, as intervals.recent_scale's smallest spread


@dataclass
class IntervalWidths:
    """Conformal half-widths per demand class, level and horizon step, in error units; and the unit of
    every series seen in calibration (series id as text -> unit). Without units (artifacts written before
    they existed), apply() is given each series' recent spread and the bounds are in spread units."""

    bounds: dict[str, dict[str, list[list[float]]]]  # group -> level -> [lower per step, upper per step]
    series_units: dict[str, float] = field(default_factory=dict)
    spread_ratio: float = 1.0  # median error unit over recent spread: the unit of a series not seen

    @classmethod
    def calibrate(
        cls, relative: np.ndarray, classes: np.ndarray, weights: np.ndarray | None = None
    ) -> "IntervalWidths":
        """relative: rows x horizon, errors already in units (NaN left out); classes: one per row;
        weights: one per row (default: equal)."""
        weights = np.ones(len(relative)) if weights is None else np.asarray(weights, dtype=float)
        bounds = {"all": _quantile_bounds(relative, weights)}
        for group in np.unique(classes):
            rows = classes == group
            if np.isfinite(relative[rows]).sum() >= MIN_ERRORS_PER_CLASS:
                bounds[str(group)] = _quantile_bounds(relative[rows], weights[rows])
        return cls(bounds=bounds)

    def units(self, series_ids: np.ndarray, spreads: np.ndarray) -> np.ndarray:
        """The error unit per series: its own where calibration saw it, else its spread times the ratio."""
        spreads = np.asarray(spreads, dtype=float)
        if not self.series_units:
            return spreads
        known = np.array([self.series_units.get(str(s), np.nan) for s in series_ids], dtype=float)
        return np.where(np.isfinite(known), known, np.maximum(self.spread_ratio * spreads, MIN_UNIT))

    def apply(self, forecast: np.ndarray, levels: np.ndarray, classes: np.ndarray) -> dict[str, np.ndarray]:
        """Bounds around forecast (series x horizon); levels: each series' unit (see units())."""
        result = {}
        for level in LEVELS:
            lower = np.empty_like(forecast, dtype=float)
            upper = np.empty_like(forecast, dtype=float)
            for i, group in enumerate(classes):
                low, high = self._steps(str(group), str(level), forecast.shape[1])
                lower[i] = forecast[i] + low * levels[i]
                upper[i] = forecast[i] + high * levels[i]
            # Demand is never negative, and an interval that leaves out its own point
            # forecast (possible when a step's errors are one-sided) would read as a bug.
            result[f"lower_{level}"] = np.clip(lower, 0.0, np.maximum(forecast, 0.0))
            result[f"upper_{level}"] = np.maximum(upper, forecast)
        return result

    def to_dict(self) -> dict:
        return {"bounds": self.bounds, "series_units": self.series_units, "spread_ratio": self.spread_ratio}

    @classmethod
    def from_dict(cls, raw: dict) -> "IntervalWidths":
        if "bounds" not in raw:  # written before units: the bounds alone
            return cls(bounds=raw)
        return cls(bounds=raw["bounds"], series_units=raw["series_units"], spread_ratio=raw["spread_ratio"])

    def _steps(self, group: str, level: str, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        low, high = (np.asarray(b, dtype=float) for b in self.bounds.get(group, self.bounds["all"])[level])
        if horizon > low.size:  # a longer horizon than calibrated keeps the last step's width
            low = np.concatenate([low, np.repeat(low[-1:], horizon - low.size)])
            high = np.concatenate([high, np.repeat(high[-1:], horizon - high.size)])
        return low[:horizon], high[:horizon]


def calibrate_on_origins(
    errors: list[np.ndarray],
    spreads: list[np.ndarray],
    classes: list[np.ndarray],
    series_ids: np.ndarray,
) -> IntervalWidths:
    """Widths from one model's backtest errors (actual - forecast, series x horizon, NaN where censored) at
    origins oldest first, with each origin's recent spreads and demand classes; series_ids name the rows
    (the same series at every origin). With one origin there is no other to measure a series' error on,
    and the spread is the unit."""
    absolute = [np.abs(np.asarray(e, dtype=float)) for e in errors]
    n = len(absolute)
    if n == 1:
        relative = absolute[0] / spreads[0][:, None]
        return IntervalWidths.calibrate(relative, classes[0])
    own = _rms(absolute)
    ratio = _spread_ratio(own, spreads[-1])
    relative = []
    for j in range(n):
        others = _rms([a for i, a in enumerate(absolute) if i != j])
        unit = np.where(np.isfinite(others), np.maximum(others, MIN_UNIT), np.maximum(ratio * spreads[j], MIN_UNIT))
        relative.append(absolute[j] / unit[:, None])
    weights = np.concatenate([np.full(len(a), RECENCY ** (j - n + 1)) for j, a in enumerate(absolute)])
    widths = IntervalWidths.calibrate(np.concatenate(relative), np.concatenate(classes), weights)
    widths.series_units = {
        str(s): float(max(u, MIN_UNIT)) for s, u in zip(series_ids, own, strict=True) if np.isfinite(u)
    }
    widths.spread_ratio = ratio
    return widths


def _rms(absolute: list[np.ndarray]) -> np.ndarray:
    """Root mean square per series over every step of the origins given; NaN where none is known."""
    stacked = np.concatenate(absolute, axis=1)
    known = np.isfinite(stacked).sum(axis=1)
    total = np.nansum(stacked**2, axis=1)
    return np.where(known > 0, np.sqrt(total / np.maximum(known, 1)), np.nan)


def _spread_ratio(units: np.ndarray, spreads: np.ndarray) -> float:
    ratio = units / spreads
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    return float(np.median(ratio)) if ratio.size else 1.0


def _quantile_bounds(relative: np.ndarray, weights: np.ndarray) -> dict[str, list[list[float]]]:
    """Symmetric bounds: each level's conformal quantile of the absolute error, on both sides.
    Separate quantiles of the signed error (alpha/2 below, 1 - alpha/2 above) spent half the
    misses on a lower tail that demand's floor at zero mostly clips away, so the upper bound
    stretched over bulk orders (Online Retail weekly, the ensemble's 95% band: 15.4 recent
    spreads wide on average, 7.8 with absolute errors, at coverage 0.88-0.96 per scored origin
    against 0.91-0.96), and a bias that changed between the calibration origins and the next
    (a forecast that ran low, then high) missed on one side."""
    steps = relative.shape[1]
    per_step = np.isfinite(relative).sum(axis=0).min() >= MIN_ROWS_PER_STEP
    if per_step:
        columns = [(relative[:, s], weights) for s in range(steps)]
    else:
        columns = [(relative.ravel(), np.repeat(weights, steps))] * steps
    result = {}
    for level in LEVELS:
        half_width = [conformal_quantile(np.abs(c), w, level / 100) for c, w in columns]
        result[str(level)] = [[-w for w in half_width], half_width]
    return result


def conformal_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The weighted split-conformal quantile: the smallest value whose share of the weight, counting a
    new point with the largest weight as lying beyond every value, reaches q. With equal weights, the
    order statistic ceil((n + 1) q), so n calibration errors cover a new one at least q of the time."""
    keep = np.isfinite(values)
    values, weights = values[keep], weights[keep]
    if values.size == 0:
        return 0.0
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    share = np.cumsum(weights) / (weights.sum() + weights.max())
    index = int(np.searchsorted(share, q - 1e-12))
    return float(values[min(index, values.size - 1)])
