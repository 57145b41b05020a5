"""Scoring every model of a training run on the test cutoffs it never saw, and the headline metrics recorded on
the version."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reorder.ml.calibration import brier_score, expected_calibration_error
from reorder.ml.metrics import best_f1_threshold, classification_metrics, precision_at_k, regression_metrics
from reorder.ml.training.options import ENSEMBLE, STRONG_BASELINE

TOP_K = 100
HEADLINE = ("roc_auc", "pr_auc", "f1", "brier", "precision_at_100", "precision_at_k", "ece_before", "ece_after")


def evaluate(validation, test, horizons, scores, raw_scores, quantities, fit_seconds, blend_report) -> dict:
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
            result["precision_at_100"] = mean_precision_at_k(y_test, p_test, test_cutoffs, TOP_K)
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


def mean_precision_at_k(y_true, scores, cutoffs, k: int) -> float:
    """Precision of the top ``k`` pairs at each test cutoff (what a rep's list would show), averaged over cutoffs."""
    values = [precision_at_k(y_true[cutoffs == c], scores[cutoffs == c], k) for c in np.unique(cutoffs)]
    return float(np.mean(values)) if values else float("nan")


def headline_metrics(evaluation: dict[str, Any], primary: int, served: str = ENSEMBLE) -> dict[str, Any]:
    """The served model's test numbers at the primary horizon, flat, with which model serves and the whole
    evaluation beside them."""
    headline = evaluation["horizons"][str(primary)]["models"][served]
    metrics: dict[str, Any] = {"horizon_days": primary, "served_model": served}
    metrics.update({key: headline.get(key) for key in HEADLINE})
    metrics["ece_after"] = headline.get("ece_after", headline.get("ece"))
    strong = evaluation["horizons"][str(primary)]["models"].get(STRONG_BASELINE, {})
    if headline.get("roc_auc") is not None and strong.get("roc_auc") is not None:
        metrics["roc_auc_over_strong"] = headline["roc_auc"] - strong["roc_auc"]
    metrics.update({f"quantity_{key}": headline.get(f"quantity_{key}") for key in ("mae", "rmse", "r2")})
    metrics["evaluation"] = evaluation
    return metrics


def json_safe(value: Any) -> Any:
    """Plain JSON values (NaN and infinities become None), so the metrics can be stored as a JSON column."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value
