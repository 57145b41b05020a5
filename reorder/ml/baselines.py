"""Reference models a learned one must beat, with scikit-learn's fit/predict_proba habits.

:class:`StrongLogit` is what a careful analyst builds in an afternoon; the ensemble serves only where it beats it
on validation (see :mod:`reorder.ml.training.steps`), otherwise it serves itself (:mod:`reorder.ml.simple`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

RECENCY_FREQUENCY_COLUMNS = (
    "days_since_last_order",
    "n_orders",
    "orders_last_30d",
    "orders_last_90d",
    "interval_mean",
    "overdue_ratio",
)

# Six features any analyst would compute: the pair's recency, count and rhythm, the shop's recency and number of
# baskets (order days), and how many shops buy the product.
STRONG_COLUMNS = (
    "days_since_last_order",
    "n_orders",
    "interval_mean",
    "retailer_days_since_last_order",
    "retailer_n_order_days",
    "product_n_retailers",
)


class OverdueBaseline:
    """Reorders within the horizon when, by then, the pair is due against its own mean interval.

    The score is ``(days_since_last_order + horizon_days) / interval_mean`` squashed by a logistic curve centred on
    1 (due exactly at the end of the horizon); ``predict`` thresholds it at 0.5. Pairs with a single order borrow
    their retailer's mean interval between any two orders.
    """

    def __init__(self, horizon_days: int = 14, steepness: float = 4.0):
        self.horizon_days = horizon_days
        self.steepness = steepness

    def fit(self, X: pd.DataFrame, y=None) -> OverdueBaseline:
        self.base_rate_ = float(np.mean(y)) if y is not None else float("nan")
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        interval = X["interval_mean"].where(X["interval_mean"] > 0, X["retailer_interval_mean"])
        interval = interval.where(interval > 0, X["pair_age_days"].clip(lower=1)).to_numpy(dtype=float)
        due = (X["days_since_last_order"].to_numpy(dtype=float) + self.horizon_days) / np.maximum(interval, 1.0)
        p = 1.0 / (1.0 + np.exp(-self.steepness * np.log(np.maximum(due, 1e-6))))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class RecencyFrequencyLogit:
    """Logistic regression on log-scaled recency and frequency features only."""

    def __init__(self, columns: tuple[str, ...] = RECENCY_FREQUENCY_COLUMNS, C: float = 1.0):
        self.columns = columns
        self.C = C

    def _design(self, X: pd.DataFrame) -> np.ndarray:
        return np.log1p(X[list(self.columns)].to_numpy(dtype=float).clip(min=0))

    def fit(self, X: pd.DataFrame, y) -> RecencyFrequencyLogit:
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=1000))
        self.model_.fit(self._design(X), np.asarray(y).astype(int))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(self._design(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


class StrongLogit(RecencyFrequencyLogit):
    """Logistic regression on :data:`STRONG_COLUMNS`, log-scaled and standardised; storable as plain numbers."""

    def __init__(self, columns: tuple[str, ...] = STRONG_COLUMNS, C: float = 1.0):
        super().__init__(columns=columns, C=C)

    def to_dict(self) -> dict:
        scaler, logit = self.model_[0], self.model_[-1]
        return {
            "columns": list(self.columns),
            "mean": scaler.mean_.tolist(),
            "scale": scaler.scale_.tolist(),
            "coef": logit.coef_[0].tolist(),
            "intercept": float(logit.intercept_[0]),
        }

    @classmethod
    def from_dict(cls, data: dict) -> StrongLogit:
        """A fitted model back from :meth:`to_dict`, without refitting (scikit-learn's attributes set directly)."""
        model = cls(columns=tuple(data["columns"]))
        scaler = StandardScaler()
        scaler.mean_, scaler.scale_ = np.array(data["mean"]), np.array(data["scale"])
        scaler.var_, scaler.n_features_in_ = scaler.scale_**2, len(data["columns"])
        logit = LogisticRegression()
        logit.coef_, logit.intercept_ = np.array([data["coef"]]), np.array([data["intercept"]])
        logit.classes_, logit.n_features_in_ = np.array([0, 1]), len(data["columns"])
        model.model_ = make_pipeline(scaler, logit)
        return model
