"""Reference models a learned one must beat, with scikit-learn's fit/predict_proba habits.

:class:`StrongLogit` is what a careful analyst builds in an afternoon; the ensemble serves only where it beats it
on validation (see :mod:`reorder.ml.training.steps`), otherwise it serves itself (:mod:`reorder.ml.simple`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
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
SHOP_RHYTHM_FLOOR_DAYS = 7.0

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
    """Reorders within the horizon when the pair's next order falls due in it, unless the shop has lapsed.

    A pair's gap between orders is taken as gamma-distributed around its own mean interval (its own spread where
    it has one; pairs with a single order borrow their retailer's mean interval). Given ``t`` quiet days, the
    chance of an order in the next ``h`` is ``(F(t + h) - F(t)) / S(t)`` for a pair still buying. A buyer may also
    have stopped: with a prior ``active_prior`` that it still buys, Bayes' rule gives the chance it is still active
    after ``t`` quiet days as ``a S(t) / (a S(t) + 1 - a)``. The same holds for the shop against its own rhythm
    between any two order days. The product of the two is the probability: it rises as a pair falls due and falls
    again once the pair, or the shop, is far past its rhythm, so old volumes no longer look like a sure order.
    ``predict`` thresholds it at 0.5.
    """

    def __init__(self, horizon_days: int = 14, active_prior: float = 0.9, default_cv: float = 0.5):
        self.horizon_days = horizon_days
        self.active_prior = active_prior
        self.default_cv = default_cv

    def fit(self, X: pd.DataFrame, y=None) -> OverdueBaseline:
        self.base_rate_ = float(np.mean(y)) if y is not None else float("nan")
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        interval = X["interval_mean"].where(X["interval_mean"] > 0, X["retailer_interval_mean"])
        interval = interval.where(interval > 0, X["pair_age_days"].clip(lower=1)).to_numpy(dtype=float)
        cv = X["interval_cv"].to_numpy(dtype=float) if "interval_cv" in X.columns else np.full(len(X), np.nan)
        since = X["days_since_last_order"].to_numpy(dtype=float)
        p = self._pair_chance(since, np.maximum(interval, 1.0), cv)
        if {"retailer_days_since_last_order", "retailer_interval_mean"} <= set(X.columns):
            # A shop's order days are less regular than one product's cycle (memoryless, cv 1), and a shop
            # buying daily is not lapsed after a quiet weekend: its rhythm counts as at least a week.
            shop_interval = np.maximum(X["retailer_interval_mean"].to_numpy(dtype=float), SHOP_RHYTHM_FLOOR_DAYS)
            shop_since = X["retailer_days_since_last_order"].to_numpy(dtype=float)
            p = p * self._still_active(shop_since, shop_interval, np.ones(len(X)))
        p = np.clip(np.nan_to_num(p, nan=0.0), 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def _gap(self, interval: np.ndarray, cv: np.ndarray):
        # Regular buyers get a narrow gap distribution, erratic ones a wide one; bounded so a pair with two
        # orders (cv 0) is not read as clockwork, nor a noisy one as memoryless.
        cv = np.clip(np.where(np.isfinite(cv) & (cv > 0), cv, self.default_cv), 0.3, 1.0)
        shape = 1.0 / cv**2
        return shape, interval / shape

    def _pair_chance(self, since: np.ndarray, interval: np.ndarray, cv: np.ndarray) -> np.ndarray:
        shape, scale = self._gap(interval, cv)
        survival = stats.gamma.sf(since, shape, scale=scale)
        window = survival - stats.gamma.sf(since + self.horizon_days, shape, scale=scale)
        a = self.active_prior
        return a * window / (a * survival + 1.0 - a)

    def _still_active(self, since: np.ndarray, interval: np.ndarray, cv: np.ndarray) -> np.ndarray:
        """The chance a buyer quiet ``since`` days is still buying at its rhythm ``interval`` (1 where unknown)."""
        known = np.isfinite(interval) & (interval > 0) & np.isfinite(since)
        shape, scale = self._gap(np.where(known, interval, 1.0), cv)
        survival = stats.gamma.sf(np.where(known, since, 0.0), shape, scale=scale)
        a = self.active_prior
        return np.where(known, a * survival / (a * survival + 1.0 - a) / a, 1.0).clip(0.0, 1.0)


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

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The log-odds of a reorder (what a model stacked on this one reads)."""
        return self.model_.decision_function(self._design(X))

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
