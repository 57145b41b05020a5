"""Baseline forecasters (naive, seasonal naive, moving average) chosen by rolling-origin
backtest, with empirical prediction intervals. They are the floor every learned model
must beat and what serves before one is trained. Plain NumPy, no Django."""

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from . import metrics
from .intervals import LEVELS, error_quantiles, interval_from_bounds, recent_scale
from .matrix import DemandMatrix

METHODS = ("naive", "seasonal_naive", "moving_average")
SEASON = 7


def point_forecast(history: np.ndarray, *, method: str, horizon: int, window: int = 28) -> np.ndarray:
    """history: series x days; returns series x horizon."""
    if history.shape[1] == 0:
        return np.zeros((history.shape[0], horizon))
    if method == "naive":
        return np.repeat(history[:, -1:], horizon, axis=1)
    if method == "seasonal_naive":
        if history.shape[1] < SEASON:
            return point_forecast(history, method="moving_average", horizon=horizon, window=window)
        week = history[:, -SEASON:]
        return np.tile(week, int(np.ceil(horizon / SEASON)))[:, :horizon]
    if method == "moving_average":
        return np.repeat(history[:, -window:].mean(axis=1, keepdims=True), horizon, axis=1)
    raise ValueError(f"Unknown baseline method '{method}'; expected one of {', '.join(METHODS)}.")


def _cutoffs(n_days: int, horizon: int, n_cutoffs: int, min_history: int) -> list[int]:
    cutoffs = [n_days - horizon * k for k in range(n_cutoffs, 0, -1)]
    return [c for c in cutoffs if c >= min_history]


@dataclass
class Backtest:
    actual: np.ndarray  # (cutoffs * series) x horizon
    forecast: np.ndarray
    levels: np.ndarray  # per row
    history_for_scale: list[np.ndarray] = field(default_factory=list)


def backtest(matrix: DemandMatrix, *, method: str, horizon: int, window: int, n_cutoffs: int = 3) -> list[Backtest]:
    """One entry per rolling origin, oldest first."""
    folds = []
    for cutoff in _cutoffs(matrix.values.shape[1], horizon, n_cutoffs, min_history=max(SEASON * 2, 14)):
        history = matrix.values[:, :cutoff]
        folds.append(
            Backtest(
                actual=matrix.values[:, cutoff : cutoff + horizon],
                forecast=point_forecast(history, method=method, horizon=horizon, window=window),
                levels=recent_scale(history),
                history_for_scale=[history],
            )
        )
    if not folds:
        raise ValueError(
            f"Not enough history for a backtest: {matrix.values.shape[1]} days, need at least {horizon + 14}."
        )
    return folds


def _relative_errors(folds: list[Backtest]) -> np.ndarray:
    return np.concatenate([((f.actual - f.forecast) / f.levels[:, None]).ravel() for f in folds])


def evaluate(matrix: DemandMatrix, *, method: str, horizon: int, window: int, n_cutoffs: int = 3) -> dict[str, float]:
    """Pooled accuracy over every origin, and interval coverage measured honestly: the
    widths come from the earlier origins and are checked on the last one."""
    folds = backtest(matrix, method=method, horizon=horizon, window=window, n_cutoffs=n_cutoffs)
    actual = np.concatenate([f.actual for f in folds])
    forecast = np.concatenate([f.forecast for f in folds])
    result = {
        "mae": metrics.mae(actual, forecast),
        "rmse": metrics.rmse(actual, forecast),
        "wape": metrics.wape(actual, forecast),
        "smape": metrics.smape(actual, forecast),
        "mase": metrics.mean_ignoring_nan(
            [metrics.mase(f.actual, f.forecast, f.history_for_scale[0], SEASON) for f in folds]
        ),
        "backtest_origins": float(len(folds)),
    }
    if len(folds) >= 2:
        bounds = error_quantiles(_relative_errors(folds[:-1]))
        last = folds[-1]
        for level in LEVELS:
            lower, upper = interval_from_bounds(last.forecast, last.levels, bounds[str(level)])
            result[f"coverage_{level}"] = metrics.coverage(last.actual, lower, upper)
    return {name: round(value, 4) for name, value in result.items()}


@dataclass
class BaselineForecaster:
    """What serves while no model is trained (and what versions trained before the ensemble hold): one baseline
    method with intervals from relative error quantiles."""

    method: str = "seasonal_naive"
    window: int = 28
    horizon: int = 14
    interval_bounds: dict[str, list[float]] = field(default_factory=lambda: {"80": [-1.0, 1.0], "95": [-2.0, 2.0]})

    @classmethod
    def fit(
        cls, matrix: DemandMatrix, *, horizon: int = 14, window: int = 28, methods: tuple[str, ...] = METHODS
    ) -> tuple["BaselineForecaster", dict[str, float]]:
        """Backtest every method, keep the one with the lowest WAPE, and calibrate its
        intervals on all origins. Returns the model and its metrics (plus each method's WAPE)."""
        scores = {m: evaluate(matrix, method=m, horizon=horizon, window=window) for m in methods}
        best = min(scores, key=lambda m: (np.nan_to_num(scores[m]["wape"], nan=np.inf), METHODS.index(m)))
        folds = backtest(matrix, method=best, horizon=horizon, window=window)
        model = cls(
            method=best, window=window, horizon=horizon, interval_bounds=error_quantiles(_relative_errors(folds))
        )
        chosen = dict(scores[best])
        chosen.update({f"wape_{m}": scores[m]["wape"] for m in methods})
        return model, chosen

    # What the adapter serves, as EnsembleForecaster offers it: the rule reads demand alone, explains nothing,
    # and has no interval widths for new products to borrow.
    reads_drivers = False
    interval_widths = None

    def predict_intervals(self, matrix: DemandMatrix, horizon: int | None = None) -> dict[str, np.ndarray]:
        """Point forecast and 80%/95% bounds from the end of the matrix, series x horizon each."""
        history = matrix.values
        horizon = horizon or self.horizon
        forecast = point_forecast(history, method=self.method, horizon=horizon, window=self.window)
        levels = recent_scale(history) if history.shape[1] else np.full(history.shape[0], 0.05)
        result = {"forecast": forecast}
        for level, bounds in self.interval_bounds.items():
            result[f"lower_{level}"], result[f"upper_{level}"] = interval_from_bounds(forecast, levels, bounds)
        return result

    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict]]:
        return [[] for _ in range(matrix.n_series)]

    def to_bytes(self) -> bytes:
        return json.dumps({"kind": "baseline", **asdict(self)}, indent=2).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "BaselineForecaster":
        data = json.loads(raw)
        data.pop("kind", None)
        return cls(**data)


class _PointBaseline:
    """The baselines as protocol forecasters: nothing to learn, so fit only records the
    frequency; the season follows it (a week of days, a year of weeks)."""

    name = "baseline"
    method = "naive"

    def __init__(self, window: int = 28) -> None:
        self.window = window

    def fit(self, matrix: DemandMatrix) -> "_PointBaseline":
        self.freq_ = matrix.freq
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        history = matrix.values
        if self.method == "seasonal_naive":
            season = matrix.season
            if history.shape[1] < season:
                return point_forecast(history, method="moving_average", horizon=horizon, window=self.window)
            return np.tile(history[:, -season:], int(np.ceil(horizon / season)))[:, :horizon]
        return point_forecast(history, method=self.method, horizon=horizon, window=self.window)

    def to_bytes(self) -> bytes:
        return json.dumps({"kind": self.name, "window": self.window}).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "_PointBaseline":
        return cls(window=int(json.loads(raw).get("window", 28)))


class NaiveForecaster(_PointBaseline):
    name = method = "naive"


class SeasonalNaiveForecaster(_PointBaseline):
    name = method = "seasonal_naive"


class MovingAverageForecaster(_PointBaseline):
    name = method = "moving_average"
