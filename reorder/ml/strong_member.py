"""The strong baseline's logistic regression as an ensemble member (``logreg_strong``), blended with the others.

A logistic regression on six robust features ranks differently from a tree model on a hundred correlated ones
fitted on few training cutoffs, so its probability may carry what the trees miss or overfit. As a member it is
fitted on the training rows only, like every member; its blend weight is fitted on validation like the others'
(:func:`reorder.ml.ensemble.fit_blend_weights`), so a weight of zero drops it again.

It predicts no quantity of its own: it returns the mean of the pair's last three orders, which the quantity blend
already has as a candidate, so :attr:`StrongLogitMember.predicts_quantity` keeps it out of that blend.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from reorder.ml.baselines import STRONG_COLUMNS, StrongLogit

KIND = "reorder_logreg_strong"
QUANTITY_COLUMN = "qty_mean_last3"


class StrongLogitMember:
    """One :class:`~reorder.ml.baselines.StrongLogit` per horizon over the ensemble's feature matrix."""

    predicts_quantity = False

    def __init__(self, horizons: Sequence[int], feature_names: Sequence[str], C: float = 1.0):
        self.horizons = tuple(int(h) for h in horizons)
        self.feature_names = list(feature_names)
        self.C = C

    def _frame(self, X: np.ndarray) -> pd.DataFrame:
        index = [self.feature_names.index(c) for c in STRONG_COLUMNS]
        return pd.DataFrame(np.asarray(X)[:, index].astype(float), columns=list(STRONG_COLUMNS))

    def fit(
        self, X_train: np.ndarray, Y_train: np.ndarray, q_train: np.ndarray | None = None, *_: Any, **__: Any
    ) -> StrongLogitMember:
        """Fit on the training rows alone; validation rows, when given, are ignored (nothing stops early)."""
        frame = self._frame(X_train)
        Y_train = np.asarray(Y_train).reshape(len(frame), -1)
        self.models_ = {h: StrongLogit(C=self.C).fit(frame, Y_train[:, j]) for j, h in enumerate(self.horizons)}
        return self

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities (n, len(horizons)) and the mean of the pair's last three orders (at least one unit)."""
        frame = self._frame(X)
        proba = np.column_stack([self.models_[h].predict_proba(frame)[:, 1] for h in self.horizons])
        quantity = np.asarray(X)[:, self.feature_names.index(QUANTITY_COLUMN)].astype(float)
        return proba, np.maximum(quantity, 1.0)

    def to_bytes(self) -> bytes:
        """Plain JSON: the fitted coefficients, never a pickle."""
        manifest = {
            "kind": KIND,
            "horizons": list(self.horizons),
            "feature_names": self.feature_names,
            "C": self.C,
            "models": {str(h): m.to_dict() for h, m in self.models_.items()},
        }
        return json.dumps(manifest).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> StrongLogitMember:
        manifest = json.loads(data)
        if manifest.get("kind") != KIND:
            raise ValueError(f"not a {KIND} artifact (kind={manifest.get('kind')!r})")
        model = cls(manifest["horizons"], manifest["feature_names"], C=manifest["C"])
        model.models_ = {int(h): StrongLogit.from_dict(m) for h, m in manifest["models"].items()}
        return model
