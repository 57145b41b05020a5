"""What every reorder model answers for a pair at an as-of date, and how it is put in words.

Serving code (the Django side) reads only this frame, whatever model produced it, so a trained ensemble and the
untrained baseline are interchangeable behind :class:`ReorderModel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from reorder.ml.features import KEYS

PREDICTION_COLUMNS = (
    *KEYS,
    # probability_{N} for each horizon N of the model comes right after the keys
    "expected_quantity",
    "expected_date",
    "last_order_date",
    "days_since_last_order",
    "interval_mean",
    "days_overdue",
    "unit_price",
    "reasons",
)


class ReorderModel(Protocol):
    """A model that serves reorder predictions."""

    horizons: tuple[int, ...]

    def predict(
        self,
        history: pd.DataFrame,
        as_of: pd.Timestamp | str,
        calls: pd.DataFrame | None = None,
        *,
        features: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """One row per pair with an order before ``as_of``: keys, ``probability_{N}`` per horizon and the
        :data:`PREDICTION_COLUMNS`. ``history`` is the long format of :mod:`reorder.ml.history`; ``calls`` the
        reps' recorded outcomes, which a model trained with them reads. ``features``, when given, are the pairs'
        features at ``as_of`` (:func:`~reorder.ml.features.features_from_valid_history`, computed by the feature
        store) and are used instead of computing them from ``history``."""
        ...

    def to_bytes(self) -> bytes: ...


def cycle_days(features: pd.DataFrame) -> np.ndarray:
    """The pair's own reorder cycle; pairs with one order borrow the retailer's rhythm, then their age."""
    interval = features["interval_mean"].to_numpy(dtype=float)
    interval = np.where(interval > 0, interval, features["retailer_interval_mean"].to_numpy(dtype=float))
    interval = np.where(interval > 0, interval, np.maximum(features["pair_age_days"].to_numpy(dtype=float), 1))
    return np.maximum(interval, 1.0)


def expected_days_until_order(features: pd.DataFrame, probabilities: dict[int, np.ndarray]) -> np.ndarray:
    """Days from the as-of date to the expected next order.

    Where the predicted probabilities cross one half within a horizon, the day is interpolated between the
    horizons (a piecewise-linear cumulative distribution starting at 0 on day 0); otherwise the pair's own cycle
    says when it falls due, and never earlier than the longest horizon.
    """
    horizons = sorted(probabilities)
    n = len(features)
    days = np.full(n, np.nan)
    previous_day, previous_p = 0.0, np.zeros(n)
    for horizon in horizons:
        p = np.maximum(np.asarray(probabilities[horizon], dtype=float), previous_p)  # a CDF never decreases
        crossing = np.isnan(days) & (p >= 0.5)
        fraction = (0.5 - previous_p) / np.where(p - previous_p > 0, p - previous_p, 1.0)
        days[crossing] = previous_day + np.clip(fraction[crossing], 0, 1) * (horizon - previous_day)
        previous_day, previous_p = float(horizon), p
    due = cycle_days(features) - features["days_since_last_order"].to_numpy(dtype=float)
    days = np.where(np.isnan(days), np.maximum(due, horizons[-1]), days)
    return np.round(days)


def needed_in_days(days_ahead: np.ndarray, days_overdue: np.ndarray | pd.Series) -> np.ndarray:
    """Days from the as-of date to the day a pair is needed: for a pair overdue by a day or more (as the pages
    say "N d overdue"), the day it fell due, N days back; otherwise the expected next order. One computation,
    so an overdue product is never shown as needed by a later day."""
    overdue = np.asarray(days_overdue, dtype=float)
    # Rounded half up, as the pages print "N d overdue" (Django's floatformat).
    shown = np.floor(overdue + 0.5)
    return np.where(overdue >= 1, -shown, np.asarray(days_ahead, dtype=float))


def pair_reasons(features: pd.DataFrame, ranked_drivers: Sequence[Sequence[str]] | None = None) -> list[list[str]]:
    """Why each pair is predicted to reorder, in plain words, most important first.

    ``ranked_drivers`` gives, per pair, the feature names that pushed its probability up the most (e.g. from
    LightGBM's contributions); without it the pair's cycle and recency explain it.
    """
    texts = []
    columns = {name: features[name].to_numpy() for name in (*_DESCRIBED, "expected_date") if name in features.columns}
    for i in range(len(features)):
        row = {name: values[i] for name, values in columns.items()}
        order = list(ranked_drivers[i]) if ranked_drivers is not None else ["interval_mean", "overdue_days"]
        sentences: list[str] = []
        for name in [*order, "interval_mean", "days_since_last_order"]:
            sentence = _describe(name, row)
            if sentence and sentence not in sentences:
                sentences.append(sentence)
            if len(sentences) == 3:
                break
        texts.append(sentences)
    return texts


_DESCRIBED = (
    "interval_mean",
    "days_since_last_order",
    "overdue_days",
    "n_orders",
    "orders_last_90d",
    "qty_mean_last3",
    "qty_slope_last5_rel",
    "share_of_wallet",
    "product_reorder_rate",
    "product_popularity",
    "retailer_days_since_last_order",
    "discount_sensitivity",
    "orders_momentum_30d",
)
# Features whose contribution means "because of the pair's cycle and recency" share one sentence.
_CYCLE = {"interval_mean", "interval_median", "interval_std", "interval_cv", "days_since_last_order", "overdue_ratio"}


def _days(value: float) -> str:
    rounded = int(np.rint(value))
    return f"{rounded} day" if rounded == 1 else f"{rounded} days"


def _describe(name: str, row: dict) -> str | None:
    if name in _CYCLE:
        name = "interval_mean"
    value = row.get(name)
    if value is None:
        return None
    if name == "interval_mean":
        since = int(row.get("days_since_last_order", 0))
        if value > 0:
            return f"orders every {_days(value)}, last order {_days(since)} ago"
        return f"ordered once, {_days(since)} ago"
    if name in ("overdue_days", "overdue_z"):
        overdue = row.get("overdue_days", 0)
        if row.get("interval_mean", 0) > 0 and overdue >= 1:
            return f"{_days(overdue)} overdue against its own cycle"
        if row.get("interval_mean", 0) > 0 and overdue > -7:
            # The day the card shows as "needed by", not a count of days from another origin that reads a day off.
            expected = row.get("expected_date")
            if expected is not None and round(overdue) < 0:
                return f"due by {pd.Timestamp(expected):%-d %b %Y}"
            return f"due in {_days(-overdue)}" if round(overdue) < 0 else "due now"
        return None
    if name == "n_orders":
        return "ordered once before" if round(value) == 1 else f"ordered {value:.0f} times before"
    if name == "orders_last_90d" and value > 0:
        return f"{value:.0f} orders in the last 90 days"
    if name == "qty_mean_last3" and value > 0:
        return f"usually orders about {value:.0f} units"
    if name == "qty_slope_last5_rel" and abs(value) >= 0.1:
        return f"order sizes {'growing' if value > 0 else 'shrinking'} ({value:+.0%} per order)"
    if name == "share_of_wallet" and value >= 0.05:
        return f"{value:.0%} of the shop's spend"
    if name == "product_reorder_rate" and value > 0:
        return f"{value:.0%} of the product's buyers reorder it"
    if name == "product_popularity" and value > 0:
        return "popular with many shops"
    if name == "retailer_days_since_last_order":
        return f"the shop last ordered anything {_days(value)} ago"
    if name == "discount_sensitivity" and value > 0.1:
        return "buys more when discounted"
    if name == "orders_momentum_30d" and value > 0:
        return "ordering more often lately"
    return None


def prediction_frame(
    features: pd.DataFrame,
    as_of: pd.Timestamp | str,
    probabilities: dict[int, np.ndarray],
    expected_quantity: np.ndarray,
    ranked_drivers: Sequence[Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Assemble the serving frame from a feature frame and a model's outputs."""
    as_of = pd.Timestamp(as_of).normalize()
    # Built from arrays in one go: a column set on a frame costs pandas' bookkeeping, a copy of the features more.
    out: dict[str, object] = {key: features[key].to_numpy() for key in KEYS}
    for horizon in sorted(probabilities):
        out[f"probability_{horizon}"] = np.clip(np.asarray(probabilities[horizon], dtype=float), 0.0, 1.0)
    since = features["days_since_last_order"].to_numpy(dtype=float)
    interval = features["interval_mean"].to_numpy(dtype=float)
    days_overdue = np.where(interval > 0, since - interval, 0.0).round(1)
    days_ahead = expected_days_until_order(features, probabilities)
    expected_date = as_of + pd.to_timedelta(needed_in_days(days_ahead, days_overdue), unit="D")
    out["expected_quantity"] = np.maximum(np.asarray(expected_quantity, dtype=float), 1.0)
    out["expected_date"] = expected_date
    out["last_order_date"] = as_of - pd.to_timedelta(since, unit="D")
    out["days_since_last_order"] = since.astype(int)
    out["interval_mean"] = interval
    out["days_overdue"] = days_overdue
    out["unit_price"] = features["last_unit_price"].to_numpy(dtype=float)
    described = pd.DataFrame(
        {name: features[name].to_numpy() for name in _DESCRIBED if name in features.columns}
        | {"expected_date": expected_date.to_numpy()}
    )
    out["reasons"] = pair_reasons(described, ranked_drivers)
    return pd.DataFrame(out)
