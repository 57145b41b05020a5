"""What sales reps' calls add to a pair's features: recorded outcomes reused as training signal.

A shop that said "not now" last week is less likely to order this week than its cycle suggests; one that could not
be reached tells nothing either way. The calls frame has one row per call and product discussed: ``retailer_id``,
``date``, ``outcome`` (``ordered``, ``not_now``, ``unreachable`` or ``note``) and optionally ``product_id`` (empty
when the call named no product). Like every feature, only calls strictly before the cutoff are read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reorder.ml.features import KEYS

CALL_OUTCOMES = ("ordered", "not_now", "unreachable", "note")
CALL_FEATURES = (
    "calls_last_30d",
    "calls_last_90d",
    "days_since_last_call",
    "last_call_ordered",
    "last_call_not_now",
    "last_call_unreachable",
    "not_now_last_30d",
    "product_discussed_last_30d",
    "product_not_now_last_30d",
)
NO_CALL_DAYS = 365.0  # "days since the last call" for a shop never called: far, but finite for the models


def validate_calls(calls: pd.DataFrame) -> pd.DataFrame:
    """A normalised copy; raises ``ValueError`` naming the column at fault."""
    missing = [column for column in ("retailer_id", "date", "outcome") if column not in calls.columns]
    if missing:
        raise ValueError(f"calls lack required columns: {', '.join(missing)}")
    frame = calls.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.floor("D")
    unknown = sorted(set(frame["outcome"].dropna()) - set(CALL_OUTCOMES))
    if unknown:
        raise ValueError(f"column 'outcome' has unknown values: {', '.join(map(str, unknown))}")
    if "product_id" not in frame.columns:
        frame["product_id"] = np.nan
    return frame


def uses_call_features(feature_names) -> bool:
    """Whether a model was trained with call features (and so must be given them when it predicts)."""
    return any(name in CALL_FEATURES for name in feature_names)


def with_call_features(features: pd.DataFrame, calls: pd.DataFrame | None, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """``features`` with the :data:`CALL_FEATURES` of its pairs appended (neutral values for shops never called)."""
    extra = call_features(calls, features, cutoff).drop(columns=KEYS)
    return pd.concat([features.reset_index(drop=True), extra], axis=1)


def call_features(calls: pd.DataFrame | None, pairs: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """One row per row of ``pairs`` (``retailer_id``, ``product_id``) with :data:`CALL_FEATURES`, in that order."""
    cutoff = pd.Timestamp(cutoff).normalize()
    out = pairs[KEYS].reset_index(drop=True).copy()
    for column in CALL_FEATURES:
        out[column] = 0.0
    out["days_since_last_call"] = NO_CALL_DAYS
    if calls is None or calls.empty or pairs.empty:
        return out
    past = validate_calls(calls)
    past = past[past["date"] < cutoff].assign(days_ago=lambda f: (cutoff - f["date"]).dt.days.astype(float))
    if past.empty:
        return out

    # A call with several products has several rows; shop-level figures count each call (shop, day, outcome) once.
    shop_calls = past.drop_duplicates(["retailer_id", "date", "outcome"])
    flags = shop_calls.assign(
        calls_last_30d=(shop_calls["days_ago"] <= 30).astype(float),
        calls_last_90d=(shop_calls["days_ago"] <= 90).astype(float),
        not_now_last_30d=((shop_calls["outcome"] == "not_now") & (shop_calls["days_ago"] <= 30)).astype(float),
    ).groupby("retailer_id")
    shop = flags[["calls_last_30d", "calls_last_90d", "not_now_last_30d"]].sum()
    shop["days_since_last_call"] = flags["days_ago"].min()
    last = shop_calls.sort_values("days_ago").drop_duplicates("retailer_id").set_index("retailer_id")["outcome"]
    for outcome in ("ordered", "not_now", "unreachable"):
        shop[f"last_call_{outcome}"] = (last == outcome).astype(float)

    recent_products = past[past["product_id"].notna() & (past["days_ago"] <= 30)]
    recent_products = recent_products.astype({"product_id": pairs["product_id"].dtype})
    product = recent_products.groupby(KEYS).agg(
        product_discussed_last_30d=("outcome", "size"),
        product_not_now_last_30d=("outcome", lambda o: float((o == "not_now").sum())),
    )

    merged = out[KEYS].merge(shop, left_on="retailer_id", right_index=True, how="left")
    merged = merged.merge(product.reset_index(), on=KEYS, how="left")
    for column in CALL_FEATURES:
        default = NO_CALL_DAYS if column == "days_since_last_call" else 0.0
        out[column] = merged[column].fillna(default).astype(float).to_numpy()
    return out
