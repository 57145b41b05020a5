"""Train the reorder ensemble on a temporal split, score it against the baselines, then refit it on everything.

Cutoffs come from :func:`reorder.ml.dataset.cutoff_schedule` and are split by time (train, validation, test; a
cutoff is never shared). Members learn on the training cutoffs and stop early on validation; blend weights and the
calibrator are fitted on disjoint halves of the validation retailers; every model is then scored on the test
cutoffs it never saw. Finally (``refit``) the members learn again on every cutoff with the iteration counts found
above, so the served model knows the latest behaviour.

Rows are built cutoff by cutoff and training rows are down-sampled by a hash of the pair as they are built, so a
large history never materialises every row of every cutoff at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from reorder.ml.baselines import OverdueBaseline, RecencyFrequencyLogit
from reorder.ml.calibration import brier_score, choose_calibrator, expected_calibration_error
from reorder.ml.call_features import validate_calls, with_call_features
from reorder.ml.dataset import cutoff_schedule, temporal_split
from reorder.ml.ensemble import (
    SEQUENCE_MEMBERS,
    ReorderEnsemble,
    fit_blend_weights,
    fit_quantity_weights,
    member_class,
    member_input,
)
from reorder.ml.features import KEYS, feature_columns, features_from_valid_history
from reorder.ml.labels import labels_from_valid_history
from reorder.ml.metrics import best_f1_threshold, classification_metrics, precision_at_k, regression_metrics

if TYPE_CHECKING:
    from reorder.ml.pipeline import TrainingResult

Progress = Callable[[str, int, str], None]
DEFAULT_MEMBERS = ("lightgbm", "ffn", "lstm")
ENSEMBLE = "retailiq_ensemble"
BASELINES = ("baseline_overdue", "baseline_logreg")
TOP_K = 100


@dataclass(frozen=True)
class TrainingOptions:
    """Everything ``params`` may set; unknown keys are kept in the result's params but otherwise ignored."""

    horizon_days: int = 14  # the primary horizon: headline metrics and the reasons shown
    n_cutoffs: int = 12
    step_days: int = 14
    validation_cutoffs: int = 2
    test_cutoffs: int = 1
    gap_days: int | None = None  # default: the longest horizon, so training labels never reach validation
    test_start: str | None = None  # cutoffs on or after it are test; earlier ones whose labels reach it dropped
    max_train_rows: int = 300_000
    max_eval_rows: int | None = None
    members: tuple[str, ...] = DEFAULT_MEMBERS
    epochs: int = 10
    refit: bool = True
    seed: int = 0
    sequence_length: int = 10
    lightgbm: dict = field(default_factory=dict)  # LightGBMOptions overrides
    nets: dict = field(default_factory=dict)  # {"ffn": {...}, "lstm": {...}} constructor overrides

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TrainingOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in params.items() if k in known and v is not None}
        if "members" in values:
            members = values["members"]
            values["members"] = tuple(members.split(",") if isinstance(members, str) else members)
        return cls(**values)


@dataclass
class Rows:
    """Stacked rows of several cutoffs: model inputs, labels, and the keys that say whose row it is."""

    X: np.ndarray  # (n, features) float32
    labels: np.ndarray  # (n, horizons) 0/1
    quantity: np.ndarray  # next order's quantity, NaN when none recorded
    keys: pd.DataFrame  # retailer_id, product_id, cutoff, refit (row kept when refitting)
    sequences: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, mask: np.ndarray) -> Rows:
        sequences = self.sequences[mask] if self.sequences is not None else None
        keys = self.keys[mask].reset_index(drop=True)
        return Rows(self.X[mask], self.labels[mask], self.quantity[mask], keys, sequences)

    @staticmethod
    def concat(parts: Sequence[Rows]) -> Rows:
        sequences = None if parts[0].sequences is None else np.concatenate([p.sequences for p in parts])
        keys = pd.concat([p.keys for p in parts], ignore_index=True)
        return Rows(
            np.concatenate([p.X for p in parts]),
            np.concatenate([p.labels for p in parts]),
            np.concatenate([p.quantity for p in parts]),
            keys,
            sequences,
        )

    def frame(self, feature_names: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
        index = [list(feature_names).index(c) for c in columns]
        return pd.DataFrame(self.X[:, index].astype(float), columns=list(columns))

    def input(self, name: str) -> Any:
        return member_input(name, self.X, self.sequences)


def plan_cutoffs(history: pd.DataFrame, options: TrainingOptions, horizons: Sequence[int]) -> dict[str, list]:
    """Cutoffs of each part: train, validation, test."""
    longest = max(horizons)
    schedule = cutoff_schedule(history, n_cutoffs=options.n_cutoffs, step_days=options.step_days, horizon_days=longest)
    schedule = [c for c in schedule if c > history["date"].min()]
    n_test = options.test_cutoffs
    if options.test_start is not None:
        start = pd.Timestamp(options.test_start)
        test = [c for c in schedule if c >= start]
        schedule = [c for c in schedule if c + pd.Timedelta(days=longest) <= start] + test
        n_test = len(test)
    gap = options.gap_days if options.gap_days is not None else longest
    split = temporal_split(pd.DataFrame({"cutoff": schedule}), options.validation_cutoffs, n_test, gap_days=gap)
    return {part: list(getattr(split, part)["cutoff"]) for part in ("train", "validation", "test")}


def build_rows(
    history: pd.DataFrame,
    cutoffs: Sequence[pd.Timestamp],
    horizons: Sequence[int],
    *,
    keep_rows: int | None,
    refit_rows_per_cutoff: float,
    sequence_length: int | None,
    feature_names: list[str] | None = None,
    calls: pd.DataFrame | None = None,
) -> tuple[Rows, list[str]]:
    """Rows of these cutoffs, at most about ``keep_rows`` in all (a pair-hash sample of each cutoff).

    ``refit_rows_per_cutoff`` marks, by the same hash, the rows a refit over every cutoff keeps, so the refit has
    the same budget as the first fit.
    """
    parts = []
    for cutoff in cutoffs:
        features = features_from_valid_history(history, cutoff)
        if features.empty:
            continue
        if calls is not None:
            features = with_call_features(features, calls, cutoff)
        labels = labels_from_valid_history(history, cutoff, horizons)
        frame = features.merge(labels, on=KEYS, how="left", validate="one_to_one")
        if feature_names is None:
            feature_names = feature_columns(features)
        draw = _pair_hash(frame[KEYS])
        frame["refit"] = draw < refit_rows_per_cutoff / len(frame)
        if keep_rows is not None:
            frame = frame[draw < keep_rows / len(cutoffs) / len(frame)].reset_index(drop=True)
        keys = frame[[*KEYS, "refit"]].copy()
        keys.insert(2, "cutoff", cutoff)
        sequences = None
        if sequence_length:
            from reorder.ml.sequences import order_sequences

            sequences = order_sequences(history, cutoff, frame[KEYS], length=sequence_length)
        parts.append(
            Rows(
                frame.reindex(columns=feature_names, fill_value=0.0).to_numpy(dtype=np.float32),
                frame[[f"ordered_within_{h}" for h in horizons]].to_numpy(dtype=np.int8),
                frame["next_order_quantity"].to_numpy(dtype=float),
                keys,
                sequences,
            )
        )
    if not parts:
        raise ValueError("no cutoff has any order history before it")
    return Rows.concat(parts), feature_names


def train_ensemble(
    valid_history: pd.DataFrame,
    *,
    horizons: Sequence[int],
    params: dict[str, Any],
    progress: Progress,
    calls: pd.DataFrame | None = None,
) -> TrainingResult:
    """Fit, evaluate and (optionally) refit the ensemble; see the module docstring for the protocol."""
    from reorder.ml.pipeline import TrainingResult  # pipeline imports this module lazily: no import cycle

    options = TrainingOptions.from_params(params)
    if calls is not None and calls.empty:
        calls = None  # no call recorded yet: constant columns would only burden the nets
    elif calls is not None:
        calls = validate_calls(calls)
    horizons = tuple(sorted(int(h) for h in horizons))
    primary = options.horizon_days if options.horizon_days in horizons else min(horizons, key=lambda h: abs(h - 14))
    members = [m for m in options.members if m]
    for name in members:
        member_class(name)  # an unknown or unavailable member fails now, not after the dataset is built

    plan = plan_cutoffs(valid_history, options, horizons)
    n_all = sum(len(c) for c in plan.values())
    sequence_length = options.sequence_length if SEQUENCE_MEMBERS & set(members) else None
    data: dict[str, Rows] = {}
    feature_names = None
    for step, part in enumerate(("train", "validation", "test")):
        progress("dataset", 5 + 10 * step, f"building {part} rows of {len(plan[part])} cutoffs")
        keep = options.max_train_rows if part == "train" else options.max_eval_rows
        data[part], feature_names = build_rows(
            valid_history,
            plan[part],
            horizons,
            keep_rows=keep,
            refit_rows_per_cutoff=options.max_train_rows / n_all,
            sequence_length=sequence_length,
            feature_names=feature_names,
            calls=calls,
        )
    train, validation, test = data["train"], data["validation"], data["test"]

    progress("baselines", 35, "fitting the baselines")
    scores: dict[str, dict[int, tuple[np.ndarray, np.ndarray]]] = {}  # name -> horizon -> (val, test) probabilities
    fit_seconds: dict[str, float] = {}
    _fit_baselines(train, validation, test, feature_names, horizons, scores, fit_seconds)

    fitted: dict[str, Any] = {}
    outputs: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {"validation": {}, "test": {}}
    for i, name in enumerate(members):
        progress("fit", 40 + int(35 * i / len(members)), f"fitting {name} on {len(train)} rows")
        started = time.perf_counter()
        model = _make_member(name, horizons, options, feature_names)
        model.fit(
            train.input(name),
            train.labels,
            train.quantity,
            validation.input(name),
            validation.labels,
            validation.quantity,
        )
        fit_seconds[name] = time.perf_counter() - started
        fitted[name] = model
        for part, rows in (("validation", validation), ("test", test)):
            outputs[part][name] = model.predict(rows.input(name))
        scores[name] = {
            h: (outputs["validation"][name][0][:, j], outputs["test"][name][0][:, j]) for j, h in enumerate(horizons)
        }

    progress("blend", 78, "fitting blend weights and calibrators on the validation retailers")
    started = time.perf_counter()
    ensemble, blend_report = _fit_blend(
        fitted, validation, outputs["validation"], horizons, feature_names, options, primary
    )
    fit_seconds[ENSEMBLE] = sum(fit_seconds[m] for m in members) + time.perf_counter() - started
    blended_val = ensemble.blend(outputs["validation"])
    blended_test, quantity_test = ensemble.blend(outputs["test"])
    calibrated_val, calibrated_test = ensemble.calibrate(blended_val[0]), ensemble.calibrate(blended_test)
    scores[ENSEMBLE] = {h: (calibrated_val[h], calibrated_test[h]) for h in horizons}
    raw_scores = {h: (blended_val[0][h], blended_test[h]) for h in horizons}

    progress("evaluate", 82, f"scoring every model on {len(test)} test rows")
    quantities = {name: outputs["test"][name][1] for name in members}
    quantities[ENSEMBLE] = quantity_test
    last3 = test.frame(feature_names, ["qty_mean_last3"])["qty_mean_last3"].to_numpy()
    quantities.update({name: np.maximum(last3, 1.0) for name in BASELINES})
    evaluation = _evaluate(validation, test, horizons, scores, raw_scores, quantities, fit_seconds, blend_report)
    evaluation.update(
        members=members,
        quantity_weights=ensemble.quantity_weights,
        feature_count=len(feature_names),
        rows={part: len(rows) for part, rows in data.items()},
        cutoffs={part: [str(c.date()) for c in cutoffs] for part, cutoffs in plan.items()},
        cutoff_counts={part: len(cutoffs) for part, cutoffs in plan.items()},
    )

    if options.refit:
        progress("refit", 88, "refitting the members on every cutoff")
        started = time.perf_counter()
        everything = Rows.concat(
            [
                train.subset(train.keys["refit"].to_numpy()),
                validation.subset(validation.keys["refit"].to_numpy()),
                test.subset(test.keys["refit"].to_numpy()),
            ]
        )
        ensemble.members = {
            name: _refit(name, fitted[name], everything, horizons, options, feature_names) for name in members
        }
        evaluation["refit_seconds"] = time.perf_counter() - started
        evaluation["rows"]["refit"] = len(everything)
    ensemble.info = {"trained_until": str(valid_history["date"].max().date()), "primary_horizon": primary}

    headline = evaluation["horizons"][str(primary)]["models"][ENSEMBLE]
    metrics = {"horizon_days": primary}
    metrics.update(
        {
            key: headline.get(key)
            for key in (
                "roc_auc",
                "pr_auc",
                "f1",
                "brier",
                "precision_at_100",
                "precision_at_k",
                "ece_before",
                "ece_after",
            )
        }
    )
    metrics.update({f"quantity_{key}": headline.get(f"quantity_{key}") for key in ("mae", "rmse", "r2")})
    metrics["evaluation"] = evaluation
    progress("done", 100, f"ROC AUC {headline['roc_auc']:.3f} at {primary} days")
    used = {**params, "horizons": list(horizons), "members": members, "horizon_days": primary}
    return TrainingResult(
        model=ensemble,
        algorithm="reorder_ensemble:" + "+".join(members),
        metrics=_json_safe(metrics),
        params=_json_safe(used),
    )


def _make_member(
    name: str, horizons: Sequence[int], options: TrainingOptions, feature_names: list[str], **overrides: Any
) -> Any:
    if name == "lightgbm":
        from reorder.ml.lgbm import LightGBMOptions, LightGBMReorder

        lgbm_options = LightGBMOptions(**{"seed": options.seed, **options.lightgbm})
        return LightGBMReorder(horizons, lgbm_options, feature_names=feature_names, **overrides)
    kwargs = {"epochs": options.epochs, "seed": options.seed, **options.nets.get(name, {}), **overrides}
    return member_class(name)(horizons=horizons, **kwargs)


def _refit(name: str, model: Any, rows: Rows, horizons, options: TrainingOptions, feature_names) -> Any:
    """The same member fitted on every cutoff, for as long as early stopping found best."""
    if name == "lightgbm":
        refitted = _make_member(name, horizons, options, feature_names, rounds=dict(model.best_iterations_))
    else:
        history = getattr(model, "history_", {}) or {}
        ran, patience = int(history.get("epochs", model.epochs)), int(getattr(model, "patience", 0))
        best_epochs = ran - patience if ran < model.epochs else ran
        refitted = _make_member(name, horizons, options, feature_names, epochs=max(best_epochs, 1))
    return refitted.fit(rows.input(name), rows.labels, rows.quantity)


def _fit_baselines(train, validation, test, feature_names, horizons, scores, fit_seconds) -> None:
    columns = sorted(
        {
            "days_since_last_order",
            "interval_mean",
            "retailer_interval_mean",
            "pair_age_days",
            *RecencyFrequencyLogit().columns,
        }
    )
    frames = {
        part: rows.frame(feature_names, columns)
        for part, rows in (("train", train), ("validation", validation), ("test", test))
    }
    for name in BASELINES:
        scores[name], started = {}, time.perf_counter()
        for j, horizon in enumerate(horizons):
            model = OverdueBaseline(horizon_days=horizon) if name == "baseline_overdue" else RecencyFrequencyLogit()
            model.fit(frames["train"], train.labels[:, j])
            scores[name][horizon] = tuple(model.predict_proba(frames[p])[:, 1] for p in ("validation", "test"))
        fit_seconds[name] = time.perf_counter() - started


def _fit_blend(fitted, validation: Rows, outputs, horizons, feature_names, options, primary):
    """Weights on one half of the validation retailers, the calibrator on the other half."""
    half = _pair_hash(validation.keys[["retailer_id"]]) < 0.5
    names = list(fitted)
    weights, report = {}, {}
    for j, horizon in enumerate(horizons):
        member_proba = np.column_stack([outputs[name][0][half, j] for name in names])
        fitted_weights = fit_blend_weights(validation.labels[half, j], member_proba, seed=options.seed)
        weights[horizon] = dict(zip(names, fitted_weights.tolist(), strict=True))
    observed = np.isfinite(validation.quantity) & (validation.quantity > 0)
    member_log_q = np.column_stack([np.log1p(outputs[name][1][observed]) for name in names])
    quantity_weights = fit_quantity_weights(np.log1p(validation.quantity[observed]), member_log_q)
    ensemble = ReorderEnsemble(
        horizons=tuple(horizons),
        feature_names=list(feature_names),
        members=dict(fitted),
        weights=weights,
        quantity_weights=dict(zip(names, quantity_weights.tolist(), strict=True)),
        primary_horizon=primary,
        sequence_length=options.sequence_length,
    )
    blended, _ = ensemble.blend({name: (o[0][~half], o[1][~half]) for name, o in outputs.items()})
    retailers = validation.keys["retailer_id"].to_numpy()[~half]
    for j, horizon in enumerate(horizons):
        calibrator, calibration_report = choose_calibrator(
            validation.labels[~half, j], blended[horizon], groups=retailers, seed=options.seed
        )
        ensemble.calibrators[horizon] = calibrator
        report[horizon] = {
            "weights": weights[horizon],
            "calibration": calibration_report,
            "weight_rows": int(half.sum()),
            "calibration_rows": int((~half).sum()),
        }
    return ensemble, report


def _evaluate(validation, test, horizons, scores, raw_scores, quantities, fit_seconds, blend_report) -> dict:
    out: dict[str, Any] = {"horizons": {}, "fit_seconds": fit_seconds}
    test_cutoffs = test.keys["cutoff"].to_numpy()
    for j, horizon in enumerate(horizons):
        y_val, y_test = validation.labels[:, j], test.labels[:, j]
        reordered = (y_test == 1) & np.isfinite(test.quantity) & (test.quantity > 0)
        models = {}
        for name, by_horizon in scores.items():
            p_val, p_test = by_horizon[horizon]
            threshold = best_f1_threshold(y_val, p_val) if len(np.unique(y_val)) == 2 else 0.5
            result = classification_metrics(y_test, p_test, threshold=threshold)
            result["precision_at_100"] = _mean_precision_at_k(y_test, p_test, test_cutoffs, TOP_K)
            result["ece"] = expected_calibration_error(y_test, p_test)
            result["fit_seconds"] = fit_seconds.get(name)
            if name in quantities and reordered.any():
                quantity = regression_metrics(test.quantity[reordered], quantities[name][reordered])
                result.update({f"quantity_{k}": v for k, v in quantity.items()})
            models[name] = result
        raw_test = raw_scores[horizon][1]
        models[ENSEMBLE]["ece_before"] = expected_calibration_error(y_test, raw_test)
        models[ENSEMBLE]["ece_after"] = models[ENSEMBLE]["ece"]
        models[ENSEMBLE]["brier_before"] = brier_score(y_test, raw_test)
        out["horizons"][str(horizon)] = {
            "models": models,
            "weights": blend_report[horizon]["weights"],
            "calibration": blend_report[horizon]["calibration"],
            "positive_rate_test": float(y_test.mean()) if len(y_test) else None,
            "quantity_rows": int(reordered.sum()),
        }
    return out


def _mean_precision_at_k(y_true, scores, cutoffs, k: int) -> float:
    """Precision of the top ``k`` pairs at each test cutoff (what a rep's list would show), averaged over cutoffs."""
    values = [precision_at_k(y_true[cutoffs == c], scores[cutoffs == c], k) for c in np.unique(cutoffs)]
    return float(np.mean(values)) if values else float("nan")


def _pair_hash(keys: pd.DataFrame) -> np.ndarray:
    """A number in [0, 1) per row, fixed by the key values alone: the same pair is drawn at every cutoff."""
    hashed = pd.util.hash_pandas_object(keys.astype(str), index=False).to_numpy()
    return (hashed % np.uint64(2**32)).astype(float) / 2**32


def _json_safe(value: Any) -> Any:
    """Plain JSON values (NaN and infinities become None), so the metrics can be stored as a JSON column."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value
