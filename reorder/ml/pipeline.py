"""Train, save and load reorder models: the one entry point the Django side calls.

``train_reorder_model`` builds the stacked-cutoff dataset from the long order history, splits it by time, fits and
evaluates every model against the baselines, and returns the model to serve with its metrics. ``load_model``
turns saved bytes back into a :class:`~reorder.ml.prediction.ReorderModel`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reorder.ml.artifact import pack_artifact, unpack_artifact
from reorder.ml.baselines import OverdueBaseline
from reorder.ml.ensemble import ReorderEnsemble
from reorder.ml.features import features_from_valid_history
from reorder.ml.history import validate_history
from reorder.ml.labels import DEFAULT_HORIZONS
from reorder.ml.prediction import ReorderModel, prediction_frame
from reorder.ml.simple import KIND as STRONG_LOGIT_KIND
from reorder.ml.simple import StrongLogitReorderModel
from reorder.ml.training import TrainingResult, train_ensemble

Progress = Callable[[str, int, str], None]  # stage, percent, message


def _silent(stage: str, percent: int, message: str) -> None:
    return None


@dataclass
class BaselineReorderModel:
    """Serves before any training: "reorders when overdue by its own mean interval", quantity as of late."""

    horizons: tuple[int, ...] = DEFAULT_HORIZONS

    def predict(
        self,
        history: pd.DataFrame,
        as_of: pd.Timestamp | str,
        calls: pd.DataFrame | None = None,
        *,
        features: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Calls are accepted for a common signature; the rule reads only the order history's features."""
        if features is None:
            features = features_from_valid_history(validate_history(history), as_of)
        if features.empty:
            empty = {h: np.array([]) for h in self.horizons}
            return prediction_frame(features.assign(days_since_last_order=[]), as_of, empty, np.array([]))
        probabilities = {h: OverdueBaseline(horizon_days=h).predict_proba(features)[:, 1] for h in self.horizons}
        quantity = features["qty_mean_last3"].to_numpy(dtype=float)
        return prediction_frame(features, as_of, probabilities, quantity)

    def to_bytes(self) -> bytes:
        return pack_artifact({"kind": "baseline", "horizons": list(self.horizons)}, {})


def train_reorder_model(
    history: pd.DataFrame,
    *,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    params: dict[str, Any] | None = None,
    progress: Progress = _silent,
    calls: pd.DataFrame | None = None,
) -> TrainingResult:
    """Fit and evaluate on a temporal split of ``history``; the returned metrics go on the model version.

    ``calls`` (reps' recorded outcomes, see :mod:`reorder.ml.call_features`) become features when given."""
    return train_ensemble(
        validate_history(history), horizons=tuple(horizons), params=params or {}, progress=progress, calls=calls
    )


def load_model(data: bytes) -> ReorderModel:
    """The inverse of ``model.to_bytes()`` for every kind of reorder model."""
    manifest, _ = unpack_artifact(data)
    if manifest.get("kind") == "baseline":
        return BaselineReorderModel(horizons=tuple(manifest["horizons"]))
    if manifest.get("kind") == "ensemble":
        return ReorderEnsemble.from_bytes(data)
    if manifest.get("kind") == STRONG_LOGIT_KIND:
        return StrongLogitReorderModel.from_bytes(data)
    raise ValueError(f"unknown reorder model kind {manifest.get('kind')!r}")
