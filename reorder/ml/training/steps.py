"""Train the reorder ensemble on a temporal split, score it against the baselines, then refit it on everything.

Cutoffs come from :func:`reorder.ml.dataset.cutoff_schedule` and are split by time (train, validation, test; a
cutoff is never shared). Members learn on the training cutoffs and stop early on validation; blend weights and the
calibrator are fitted on disjoint halves of the validation retailers; every model is then scored on the test
cutoffs it never saw. Finally (``refit``) the members learn again on every cutoff with the iteration counts found
above, so the served model knows the latest behaviour.

:func:`train_ensemble` runs those steps in order; each is a function of its own below.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from reorder.ml.baselines import (
    RECENCY_FREQUENCY_COLUMNS,
    STRONG_COLUMNS,
    OverdueBaseline,
    RecencyFrequencyLogit,
    StrongLogit,
)
from reorder.ml.calibration import choose_calibrator
from reorder.ml.call_features import validate_calls
from reorder.ml.ensemble import RECENT_QUANTITY, ReorderEnsemble, fit_blend_weights, fit_quantity_weights
from reorder.ml.members import MEMBERS, SEQUENCE_MEMBERS, member_class, member_names, predicts_quantity
from reorder.ml.simple import StrongLogitReorderModel
from reorder.ml.training.evaluation import evaluate, headline_metrics, json_safe
from reorder.ml.training.options import BASELINES, ENSEMBLE, STRONG_BASELINE, TrainingOptions, TrainingResult
from reorder.ml.training.rows import Rows, build_rows, pair_hash, plan_cutoffs

Progress = Callable[[str, int, str], None]
PARTS = ("train", "validation", "test")
Outputs = dict[str, tuple[np.ndarray, np.ndarray]]  # member -> (probabilities (n, H), quantity (n,))
Scores = dict[str, dict[int, tuple[np.ndarray, np.ndarray]]]  # model -> horizon -> (validation, test) probabilities


def train_ensemble(
    valid_history: pd.DataFrame,
    *,
    horizons: Sequence[int],
    params: dict[str, Any],
    progress: Progress,
    calls: pd.DataFrame | None = None,
) -> TrainingResult:
    """Fit, evaluate and (optionally) refit the ensemble; see the module docstring for the protocol."""
    options = TrainingOptions.from_params(params)
    calls = usable_calls(calls)
    horizons = tuple(sorted(int(h) for h in horizons))
    primary = options.primary_horizon(horizons)
    members = member_names(options.members)
    for name in members:
        member_class(name)  # an unavailable member fails now, not after the dataset is built

    schedule = plan_cutoffs(valid_history, options, horizons)
    plan = schedule.parts()
    progress("dataset", 2, schedule.describe())
    data, feature_names = build_datasets(valid_history, plan, horizons, options, members, calls, progress)
    validation, test = data["validation"], data["test"]

    progress("baselines", 35, "fitting the baselines")
    scores, fit_seconds, strong = fit_baselines(data, feature_names, horizons)
    fitted, outputs = fit_members(members, data, horizons, options, feature_names, scores, fit_seconds, progress)

    progress("blend", 78, "fitting blend weights and calibrators on the validation retailers")
    started = time.perf_counter()
    ensemble, blend_report = fit_blend(
        fitted, validation, outputs["validation"], horizons, feature_names, options, primary
    )
    fit_seconds[ENSEMBLE] = sum(fit_seconds[m] for m in members) + time.perf_counter() - started
    recent = {part: recent_quantity(data[part], feature_names) for part in ("validation", "test")}
    scores[ENSEMBLE], raw_scores, quantity_test = score_ensemble(ensemble, outputs, recent, horizons)

    progress("evaluate", 82, f"scoring every model on {len(test)} test rows")
    quantities = quantities_on_test(outputs["test"], quantity_test, test, feature_names)
    evaluation = evaluate(validation, test, horizons, scores, raw_scores, quantities, fit_seconds, blend_report)
    evaluation.update(
        members=members,
        quantity_weights=ensemble.quantity_weights,
        feature_count=len(feature_names),
        rows={part: len(rows) for part, rows in data.items()},
        cutoffs={part: [str(c.date()) for c in cutoffs] for part, cutoffs in plan.items()},
        cutoff_counts={part: len(cutoffs) for part, cutoffs in plan.items()},
        schedule=schedule.as_dict(),
    )
    selection = choose_served(validation, scores, horizons, primary)
    evaluation["selection"] = selection
    served = selection["served"]

    info = {"trained_until": str(valid_history["date"].max().date()), "primary_horizon": primary}
    model: Any
    if served == ENSEMBLE:
        model, algorithm = ensemble, "reorder_ensemble:" + "+".join(members)
    else:
        model, algorithm = StrongLogitReorderModel(horizons, strong), "reorder_logit:" + STRONG_BASELINE
    if options.refit:
        progress("refit", 88, f"refitting {served} on every cutoff")
        started = time.perf_counter()
        everything = Rows.concat([data[part].subset(data[part].keys["refit"].to_numpy()) for part in PARTS])
        if served == ENSEMBLE:
            ensemble.members = {
                name: refit_member(name, fitted[name], everything, horizons, options, feature_names) for name in members
            }
        else:
            model.models = fit_strong(everything, feature_names, horizons)
        evaluation["refit_seconds"] = time.perf_counter() - started
        evaluation["rows"]["refit"] = len(everything)
    model.info = info

    metrics = headline_metrics(evaluation, primary, served)
    progress("done", 100, f"{served} serves: ROC AUC {metrics['roc_auc']:.3f} at {primary} days")
    used = {**params, "horizons": list(horizons), "members": members, "horizon_days": primary}
    return TrainingResult(model=model, algorithm=algorithm, metrics=json_safe(metrics), params=json_safe(used))


def usable_calls(calls: pd.DataFrame | None) -> pd.DataFrame | None:
    """Recorded calls, checked; none when none is recorded yet (constant columns would only burden the nets)."""
    if calls is None or calls.empty:
        return None
    return validate_calls(calls)


def build_datasets(
    history: pd.DataFrame,
    plan: dict[str, list],
    horizons: tuple[int, ...],
    options: TrainingOptions,
    members: list[str],
    calls: pd.DataFrame | None,
    progress: Progress,
) -> tuple[dict[str, Rows], list[str]]:
    """The rows of each part, with one list of feature columns for all; order sequences when a member reads them."""
    n_all = sum(len(c) for c in plan.values())
    sequence_length = options.sequence_length if SEQUENCE_MEMBERS & set(members) else None
    data: dict[str, Rows] = {}
    feature_names = None
    for step, part in enumerate(PARTS):
        progress("dataset", 5 + 10 * step, f"building {part} rows of {len(plan[part])} cutoffs")
        keep = options.max_train_rows if part == "train" else options.max_eval_rows
        data[part], feature_names = build_rows(
            history,
            plan[part],
            horizons,
            keep_rows=keep,
            refit_rows_per_cutoff=options.max_train_rows / n_all,
            sequence_length=sequence_length,
            feature_names=feature_names,
            calls=calls,
            rhythm=options.rhythm_features,
            lookback_days=options.lookback_days,
            horizon=options.horizon_features,
            decay=options.decay_features,
        )
    return data, feature_names


BASELINE_COLUMNS = sorted(
    {"days_since_last_order", "interval_mean", "retailer_interval_mean", "pair_age_days"}
    | set(RECENCY_FREQUENCY_COLUMNS)
    | set(STRONG_COLUMNS)
)


def make_baseline(name: str, horizon: int) -> Any:
    if name == "baseline_overdue":
        return OverdueBaseline(horizon_days=horizon)
    return StrongLogit() if name == STRONG_BASELINE else RecencyFrequencyLogit()


def fit_baselines(
    data: dict[str, Rows], feature_names: list[str], horizons: tuple[int, ...]
) -> tuple[Scores, dict, dict[int, StrongLogit]]:
    """Each baseline per horizon on the training rows, scored on validation and test; its fit seconds; and the
    strong baseline's fitted models, which serve if the ensemble does not beat them."""
    frames = {part: rows.frame(feature_names, BASELINE_COLUMNS) for part, rows in data.items()}
    scores: Scores = {}
    fit_seconds: dict[str, float] = {}
    strong: dict[int, StrongLogit] = {}
    for name in BASELINES:
        scores[name], started = {}, time.perf_counter()
        for j, horizon in enumerate(horizons):
            model = make_baseline(name, horizon).fit(frames["train"], data["train"].labels[:, j])
            scores[name][horizon] = tuple(model.predict_proba(frames[p])[:, 1] for p in ("validation", "test"))
            if name == STRONG_BASELINE:
                strong[horizon] = model
        fit_seconds[name] = time.perf_counter() - started
    return scores, fit_seconds, strong


def fit_strong(rows: Rows, feature_names: list[str], horizons: tuple[int, ...]) -> dict[int, StrongLogit]:
    """The strong baseline per horizon on ``rows`` (the refit of the simpler model when it serves)."""
    frame = rows.frame(feature_names, STRONG_COLUMNS)
    return {h: StrongLogit().fit(frame, rows.labels[:, j]) for j, h in enumerate(horizons)}


def choose_served(validation: Rows, scores: Scores, horizons: tuple[int, ...], primary: int) -> dict[str, Any]:
    """The ensemble serves only when it beats the strong baseline on validation at the primary horizon on both
    ROC AUC and PR AUC; otherwise the simpler model serves. Test scores play no part in the choice."""
    y = validation.labels[:, list(horizons).index(primary)]
    on_validation = {}
    for name in (ENSEMBLE, STRONG_BASELINE):
        p = scores[name][primary][0]
        both = len(np.unique(y)) == 2
        on_validation[name] = {
            "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
            "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        }
    wins = all(on_validation[ENSEMBLE][k] > on_validation[STRONG_BASELINE][k] for k in ("roc_auc", "pr_auc"))
    return {
        "served": ENSEMBLE if wins else STRONG_BASELINE,
        "rule": f"ensemble serves if it beats {STRONG_BASELINE} on validation ROC AUC and PR AUC at {primary} days",
        "validation": on_validation,
    }


def fit_members(
    members: list[str],
    data: dict[str, Rows],
    horizons: tuple[int, ...],
    options: TrainingOptions,
    feature_names: list[str],
    scores: Scores,
    fit_seconds: dict[str, float],
    progress: Progress,
) -> tuple[dict[str, Any], dict[str, Outputs]]:
    """Each member fitted on the training rows (stopping early on validation), with its validation and test
    outputs; its probabilities join ``scores`` and its time ``fit_seconds``."""
    train, validation, test = (data[part] for part in PARTS)
    fitted: dict[str, Any] = {}
    outputs: dict[str, Outputs] = {"validation": {}, "test": {}}
    for i, name in enumerate(members):
        progress("fit", 40 + int(35 * i / len(members)), f"fitting {name} on {len(train)} rows")
        started = time.perf_counter()
        model = MEMBERS[name](horizons, options, feature_names)
        model.fit(
            train.input(name),
            train.labels,
            train.quantity,
            validation.input(name),
            validation.labels,
            validation.quantity,
            **train.fit_extras(name),
            **validation.fit_extras(name, "shop_val"),
        )
        fit_seconds[name] = time.perf_counter() - started
        fitted[name] = model
        for part, rows in (("validation", validation), ("test", test)):
            outputs[part][name] = model.predict(rows.input(name))
        scores[name] = {
            h: (outputs["validation"][name][0][:, j], outputs["test"][name][0][:, j]) for j, h in enumerate(horizons)
        }
    return fitted, outputs


def fit_blend(
    fitted: dict[str, Any],
    validation: Rows,
    outputs: Outputs,
    horizons: tuple[int, ...],
    feature_names: list[str],
    options: TrainingOptions,
    primary: int,
) -> tuple[ReorderEnsemble, dict[int, dict[str, Any]]]:
    """Weights on one half of the validation retailers, the calibrator on the other half."""
    half = pair_hash(validation.keys[["retailer_id"]]) < 0.5
    names = list(fitted)
    weights, report = {}, {}
    for j, horizon in enumerate(horizons):
        member_proba = np.column_stack([outputs[name][0][half, j] for name in names])
        fitted_weights = fit_blend_weights(validation.labels[half, j], member_proba, seed=options.seed)
        weights[horizon] = dict(zip(names, fitted_weights.tolist(), strict=True))
    observed = np.isfinite(validation.quantity) & (validation.quantity > 0)
    recent = recent_quantity(validation, feature_names)
    # A member without a quantity of its own (the strong logit's is the recent mean) is no candidate.
    quantity_names = [name for name in names if predicts_quantity(fitted[name])]
    candidates = [*quantity_names, RECENT_QUANTITY]
    member_log_q = np.column_stack(
        [*(np.log1p(outputs[name][1][observed]) for name in quantity_names), np.log1p(recent[observed])]
    )
    quantity_weights = fit_quantity_weights(np.log1p(validation.quantity[observed]), member_log_q)
    ensemble = ReorderEnsemble(
        horizons=tuple(horizons),
        feature_names=list(feature_names),
        members=dict(fitted),
        weights=weights,
        quantity_weights=dict(zip(candidates, quantity_weights.tolist(), strict=True)),
        primary_horizon=primary,
        sequence_length=options.sequence_length,
    )
    blended, _ = ensemble.blend({name: (o[0][~half], o[1][~half]) for name, o in outputs.items()}, recent[~half])
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


def recent_quantity(rows: Rows, feature_names: list[str]) -> np.ndarray:
    """The mean of each pair's last three orders, at least one unit: the quantity rule a regressor must beat."""
    return np.maximum(rows.frame(feature_names, ["qty_mean_last3"])["qty_mean_last3"].to_numpy(), 1.0)


def score_ensemble(
    ensemble: ReorderEnsemble, outputs: dict[str, Outputs], recent: dict[str, np.ndarray], horizons: tuple[int, ...]
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], dict[int, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The ensemble's calibrated and raw (validation, test) probabilities per horizon, and its test quantity."""
    blended_val = ensemble.blend(outputs["validation"], recent["validation"])
    blended_test, quantity_test = ensemble.blend(outputs["test"], recent["test"])
    calibrated_val, calibrated_test = ensemble.calibrate(blended_val[0]), ensemble.calibrate(blended_test)
    calibrated = {h: (calibrated_val[h], calibrated_test[h]) for h in horizons}
    raw = {h: (blended_val[0][h], blended_test[h]) for h in horizons}
    return calibrated, raw, quantity_test


def quantities_on_test(
    member_outputs: Outputs, ensemble_quantity: np.ndarray, test: Rows, feature_names: list[str]
) -> dict[str, np.ndarray]:
    """Each model's next-order quantity on the test rows; the baselines say "as of late" (the mean of the last 3)."""
    quantities = {name: output[1] for name, output in member_outputs.items()}
    quantities[ENSEMBLE] = ensemble_quantity
    quantities.update({name: recent_quantity(test, feature_names) for name in BASELINES})
    return quantities


def refit_member(
    name: str,
    model: Any,
    rows: Rows,
    horizons: tuple[int, ...],
    options: TrainingOptions,
    feature_names: list[str],
) -> Any:
    """The same member fitted on every cutoff, for as long as early stopping found best."""
    if name == "lightgbm":
        refitted = MEMBERS[name](horizons, options, feature_names, rounds=dict(model.best_iterations_))
    elif not hasattr(model, "epochs"):  # nothing stopped early: the same model on more rows
        refitted = MEMBERS[name](horizons, options, feature_names)
    else:
        history = getattr(model, "history_", {}) or {}
        ran, patience = int(history.get("epochs", model.epochs)), int(getattr(model, "patience", 0))
        best_epochs = ran - patience if ran < model.epochs else ran
        refitted = MEMBERS[name](horizons, options, feature_names, epochs=max(best_epochs, 1))
    return refitted.fit(rows.input(name), rows.labels, rows.quantity, **rows.fit_extras(name))
