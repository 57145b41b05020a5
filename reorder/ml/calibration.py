"""Probability calibration: isotonic or Platt, whichever has the lower Brier score on held-out rows.

A blend of members is well ranked but not necessarily honest: "0.3" should mean three pairs in ten reorder, because
reps read the number. Both calibrators are stored as plain arrays in JSON (no pickle). When neither beats the raw
probabilities out of fold (few held-out rows, an already honest blend), the identity is kept: a calibrator that
makes the Brier score worse is not worth its ties.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

EPSILON = 1e-6


def expected_calibration_error(y_true, proba, n_bins: int = 10) -> float:
    """ECE over ``n_bins`` equal-width probability bins: the row-weighted mean gap between the mean predicted
    probability and the observed rate in each bin."""
    y_true = np.asarray(y_true, dtype=float)
    proba = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
    if len(y_true) == 0:
        return float("nan")
    bins = np.minimum((proba * n_bins).astype(int), n_bins - 1)
    predicted = np.bincount(bins, weights=proba, minlength=n_bins)
    observed = np.bincount(bins, weights=y_true, minlength=n_bins)
    return float(np.abs(predicted - observed).sum() / len(y_true))


def brier_score(y_true, proba) -> float:
    return float(np.mean((np.asarray(proba, dtype=float) - np.asarray(y_true, dtype=float)) ** 2))


@dataclass
class Calibrator:
    """A fitted monotone map from raw to calibrated probability; ``method`` is "isotonic", "platt" or "identity"."""

    method: str
    x: list[float]  # isotonic: thresholds; platt: [coefficient, intercept]
    y: list[float]

    def transform(self, proba) -> np.ndarray:
        proba = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
        if self.method == "identity":
            return proba
        if self.method == "platt":
            coefficient, intercept = self.x
            return 1.0 / (1.0 + np.exp(-(coefficient * _logit(proba) + intercept)))
        if self.method == "isotonic":
            return np.interp(proba, self.x, self.y)
        raise ValueError(f"unknown calibration method {self.method!r}")

    def to_dict(self) -> dict:
        return {"method": self.method, "x": [float(v) for v in self.x], "y": [float(v) for v in self.y]}

    @classmethod
    def from_dict(cls, data: dict) -> Calibrator:
        return cls(method=data["method"], x=list(data["x"]), y=list(data["y"]))


def fit_platt(y_true, proba) -> Calibrator:
    """Logistic regression on the logit of the raw probability (two parameters: hard to overfit)."""
    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(_logit(np.asarray(proba, dtype=float))[:, None], np.asarray(y_true).astype(int))
    return Calibrator("platt", [float(model.coef_[0, 0]), float(model.intercept_[0])], [])


def fit_isotonic(y_true, proba) -> Calibrator:
    """A monotone step function; flexible, so it needs a few thousand rows to beat Platt."""
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    model.fit(np.asarray(proba, dtype=float), np.asarray(y_true, dtype=float))
    return Calibrator("isotonic", model.X_thresholds_.tolist(), model.y_thresholds_.tolist())


def fit_identity(y_true, proba) -> Calibrator:
    return Calibrator("identity", [], [])


FITTERS = {"identity": fit_identity, "platt": fit_platt, "isotonic": fit_isotonic}


def choose_calibrator(y_true, proba, groups=None, *, folds: int = 2, seed: int = 0) -> tuple[Calibrator, dict]:
    """Pick isotonic, Platt or none by cross-validated Brier score on these held-out rows, then fit it on all.

    ``groups`` (e.g. retailer ids) keep a group's rows in one fold, so the choice is scored on unseen retailers.
    Returns the calibrator and a report: each method's cross-validated Brier score and the uncalibrated one.
    """
    y_true = np.asarray(y_true).astype(int)
    proba = np.asarray(proba, dtype=float)
    report: dict = {"brier_uncalibrated": brier_score(y_true, proba), "rows": len(y_true)}
    if len(np.unique(y_true)) < 2 or len(y_true) < 20:
        return Calibrator("identity", [], []), {**report, "method": "identity"}
    fold = _folds(len(y_true), groups, folds, seed)
    for name, fitter in FITTERS.items():
        predictions = np.empty(len(y_true))
        for k in range(folds):
            held, used = fold == k, fold != k
            if len(np.unique(y_true[used])) < 2 or not held.any():
                predictions[held] = proba[held]
                continue
            predictions[held] = fitter(y_true[used], proba[used]).transform(proba[held])
        report[f"brier_{name}"] = brier_score(y_true, predictions)
    best = min(FITTERS, key=lambda name: report[f"brier_{name}"])  # ties go to the simpler (earlier) one
    return FITTERS[best](y_true, proba), {**report, "method": best}


def _folds(n: int, groups, folds: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if groups is None:
        return rng.permutation(np.arange(n) % folds)
    unique, codes = np.unique(np.asarray(groups), return_inverse=True)
    return rng.permutation(np.arange(len(unique)) % folds)[codes]


def _logit(proba: np.ndarray) -> np.ndarray:
    proba = np.clip(proba, EPSILON, 1 - EPSILON)
    return np.log(proba / (1 - proba))
