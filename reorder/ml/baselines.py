"""Two reference models a learned one must beat, with scikit-learn's fit/predict_proba habits."""

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
