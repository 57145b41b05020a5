"""Recorded call outcomes as features: only calls before the cutoff, per shop and per product discussed."""

import pandas as pd
import pytest

from reorder.ml.call_features import CALL_FEATURES, NO_CALL_DAYS, call_features

PAIRS = pd.DataFrame({"retailer_id": [1, 1, 2], "product_id": [10, 11, 10]})


def test_shops_never_called_get_neutral_values():
    out = call_features(None, PAIRS, "2024-03-01")
    assert list(out.columns) == ["retailer_id", "product_id", *CALL_FEATURES]
    assert (out["days_since_last_call"] == NO_CALL_DAYS).all()
    assert (out.drop(columns=["retailer_id", "product_id", "days_since_last_call"]) == 0).all().all()


def test_calls_are_counted_per_shop_and_per_product_discussed_without_look_ahead():
    calls = pd.DataFrame(
        {
            "retailer_id": [1, 1, 1, 1, 2],
            "date": ["2024-01-10", "2024-02-20", "2024-02-20", "2024-03-01", "2024-02-25"],
            "outcome": ["ordered", "not_now", "not_now", "ordered", "unreachable"],
            "product_id": [None, 10, 11, 10, None],
        }
    )
    out = call_features(calls, PAIRS, "2024-03-01").set_index(["retailer_id", "product_id"])
    shop_1 = out.loc[(1, 10)]
    assert shop_1["calls_last_30d"] == 1  # the two product rows of 20 Feb are one call; 1 Mar is the cutoff day
    assert shop_1["calls_last_90d"] == 2
    assert shop_1["days_since_last_call"] == 10
    assert shop_1["last_call_not_now"] == 1 and shop_1["last_call_ordered"] == 0
    assert shop_1["product_not_now_last_30d"] == 1
    assert out.loc[(1, 11), "product_discussed_last_30d"] == 1
    assert out.loc[(2, 10), "last_call_unreachable"] == 1
    assert out.loc[(2, 10), "product_discussed_last_30d"] == 0


def test_unknown_outcomes_are_named():
    calls = pd.DataFrame({"retailer_id": [1], "date": ["2024-01-01"], "outcome": ["maybe"]})
    with pytest.raises(ValueError, match="unknown values: maybe"):
        call_features(calls, PAIRS, "2024-03-01")
