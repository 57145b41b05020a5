"""Scores for the reorder probability and the next-order quantity."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm


def precision_at_k(y_true, scores, k: int) -> float:
    """Share of actual reorders among the ``k`` highest scores (ties broken by original order)."""
    y_true = np.asarray(y_true)
    if k <= 0 or len(y_true) == 0:
        return 0.0
    top = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    return float(y_true[top].mean())


def best_f1_threshold(y_true, proba) -> float:
    """The probability threshold with the highest F1, to be chosen on validation data and reused on test."""
    precision, recall, thresholds = skm.precision_recall_curve(y_true, proba)
    f1 = 2 * precision * recall / np.where(precision + recall > 0, precision + recall, 1.0)
    return float(thresholds[int(np.argmax(f1[:-1]))]) if len(thresholds) else 0.5


def classification_metrics(y_true, proba, *, threshold: float = 0.5, k: int | None = None) -> dict[str, float]:
    """ROC AUC, PR AUC (average precision), F1/precision/recall at ``threshold``, precision@K and Brier score."""
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=float)
    predicted = (proba >= threshold).astype(int)
    both_classes = len(np.unique(y_true)) == 2
    k = k if k is not None else max(int(y_true.sum()), 1)
    return {
        "roc_auc": float(skm.roc_auc_score(y_true, proba)) if both_classes else float("nan"),
        "pr_auc": float(skm.average_precision_score(y_true, proba)) if both_classes else float("nan"),
        "f1": float(skm.f1_score(y_true, predicted, zero_division=0)),
        "precision": float(skm.precision_score(y_true, predicted, zero_division=0)),
        "recall": float(skm.recall_score(y_true, predicted, zero_division=0)),
        "threshold": float(threshold),
        "precision_at_k": precision_at_k(y_true, proba, k),
        "k": float(k),
        "brier": float(skm.brier_score_loss(y_true, proba)),
    }


def regression_metrics(y_true, y_pred) -> dict[str, float]:
    """MAE, RMSE and R2 of a quantity prediction."""
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    return {
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "rmse": float(np.sqrt(skm.mean_squared_error(y_true, y_pred))),
        "r2": float(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan"),
    }
