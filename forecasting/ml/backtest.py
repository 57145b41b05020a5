"""Rolling-origin backtests: every model is fitted afresh on the history before each
origin (matrix.head(cutoff), so it cannot see what follows) and forecasts the next
horizon; the folds keep actuals, forecasts and history so that metrics, ensemble
weights and interval widths are all computed from the same forecasts. Plain NumPy."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mlkit.demand_class import classify

from . import metrics
from .base import Forecaster
from .conformal import IntervalWidths, calibrate_on_origins
from .intervals import LEVELS, recent_scale
from .matrix import DemandMatrix
from .workers import FitOutcome, MemberPool, PoolUnavailable, fit_and_forecast, fit_cost

log = logging.getLogger(__name__)

ForecasterFactory = Callable[[], Forecaster]
MIN_HISTORY = 2  # periods before the earliest origin; each model says if it needs more


@dataclass
class Fold:
    """One origin: what was known (history), what happened (actual) and what each model said."""

    cutoff: int
    history: np.ndarray  # series x cutoff, a view of the matrix
    history_censored: np.ndarray | None
    actual: np.ndarray  # series x horizon
    censored: np.ndarray  # series x horizon, True where demand was lost (left out of the errors)
    classes: np.ndarray  # demand class per series on this fold's history
    forecasts: dict[str, np.ndarray] = field(default_factory=dict)
    # Models that give their own intervals: name -> {"lower_80": ..., "upper_95": ...}
    intervals: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # Forecasts from this history by the model fitted at the previous origin (not refitted)
    stale_forecasts: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def levels(self) -> np.ndarray:
        """Recent spread per series, the unit of interval widths (see intervals.recent_scale), censored
        periods left out (a stockout is not low demand)."""
        if self.history_censored is None or not self.history_censored.any():
            return recent_scale(self.history)
        return recent_scale(np.where(self.history_censored, np.nan, self.history))

    def scale_history(self) -> np.ndarray:
        """History for the MASE/RMSSE scale: periods before a series' first sale and
        censored periods are NaN, so neither makes the naive error look smaller or bigger."""
        history = self.history.astype(float, copy=True)
        started = np.cumsum(history > 0, axis=1) > 0
        history[~started] = np.nan
        if self.history_censored is not None:
            history[self.history_censored] = np.nan
        return history


@dataclass
class BacktestResult:
    horizon: int
    season: int  # the MASE/RMSSE scale's season (1 when the history is shorter than two seasons)
    series_ids: np.ndarray
    classes: np.ndarray  # demand class per series, on the history before the first scored origin
    folds: list[Fold]
    fit_seconds: dict[str, list[float]]  # per model, fit + predict seconds at each origin
    errors: dict[str, str] = field(default_factory=dict)  # models left out, and why
    first_scored: int = 0  # earlier folds only feed nested models (the ensemble's weights)
    predict_seconds: dict[str, list[float]] = field(default_factory=dict)  # the predict part alone
    last_models: dict[str, Forecaster] = field(default_factory=dict)  # fitted at the last origin, if kept
    # Nested combinations (the ensemble): per scored origin, demand class -> member -> the weight used there
    weights: dict[str, list[dict[str, dict[str, float]]]] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        return list(self.folds[-1].forecasts) if self.folds else []

    @property
    def scored_folds(self) -> list[Fold]:
        return self.folds[self.first_scored :]

    def metrics(self, *, by_class: bool = True) -> dict:
        """{"models": {name: measures}, "classes": {class: {name: measures}}, "class_counts": ...}."""
        result: dict = {"models": {name: self.model_metrics(name) for name in self.models}}
        if by_class:
            names, counts = np.unique(self.classes, return_counts=True)
            result["class_counts"] = {str(n): int(c) for n, c in zip(names, counts, strict=True)}
            result["classes"] = {
                str(c): {name: self.model_metrics(name, rows=self.classes == c) for name in self.models} for c in names
            }
        return result

    def model_metrics(self, name: str, *, rows: np.ndarray | None = None) -> dict[str, float]:
        folds = self.scored_folds
        pick = (lambda a: a) if rows is None else (lambda a: a[rows])
        actual = np.concatenate([pick(f.actual) for f in folds])
        forecast = np.concatenate([pick(f.forecasts[name]) for f in folds])
        censored = np.concatenate([pick(f.censored) for f in folds])
        flat_actual, flat_forecast = metrics.masked(actual, forecast, censored)
        scaled = {power: [] for power in (1, 2)}
        for f in folds:  # histories differ in length per origin; the scale is per series and origin
            nan_actual = np.where(pick(f.censored), np.nan, pick(f.actual))
            for power, values in scaled.items():
                values.append(
                    metrics.scaled_errors(
                        nan_actual, pick(f.forecasts[name]), pick(f.scale_history()), self.season, power=power
                    )
                )
        result = {
            "mae": metrics.mae(flat_actual, flat_forecast) if flat_actual.size else float("nan"),
            "rmse": metrics.rmse(flat_actual, flat_forecast) if flat_actual.size else float("nan"),
            "wape": metrics.wape(flat_actual, flat_forecast),
            "smape": metrics.smape(flat_actual, flat_forecast),
            "mase": _mean_or_nan(np.concatenate(scaled[1])),
            "rmsse": _mean_or_nan(np.concatenate(scaled[2])),
        }
        result.update(self.coverage(name, rows=rows))
        seconds = self.fit_seconds.get(name)
        if seconds:
            result["fit_seconds"] = float(np.mean(seconds))
        result["series"] = int(len(self.classes) if rows is None else rows.sum())
        return {key: round(float(value), 4) for key, value in result.items()}

    def coverage(self, name: str, *, rows: np.ndarray | None = None) -> dict[str, float]:
        """Checked on the last origin only. A model with its own intervals is judged on
        those; any other gets conformal widths learned from the earlier origins."""
        bounds = self.last_bounds(name)
        return {} if bounds is None else coverage_of(self.folds[-1], bounds, rows=rows)

    def last_bounds(self, name: str) -> dict[str, np.ndarray] | None:
        """The model's interval bounds at the last origin: its own, or conformal widths learned from the
        earlier origins around its forecast (None when there is no earlier origin to learn from)."""
        last = self.folds[-1]
        if name in last.intervals:
            return last.intervals[name]
        earlier = [f for f in self.folds[:-1] if name in f.forecasts]
        if not earlier:
            return None
        widths = calibrate_folds(earlier, [f.forecasts[name] for f in earlier], self.series_ids)
        return widths.apply(last.forecasts[name], widths.units(self.series_ids, last.levels), last.classes)


def coverage_of(fold: Fold, bounds: dict[str, np.ndarray], *, rows: np.ndarray | None = None) -> dict[str, float]:
    """Share of the fold's actuals (censored periods left out) inside each level's bounds."""
    keep = ~fold.censored if rows is None else ~fold.censored & rows[:, None]
    result = {}
    for level in LEVELS:
        inside = (fold.actual >= bounds[f"lower_{level}"]) & (fold.actual <= bounds[f"upper_{level}"])
        result[f"coverage_{level}"] = float(inside[keep].mean()) if keep.any() else float("nan")
    return result


def calibrate_folds(folds: list[Fold], forecasts: list[np.ndarray], series_ids: np.ndarray) -> IntervalWidths:
    """Conformal widths from one model's forecasts at these origins (oldest first); see conformal."""
    errors = [np.where(f.censored, np.nan, f.actual - forecast) for f, forecast in zip(folds, forecasts, strict=True)]
    return calibrate_on_origins(errors, [f.levels for f in folds], [f.classes for f in folds], series_ids)


def origins(n_periods: int, *, horizon: int, n_origins: int, step: int | None = None) -> list[int]:
    """Cutoffs, oldest first: the last one leaves exactly `horizon` periods to forecast."""
    step = step or horizon
    cutoffs = [n_periods - horizon - step * k for k in range(n_origins - 1, -1, -1)]
    usable = [c for c in cutoffs if c >= MIN_HISTORY]
    if not usable:
        raise ValueError(
            f"Not enough history for a backtest: {n_periods} periods, horizon {horizon}, {n_origins} origins."
        )
    return usable


def rolling_origin(
    matrix: DemandMatrix,
    forecasters: dict[str, ForecasterFactory],
    *,
    horizon: int,
    n_origins: int = 3,
    step: int | None = None,
    inner_origins: int = 0,
    inner_models: set[str] | None = None,
    keep_last_models: bool = False,
    stale_models: set[str] | None = None,
    raise_errors: bool = False,
    pool: MemberPool | None = None,
) -> BacktestResult:
    """Backtest each model on the last n_origins origins spaced `step` periods apart.

    inner_origins adds that many earlier origins whose forecasts are kept but not scored:
    a nested model (the ensemble) fits its weights on them before the first scored origin;
    inner_models (default: all) names the models run there, the others only where scored.
    keep_last_models keeps each model as fitted at the last origin (result.last_models).
    stale_models also forecast each origin with the model fitted at the previous one
    (fold.stale_forecasts): what serving a model that was not refitted would have said.
    A model that fails at any origin is left out and the reason kept in result.errors,
    unless raise_errors is set. With a pool (forecasting.ml.workers), every model's fit at
    every origin runs in its worker processes, with the same results (not with
    stale_models, which need the previous origin's model here); PoolUnavailable is raised
    if the workers cannot run them.
    """
    step = step or horizon
    cutoffs = origins(matrix.n_periods, horizon=horizon, n_origins=n_origins + inner_origins, step=step)
    first_scored = max(0, len(cutoffs) - n_origins)
    folds = [_fold(matrix, cutoff, horizon) for cutoff in cutoffs]
    fit_seconds: dict[str, list[float]] = {}
    predict_seconds: dict[str, list[float]] = {}
    last_models: dict[str, Forecaster] = {}
    errors: dict[str, str] = {}
    runs_of = {
        name: folds if inner_models is None or name in inner_models else folds[first_scored:] for name in forecasters
    }
    pooled = _submitted(pool, forecasters, runs_of, horizon, keep_last_models) if not stale_models else None
    for name, factory in forecasters.items():
        runs = runs_of[name]
        try:
            outcomes = []
            for k, fold in enumerate(runs):
                if pooled is None:
                    outcome, model = fit_and_forecast(factory, matrix.head(fold.cutoff), horizon)
                    outcome.model = model
                else:
                    outcome = pooled[name][k]()
                _record(name, fold, outcome)
                outcomes.append(outcome)
            if stale_models and name in stale_models:
                for previous, fold in zip(outcomes, runs[1:], strict=False):
                    forecast = previous.model.predict(matrix.head(fold.cutoff), horizon)
                    fold.stale_forecasts[name] = np.asarray(forecast, dtype=float)
            fit_seconds[name] = [o.seconds for o in outcomes]
            predict_seconds[name] = [o.predict_seconds for o in outcomes]
            if keep_last_models:
                last_models[name] = outcomes[-1].model
            for outcome in outcomes[:-1]:
                outcome.model = None  # only the last origin's model may be kept
            log.info("%s: %.1f s over %d origins", name, sum(fit_seconds[name]), len(runs))
        except PoolUnavailable:
            raise
        except Exception as exc:
            if raise_errors:
                raise
            log.warning("Backtest of %s failed: %s", name, exc)
            errors[name] = f"{type(exc).__name__}: {exc}"
            for fold in folds:
                fold.forecasts.pop(name, None)
                fold.intervals.pop(name, None)
                fold.stale_forecasts.pop(name, None)
    first_cutoff = cutoffs[first_scored]
    return BacktestResult(
        horizon=horizon,
        season=matrix.season if first_cutoff >= 2 * matrix.season else 1,
        series_ids=matrix.series_ids,
        classes=folds[first_scored].classes,
        folds=folds,
        fit_seconds=fit_seconds,
        errors=errors,
        first_scored=first_scored,
        predict_seconds=predict_seconds,
        last_models=last_models,
    )


def _fold(matrix: DemandMatrix, cutoff: int, horizon: int) -> Fold:
    censored = matrix.censored
    return Fold(
        cutoff=cutoff,
        history=matrix.values[:, :cutoff],
        history_censored=None if censored is None else censored[:, :cutoff],
        actual=matrix.values[:, cutoff : cutoff + horizon],
        censored=np.zeros((matrix.n_series, horizon), bool)
        if censored is None
        else censored[:, cutoff : cutoff + horizon],
        classes=classify(matrix.values[:, :cutoff]),
    )


def _submitted(
    pool: MemberPool | None,
    forecasters: dict[str, ForecasterFactory],
    runs_of: dict[str, list[Fold]],
    horizon: int,
    keep_last_models: bool,
) -> dict[str, list[Callable[[], FitOutcome]]] | None:
    """Every (member, origin) fit submitted to the pool, the costliest members first so that
    the two workers finish together; per member, a way to wait for each origin's outcome."""
    if pool is None:
        return None
    pooled: dict[str, list[Callable[[], FitOutcome]]] = {}
    for name in sorted(forecasters, key=lambda n: -fit_cost(forecasters[n])):
        runs = runs_of[name]
        futures = [
            pool.backtest(
                name, forecasters[name], fold.cutoff, horizon, keep_model=keep_last_models and k == len(runs) - 1
            )
            for k, fold in enumerate(runs)
        ]
        pooled[name] = [lambda future=future: pool.collect_backtest(future) for future in futures]
    return pooled


def _record(name: str, fold: Fold, outcome: FitOutcome) -> None:
    """Keep a model's forecast (and its own bounds) for this origin, once checked."""
    if outcome.forecast.shape != fold.actual.shape:
        raise ValueError(f"{name} forecast has shape {outcome.forecast.shape}, expected {fold.actual.shape}.")
    if not np.isfinite(outcome.forecast).all():
        raise ValueError(f"{name} forecast holds NaN or infinite values.")
    if outcome.intervals is not None:
        fold.intervals[name] = outcome.intervals
    fold.forecasts[name] = outcome.forecast


def _mean_or_nan(values: np.ndarray) -> float:
    return float(np.mean(values)) if values.size else float("nan")
