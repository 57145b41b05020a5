"""The simpler model that serves when the ensemble does not beat it on validation: the strong baseline's logistic
regression per horizon, and the mean of the pair's last three orders for the quantity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reorder.ml.artifact import pack_artifact, unpack_artifact
from reorder.ml.baselines import StrongLogit
from reorder.ml.features import MarketplaceContext, features_from_valid_history
from reorder.ml.history import validate_history
from reorder.ml.prediction import prediction_frame

KIND = "strong_logit"


@dataclass
class StrongLogitReorderModel:
    """One fitted :class:`~reorder.ml.baselines.StrongLogit` per horizon; implements ``ReorderModel``."""

    horizons: tuple[int, ...]
    models: dict[int, StrongLogit]
    info: dict[str, Any] = field(default_factory=dict)

    takes_context = True

    def predict(
        self,
        history: pd.DataFrame,
        as_of: pd.Timestamp | str,
        calls: pd.DataFrame | None = None,
        context: MarketplaceContext | None = None,
    ) -> pd.DataFrame:
        """Calls are accepted for a common signature; the regression reads only the order history."""
        features = features_from_valid_history(validate_history(history), as_of, context=context)
        if features.empty:
            return prediction_frame(features.assign(days_since_last_order=[]), as_of, {}, np.array([]))
        probabilities, floor = {}, None
        for horizon in sorted(self.horizons):
            p = self.models[horizon].predict_proba(features)[:, 1]
            floor = p if floor is None else np.maximum(p, floor)  # ordering within 7 days implies within 14
            probabilities[horizon] = floor
        return prediction_frame(features, as_of, probabilities, features["qty_mean_last3"].to_numpy(dtype=float))

    def to_bytes(self) -> bytes:
        manifest = {
            "kind": KIND,
            "horizons": [int(h) for h in self.horizons],
            "models": {str(h): m.to_dict() for h, m in self.models.items()},
            "info": self.info,
        }
        return pack_artifact(manifest, {})

    @classmethod
    def from_bytes(cls, data: bytes) -> StrongLogitReorderModel:
        manifest, _ = unpack_artifact(data)
        if manifest.get("kind") != KIND:
            raise ValueError(f"not a {KIND} artifact (kind={manifest.get('kind')!r})")
        models = {int(h): StrongLogit.from_dict(m) for h, m in manifest["models"].items()}
        return cls(horizons=tuple(manifest["horizons"]), models=models, info=manifest.get("info", {}))
