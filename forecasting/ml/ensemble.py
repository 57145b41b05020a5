"""An ensemble of forecasters whose weights are learned from their rolling-origin
backtest errors, per demand class where a class has enough series (a Croston-type
method can win on lumpy items while LightGBM wins on smooth ones), with conformal
prediction intervals calibrated on the ensemble's own backtest errors.

EnsembleForecaster.train(matrix, members, horizon=..., n_origins=...) does everything
the app's training needs in one call; nested_ensemble() evaluates the same procedure
honestly inside a backtest (weights only ever come from origins before the one scored).
"""

import importlib
import io
import json
import logging
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import nnls

from mlkit.demand_class import classify

from . import metrics
from .backtest import BacktestResult, Fold, ForecasterFactory, calibrate_folds, rolling_origin
from .base import Explainer, Forecaster, non_negative
from .conformal import IntervalWidths
from .intervals import recent_scale
from .matrix import DemandMatrix
from .workers import MemberPool, PoolUnavailable

log = logging.getLogger(__name__)

WEIGHT_METHODS = ("convex", "nnls", "inverse")
POOLED = "all"
# A weight below this share is noise of the least-squares fit, not a contribution: it is
# dropped (the rest renormalised), so a member left with ~0 weight on every class is not
# refitted for serving (the CNN-LSTM's refit alone is a fifth of a daily training).
MIN_WEIGHT = 0.01


@dataclass(frozen=True)
class EnsembleOptions:
    """How weights are fitted. convex: least squares of the actuals on the members'
    backtest forecasts with non-negative weights summing to one, each series scaled by
    its naive error (so big sellers do not drown the rest); nnls: the same without the
    sum (free to rescale); inverse: weights 1/RMSSE^2 over the best top_k members."""

    method: str = "convex"
    top_k: int = 3
    min_series_per_class: int = 30
    # False: keep each member as fitted at the last backtest origin instead of fitting it
    # again on the whole matrix; it still forecasts from the latest periods it is given,
    # and training costs one fit less per member (the horizon's newest periods are not
    # learned from, only read as history).
    refit: bool = True


@dataclass
class Combination:
    members: list[str]
    weights: dict[str, list[float]]  # "all" and each demand class with enough series
    widths: IntervalWidths | None = None  # None while only the weights are being compared

    def forecast(self, forecasts: dict[str, np.ndarray], classes: np.ndarray) -> np.ndarray:
        stacked = np.stack([forecasts[m] for m in self.members])  # members x series x horizon
        result = np.empty(stacked.shape[1:])
        for group in np.unique(classes):
            rows = classes == group
            weights = np.asarray(self.weights.get(str(group), self.weights[POOLED]))
            result[rows] = np.tensordot(weights, stacked[:, rows], axes=1)
        return non_negative(result)

    def used_members(self) -> list[str]:
        """Members with weight on some class; the others are not refitted for serving."""
        used = np.any([np.asarray(w) > 0 for w in self.weights.values()], axis=0)
        return [m for m, keep in zip(self.members, used, strict=True) if keep]


def fit_combination(
    folds: list[Fold],
    members: list[str],
    *,
    season: int,
    options: EnsembleOptions,
    series_ids: np.ndarray | None = None,
) -> Combination:
    """Weights from every fold; interval widths from the ensemble's own cross-fitted errors
    (each fold forecast with weights fitted on the other folds), so the widths are not
    flattered by weights that have already seen the errors they measure, and they are the
    combination's widths, not a mix of its members'. series_ids name the folds' rows (the
    same series at every fold; default their positions): the widths keep each one's error unit."""
    weights = _weights_by_class(folds, members, season=season, options=options)
    held_out = []
    for j, fold in enumerate(folds):
        others = [f for i, f in enumerate(folds) if i != j] or folds
        combination = Combination(members, _weights_by_class(others, members, season=season, options=options))
        held_out.append(combination.forecast(fold.forecasts, fold.classes))
    ids = np.arange(len(folds[0].actual)) if series_ids is None else series_ids
    return Combination(members, weights, calibrate_folds(folds, held_out, ids))


def _weights_by_class(folds: list[Fold], members: list[str], *, season: int, options: EnsembleOptions) -> dict:
    design = _Design.of(folds, members, season)
    weights = {POOLED: _fit_weights(design, np.ones(design.rows, bool), options)}
    for group in np.unique(design.classes):
        rows = design.classes == group
        # rows hold each series once per fold
        if rows.sum() / max(len(folds), 1) >= options.min_series_per_class:
            weights[str(group)] = _fit_weights(design, rows, options)
    return weights


@dataclass
class _Design:
    """Backtest rows (series x fold) scaled by each series' naive error."""

    forecasts: np.ndarray  # members x rows x horizon, scaled
    actual: np.ndarray  # rows x horizon, scaled, NaN where censored
    classes: np.ndarray
    rows: int
    reference: np.ndarray  # rows x horizon, scaled: seasonal naive, the floor a member must beat

    @classmethod
    def of(cls, folds: list[Fold], members: list[str], season: int) -> "_Design":
        scales = np.sqrt(np.concatenate([metrics.naive_scale(f.scale_history(), season, power=2) for f in folds]))
        keep = np.isfinite(scales) & (scales > 0)
        scale = np.where(keep, scales, 1.0)[:, None]
        actual = np.concatenate([np.where(f.censored, np.nan, f.actual) for f in folds]) / scale
        forecasts = np.stack([np.concatenate([f.forecasts[m] for f in folds]) / scale for m in members])
        classes = np.concatenate([f.classes for f in folds])
        reference = np.concatenate([_seasonal_naive(f, season) for f in folds]) / scale
        return cls(forecasts[:, keep], actual[keep], classes[keep], int(keep.sum()), reference[keep])


def _seasonal_naive(fold: Fold, season: int) -> np.ndarray:
    """The seasonal-naive forecast of a fold: the member's own where it ran, else last
    season repeated (the last value when the history is shorter than a season)."""
    if "seasonal_naive" in fold.forecasts:
        return fold.forecasts["seasonal_naive"]
    horizon = fold.actual.shape[1]
    if fold.history.shape[1] == 0:
        return np.zeros_like(fold.actual, dtype=float)
    period = season if fold.history.shape[1] >= season else 1
    return np.tile(fold.history[:, -period:], int(np.ceil(horizon / period)))[:, :horizon].astype(float)


def _fit_weights(design: _Design, rows: np.ndarray, options: EnsembleOptions) -> list[float]:
    forecasts, actual = design.forecasts[:, rows], design.actual[rows]
    valid = np.isfinite(actual)
    n_members = forecasts.shape[0]
    if not valid.any():
        return [1.0 / n_members] * n_members
    scored_rows = valid.any(axis=1)

    def rmsse(forecast: np.ndarray) -> float:
        return float(
            np.sqrt(metrics.row_nanmean(np.where(valid, (forecast - actual) ** 2, np.nan))[scored_rows]).mean()
        )

    per_member_rmsse = np.array([rmsse(f) for f in forecasts])
    # A member whose backtest here is worse than seasonal naive gets no weight here: it can
    # only earn weight in a least-squares blend by fitting the calibration weeks' noise.
    # If every member is worse, the best of them serves alone.
    eligible = per_member_rmsse <= rmsse(design.reference[rows]) * (1 + 1e-9)
    if not eligible.any():
        eligible = per_member_rmsse == per_member_rmsse.min()
    if options.method in ("convex", "nnls"):
        chosen = np.flatnonzero(eligible)
        weights = np.zeros(n_members)
        design, target = forecasts[chosen][:, valid].T, actual[valid]
        if options.method == "convex":
            # The weights must sum to one: a heavily weighted extra row pins the sum, so
            # the fit chooses between members instead of rescaling them (which learns the
            # level drift of the calibration weeks and over- or under-shoots the next ones).
            pin = 100.0 * np.sqrt(np.sum(target**2) + np.sum(design**2))
            design = np.vstack([design, np.full((1, chosen.size), pin)])
            target = np.append(target, pin)
        weights[chosen], _ = nnls(design, target)
        if weights.sum() > 0:
            total = weights.sum()
            weights = _drop_negligible(weights / total)
            # nnls is free to rescale: its sum is kept, only the negligible shares go.
            return [float(w) for w in (weights if options.method == "convex" else weights * total)]
    elif options.method != "inverse":
        raise ValueError(f"Unknown weight method '{options.method}'; expected one of {', '.join(WEIGHT_METHODS)}.")
    best = np.argsort(np.where(eligible, per_member_rmsse, np.inf))[: min(options.top_k, int(eligible.sum()))]
    weights = np.zeros(n_members)
    weights[best] = 1.0 / np.maximum(per_member_rmsse[best], 1e-9) ** 2
    return [float(w) for w in _drop_negligible(weights / weights.sum())]


def _drop_negligible(shares: np.ndarray) -> np.ndarray:
    """Shares summing to one, those below MIN_WEIGHT set to zero and the rest renormalised."""
    kept = np.where(shares >= MIN_WEIGHT, shares, 0.0)
    return kept / kept.sum() if kept.sum() > 0 else shares


class EnsembleForecaster:
    """A weighted combination of fitted member forecasters, with conformal intervals.

    fit(matrix) backtests fresh members (from the factories given), learns the weights
    and interval widths, and refits on the full matrix only the members that got weight:
    one whose share is below MIN_WEIGHT on every demand class (and pooled) across the
    backtest origins is not refitted and does not serve.
    """

    name = "ensemble"
    reads_drivers = True  # members such as LightGBM read the exogenous drivers

    def __init__(
        self,
        members: dict[str, ForecasterFactory] | None = None,
        *,
        horizon: int = 14,
        n_origins: int = 3,
        options: EnsembleOptions | None = None,
        processes: int = 1,
    ) -> None:
        self.members = members or {}
        self.horizon = horizon
        self.n_origins = n_origins
        self.options = options or EnsembleOptions()
        self.processes = processes

    @classmethod
    def train(
        cls,
        matrix: DemandMatrix,
        members: dict[str, ForecasterFactory],
        *,
        horizon: int,
        n_origins: int = 3,
        options: EnsembleOptions | None = None,
        processes: int = 1,
    ) -> tuple["EnsembleForecaster", dict[str, Any]]:
        """Backtest the members, fit weights and interval widths, refit the members on the
        whole matrix. Returns the ensemble and its metrics: per member and per demand class
        from the backtest, and for the ensemble its cross-fitted backtest. processes > 1 runs
        the fits in that many worker processes (forecasting.ml.workers), with the same result."""
        model = cls(members, horizon=horizon, n_origins=n_origins, options=options, processes=processes).fit(matrix)
        return model, model.metrics_

    def fit(self, matrix: DemandMatrix) -> "EnsembleForecaster":
        started = time.perf_counter()
        if self.processes > 1:
            try:
                with MemberPool(matrix, self.processes) as pool:
                    return self._fit(matrix, started, pool)
            except PoolUnavailable as exc:
                log.warning("Training the members in this process: the worker processes failed (%s).", exc)
        return self._fit(matrix, started, None)

    def _fit(self, matrix: DemandMatrix, started: float, pool: MemberPool | None) -> "EnsembleForecaster":
        result = rolling_origin(
            matrix,
            self.members,
            horizon=self.horizon,
            n_origins=self.n_origins,
            keep_last_models=not self.options.refit,
            pool=pool,
        )
        names = result.models
        if not names:
            raise ValueError(f"Every ensemble member failed its backtest: {result.errors}")
        self.combination_ = fit_combination(
            result.folds, names, season=result.season, options=self.options, series_ids=matrix.series_ids
        )
        _add_cross_fitted(result, names, self.options)
        used = self.combination_.used_members()
        if not self.options.refit:
            self.members_ = {name: result.last_models[name] for name in used}
        elif pool is not None:
            # Each refit runs in its member's worker, where the backtest ran: side by side again.
            futures = {name: pool.refit(name, self.members[name]) for name in used}
            self.members_ = {name: pool.collect_refit(futures[name]) for name in used}
        else:
            self.members_ = {name: self.members[name]().fit(matrix) for name in used}
        self.metrics_ = result.metrics()
        self.metrics_.update(
            weights=self.combination_.weights,
            failed_members=result.errors,
            train_seconds=round(time.perf_counter() - started, 3),
        )
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return self.predict_intervals(matrix, horizon)["forecast"]

    def predict_intervals(self, matrix: DemandMatrix, horizon: int) -> dict[str, np.ndarray]:
        """Point forecast and 80%/95% bounds, series x horizon each."""
        classes = classify(matrix.values)
        weighted = self._weighted_members(classes)
        forecasts = {
            name: member.predict(matrix, horizon) for name, member in self.members_.items() if name in weighted
        }
        return self._combined(matrix, horizon, forecasts, classes)

    def predict_explained(
        self, matrix: DemandMatrix, horizon: int, *, top: int = 3
    ) -> tuple[dict[str, np.ndarray], list[list[dict[str, Any]]]]:
        """predict_intervals() and explain() together: the explaining member forecasts and
        explains in one pass where it can (LightGBM's recursion), instead of running twice."""
        explainer = self._explainer()
        classes = classify(matrix.values)
        weighted = self._weighted_members(classes)
        forecasts, explanation = {}, None
        for name, member in self.members_.items():
            if name == explainer and hasattr(member, "predict_explained"):
                forecasts[name], explanation = member.predict_explained(matrix, horizon, top=top)
            elif name in weighted:
                forecasts[name] = member.predict(matrix, horizon)
        if explanation is None:
            explanation = self.explain(matrix, horizon, top=top)
        return self._combined(matrix, horizon, forecasts, classes), explanation

    def _weighted_members(self, classes: np.ndarray) -> set[str]:
        """The members with weight for some series of these demand classes. A member weighted zero for every one
        adds exactly zero to each forecast, so it is not run: one product's answer on `large` then skips, where its
        class gives the statistical member no weight, a smoother's fit that cost up to a fifth of the answer."""
        combination = self.combination_
        weights = [combination.weights.get(str(group), combination.weights[POOLED]) for group in np.unique(classes)]
        return {name for k, name in enumerate(combination.members) if any(w[k] > 0 for w in weights)}

    def _combined(
        self, matrix: DemandMatrix, horizon: int, forecasts: dict[str, np.ndarray], classes: np.ndarray
    ) -> dict[str, np.ndarray]:
        combination = self.combination_
        full = {m: forecasts.get(m, np.zeros((matrix.n_series, horizon))) for m in combination.members}
        forecast = combination.forecast(full, classes)
        widths = combination.widths
        units = widths.units(matrix.series_ids, recent_scale(matrix.values))
        return {"forecast": forecast, **widths.apply(forecast, units, classes)}

    @property
    def interval_widths(self) -> IntervalWidths:
        """The conformal widths, which a new product's borrowed forecast is given too."""
        return self.combination_.widths

    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict[str, Any]]]:
        """The highest-weighted member that can explain does; an empty list per series otherwise."""
        explainer = self._explainer()
        if explainer is None:
            return [[] for _ in range(matrix.n_series)]
        return self.members_[explainer].explain(matrix, horizon, top=top)

    def _explainer(self) -> str | None:
        """The highest-weighted member that can explain, if any."""
        pooled = dict(zip(self.combination_.members, self.combination_.weights[POOLED], strict=True))
        for name in sorted(self.members_, key=lambda m: -pooled.get(m, 0.0)):
            if isinstance(self.members_[name], Explainer):
                return name
        return None

    def to_bytes(self) -> bytes:
        """A zip: each member's own artifact plus meta.json (names, class paths, weights,
        interval widths). No pickle: members are rebuilt by their dotted class path."""
        combination = self.combination_
        meta = {
            "kind": "ensemble",
            "horizon": self.horizon,
            "n_origins": self.n_origins,
            "options": self.options.__dict__,
            "members": [
                {"name": name, "class": f"{type(m).__module__}.{type(m).__qualname__}", "file": f"members/{name}"}
                for name, m in self.members_.items()
            ],
            "weight_members": combination.members,
            "weights": combination.weights,
            "interval_widths": combination.widths.to_dict(),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("meta.json", json.dumps(meta, indent=2))
            for name, member in self.members_.items():
                archive.writestr(f"members/{name}", member.to_bytes())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "EnsembleForecaster":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            meta = json.loads(archive.read("meta.json"))
            members = {
                entry["name"]: _import(entry["class"]).from_bytes(archive.read(entry["file"]))
                for entry in meta["members"]
            }
        model = cls(horizon=meta["horizon"], n_origins=meta["n_origins"], options=EnsembleOptions(**meta["options"]))
        model.members_ = members
        model.combination_ = Combination(
            meta["weight_members"], meta["weights"], IntervalWidths.from_dict(meta["interval_widths"])
        )
        return model


def _import(dotted: str) -> type[Forecaster]:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _add_cross_fitted(result: BacktestResult, names: list[str], options: EnsembleOptions) -> None:
    """The ensemble's own row in the training metrics: each fold forecast with weights
    fitted on the other folds (with one fold, in-sample, which flatters it)."""
    for j, fold in enumerate(result.folds):
        others = [f for i, f in enumerate(result.folds) if i != j] or result.folds
        weights = _weights_by_class(others, names, season=result.season, options=options)
        fold.forecasts["ensemble"] = Combination(names, weights).forecast(fold.forecasts, fold.classes)


def nested_ensemble(
    result: BacktestResult,
    *,
    name: str = "retailiq_ensemble",
    members: list[str] | None = None,
    train_origins: int = 3,
    options: EnsembleOptions | None = None,
) -> None:
    """Add the ensemble to a backtest honestly: at each scored origin its weights and
    interval widths come only from the last train_origins folds whose forecast window
    ended by that origin, as EnsembleForecaster.train(n_origins=train_origins) would.
    With options.refit False the members fitted at the previous origin forecast the scored
    one (the backtest needs stale_models for them), as they would serve in production.
    Its fit_seconds are what that training plus one forecast would spend: every member's
    mean fit+predict time per backtest origin, then a refit and forecast (or, with
    refit=False, a forecast only), plus the weighting."""
    options = options or EnsembleOptions()
    names = [m for m in (members or result.models) if m in result.models]
    started = time.perf_counter()
    result.weights[name] = []
    for k in range(result.first_scored, len(result.folds)):
        fold = result.folds[k]
        earlier = [f for f in result.folds[:k] if f.cutoff + result.horizon <= fold.cutoff][-train_origins:]
        if not earlier:
            raise ValueError("The nested ensemble needs at least one origin before the first scored one.")
        combination = fit_combination(
            earlier, names, season=result.season, options=options, series_ids=result.series_ids
        )
        result.weights[name].append(
            {group: dict(zip(names, map(float, w), strict=True)) for group, w in combination.weights.items()}
        )
        served = fold.forecasts
        if not options.refit:  # the members fitted at the previous origin serve this one
            missing = [m for m in names if m not in fold.stale_forecasts]
            if missing:
                raise ValueError(f"No forecasts from not-refitted members {missing}; backtest with stale_models.")
            served = fold.stale_forecasts
        forecast = combination.forecast(served, fold.classes)
        fold.forecasts[name] = forecast
        units = combination.widths.units(result.series_ids, fold.levels)
        fold.intervals[name] = combination.widths.apply(forecast, units, fold.classes)
    weighting = (time.perf_counter() - started) / max(len(result.scored_folds), 1)
    backtest = sum(float(np.mean(result.fit_seconds[m])) for m in names) * train_origins
    final = sum(float(np.mean(result.fit_seconds[m] if options.refit else result.predict_seconds[m])) for m in names)
    result.fit_seconds[name] = [backtest + final + weighting]
