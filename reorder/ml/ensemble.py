"""The served reorder model: LightGBM and the Keras nets blended per horizon, then calibrated.

Blend weights are non-negative, sum to one and minimise log loss on one half of the validation retailers; the
calibrator is chosen and fitted on the other half, so neither step grades its own homework. The quantity is a
weighted mean of the members' log quantities and of the mean of the pair's last three orders
(:data:`RECENT_QUANTITY`), with weights minimising validation MAE of log quantity: where the obvious rule is better
than the regressors it takes all the weight.

Members are named as in :mod:`reorder.ml.members`, so a new algorithm is one more entry there. TensorFlow is never
imported here: the nets module loads it inside its own functions, only when a net member is used.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from reorder.ml.artifact import pack_artifact, unpack_artifact
from reorder.ml.calibration import Calibrator
from reorder.ml.call_features import uses_call_features, with_call_features
from reorder.ml.decay_features import uses_decay_features
from reorder.ml.features import KEYS, features_from_valid_history
from reorder.ml.history import validate_history
from reorder.ml.horizon_features import uses_horizon_features
from reorder.ml.members import SEQUENCE_MEMBERS, member_class, member_input
from reorder.ml.prediction import prediction_frame
from reorder.ml.rhythm_features import uses_rhythm_features

EPSILON = 1e-6
RECENT_QUANTITY = "recent_mean_last3"  # the quantity candidate that is no member: the mean of the last three orders


def fit_blend_weights(y_true: np.ndarray, member_proba: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Non-negative weights summing to one that minimise the log loss of ``member_proba @ weights``.

    Optimised over a softmax parametrisation (unconstrained, so plain L-BFGS works), started from equal weights.
    """
    y_true = np.asarray(y_true, dtype=float)
    member_proba = np.clip(np.asarray(member_proba, dtype=float), EPSILON, 1 - EPSILON)
    n_members = member_proba.shape[1]
    if n_members == 1 or len(np.unique(y_true)) < 2:
        return np.full(n_members, 1.0 / n_members)

    def log_loss(logits: np.ndarray) -> float:
        p = np.clip(member_proba @ _softmax(logits), EPSILON, 1 - EPSILON)
        return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))

    result = minimize(log_loss, np.zeros(n_members), method="L-BFGS-B")
    weights = _softmax(result.x)
    weights[weights < 1e-4] = 0.0  # a member that adds nothing is dropped from the blend, not kept at 1e-9
    return weights / weights.sum()


def fit_quantity_weights(log_q_true: np.ndarray, member_log_q: np.ndarray, *, step: float = 0.05) -> np.ndarray:
    """Simplex weights (a grid of ``step``) minimising the MAE of log quantity: robust to the odd bulk order."""
    n_members = member_log_q.shape[1]
    if n_members == 1 or len(log_q_true) == 0:
        return np.full(n_members, 1.0 / n_members)
    ticks = round(1 / step)
    best, best_error = np.full(n_members, 1.0 / n_members), np.inf
    for combo in itertools.product(range(ticks + 1), repeat=n_members - 1):
        if sum(combo) > ticks:
            continue
        weights = np.array([*combo, ticks - sum(combo)], dtype=float) / ticks
        error = float(np.mean(np.abs(member_log_q @ weights - log_q_true)))
        if error < best_error - 1e-12:
            best, best_error = weights, error
    return best


@dataclass
class ReorderEnsemble:
    """Members fitted elsewhere (:mod:`reorder.ml.training`), with their blend weights and calibrators.

    ``weights[h][name]`` blends the probabilities of horizon ``h``; ``calibrators[h]`` maps the blend to honest
    probabilities; ``quantity_weights[name]`` blends log quantities. Implements
    :class:`reorder.ml.prediction.ReorderModel`.
    """

    horizons: tuple[int, ...]
    feature_names: list[str]
    members: dict[str, Any]
    weights: dict[int, dict[str, float]]
    calibrators: dict[int, Calibrator] = field(default_factory=dict)
    quantity_weights: dict[str, float] = field(default_factory=dict)
    primary_horizon: int | None = None
    sequence_length: int = 10
    info: dict[str, Any] = field(default_factory=dict)

    # -- combining member outputs (also used by training on stored validation and test outputs) --
    def blend(
        self, outputs: Mapping[str, tuple[np.ndarray, np.ndarray]], recent_quantity: np.ndarray | None = None
    ) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """Uncalibrated blended probabilities per horizon and the blended quantity, from each member's
        ``(proba (n, H), quantity (n,))`` and the pairs' ``recent_quantity`` (mean of the last three orders)."""
        probabilities = {}
        for column, horizon in enumerate(self.horizons):
            weights = self.weights[horizon]
            probabilities[horizon] = sum(weights[name] * outputs[name][0][:, column] for name in weights)
        quantity_weights = self.quantity_weights or {name: 1.0 / len(outputs) for name in outputs}
        quantities = {name: output[1] for name, output in outputs.items()}
        if RECENT_QUANTITY in quantity_weights:
            if recent_quantity is None:
                raise ValueError("this ensemble's quantity blends the recent mean, which was not given")
            quantities[RECENT_QUANTITY] = recent_quantity
        log_quantity = sum(w * np.log1p(np.maximum(quantities[name], 0.0)) for name, w in quantity_weights.items())
        return probabilities, np.maximum(np.expm1(log_quantity), 1.0)

    def calibrate(self, probabilities: Mapping[int, np.ndarray]) -> dict[int, np.ndarray]:
        """Calibrated probabilities, made non-decreasing across horizons (ordering within 7 days implies 14)."""
        out, floor = {}, None
        for horizon in sorted(probabilities):
            calibrator = self.calibrators.get(horizon)
            p = calibrator.transform(probabilities[horizon]) if calibrator else np.asarray(probabilities[horizon])
            floor = p if floor is None else np.maximum(p, floor)
            out[horizon] = floor
        return out

    def member_outputs(self, X: np.ndarray, sequences: np.ndarray | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {name: member.predict(member_input(name, X, sequences)) for name, member in self.members.items()}

    # -- ReorderModel --
    def predict(
        self,
        history: pd.DataFrame,
        as_of: pd.Timestamp | str,
        calls: pd.DataFrame | None = None,
        *,
        features: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """The serving frame for every pair with an order before ``as_of`` (or of ``features``, when given), with
        reasons from LightGBM's per-pair contributions when it is a member."""
        # The feature store's rows come validated; the history is read again only where it is needed.
        valid = validate_history(history) if features is None or SEQUENCE_MEMBERS & set(self.members) else None
        if features is None:
            features = features_from_valid_history(
                valid,
                as_of,
                rhythm=uses_rhythm_features(self.feature_names),
                horizon=uses_horizon_features(self.feature_names),
                decay=uses_decay_features(self.feature_names),
            )
        if features.empty:
            return prediction_frame(features.assign(days_since_last_order=[]), as_of, {}, np.array([]))
        if uses_call_features(self.feature_names):
            features = with_call_features(features, calls, as_of)
        X = features.reindex(columns=self.feature_names, fill_value=0.0).to_numpy(dtype=np.float32)
        sequences = None
        if SEQUENCE_MEMBERS & set(self.members):
            from reorder.ml.sequences import order_sequences

            sequences = order_sequences(valid, as_of, features[KEYS], length=self.sequence_length)
        recent = features["qty_mean_last3"].to_numpy(dtype=float)
        raw, quantity = self.blend(self.member_outputs(X, sequences), recent)
        probabilities = self.calibrate(raw)
        drivers = None
        if "lightgbm" in self.members:
            horizon = self.primary_horizon if self.primary_horizon in self.horizons else self.horizons[0]
            drivers = self.members["lightgbm"].ranked_drivers(X, horizon, self.feature_names)
        return prediction_frame(features, as_of, probabilities, quantity, drivers)

    def to_bytes(self) -> bytes:
        """An artifact of kind "ensemble": a manifest with weights, calibrators (plain arrays) and feature names,
        and each member's own bytes (LightGBM model text, Keras files), never a pickle."""
        manifest = {
            "kind": "ensemble",
            "horizons": [int(h) for h in self.horizons],
            "feature_names": list(self.feature_names),
            "members": list(self.members),
            "weights": {str(h): {n: float(w) for n, w in ws.items()} for h, ws in self.weights.items()},
            "calibrators": {str(h): c.to_dict() for h, c in self.calibrators.items()},
            "quantity_weights": {n: float(w) for n, w in self.quantity_weights.items()},
            "primary_horizon": self.primary_horizon,
            "sequence_length": self.sequence_length,
            "info": json.loads(json.dumps(self.info, default=str)),
        }
        files = {f"members/{name}.bin": member.to_bytes() for name, member in self.members.items()}
        return pack_artifact(manifest, files)

    @classmethod
    def from_bytes(cls, data: bytes) -> ReorderEnsemble:
        manifest, files = unpack_artifact(data)
        if manifest.get("kind") != "ensemble":
            raise ValueError(f"not an ensemble artifact (kind={manifest.get('kind')!r})")
        members = {name: member_class(name).from_bytes(files[f"members/{name}.bin"]) for name in manifest["members"]}
        return cls(
            horizons=tuple(manifest["horizons"]),
            feature_names=list(manifest["feature_names"]),
            members=members,
            weights={int(h): ws for h, ws in manifest["weights"].items()},
            calibrators={int(h): Calibrator.from_dict(c) for h, c in manifest["calibrators"].items()},
            quantity_weights=manifest["quantity_weights"],
            primary_horizon=manifest["primary_horizon"],
            sequence_length=manifest["sequence_length"],
            info=manifest.get("info", {}),
        )


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()
