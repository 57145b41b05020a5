"""Repeat and rhythm features: the interval hazard counted by binary search equals a plain count, and a model
trained with the features computes them again when it serves."""

import numpy as np
import pandas as pd

from reorder.ml.features import features_from_valid_history, pair_features
from reorder.ml.history import validate_history
from reorder.ml.pipeline import load_model, train_reorder_model
from reorder.ml.rhythm_features import SHRINK, _hazards
from tests.reorder.synthetic import periodic_history


def test_hazard_is_the_shrunk_share_of_intervals_ending_in_the_window():
    rng = np.random.default_rng(0)
    groups = pd.Series(rng.choice(["a", "b", "c"], size=300))
    values = pd.Series(rng.integers(1, 60, size=300).astype(float))
    queries, since = pd.Series(["a", "b", "c", "unseen"]), np.array([0.0, 10.0, 45.0, 5.0])
    got = _hazards(groups, values, queries, since, windows=(14,))[14]
    pooled = values.to_numpy()
    for i, (group, s) in enumerate(zip(queries, since, strict=True)):
        mine = values[groups == group].to_numpy()
        prior = ((pooled > s) & (pooled <= s + 14)).sum() / (pooled > s).sum()
        expected = (((mine > s) & (mine <= s + 14)).sum() + SHRINK * prior) / ((mine > s).sum() + SHRINK)
        assert abs(got[i] - expected) < 1e-12


def test_rhythm_features_are_off_by_default_and_bounded_when_asked():
    history = periodic_history(n_retailers=15, n_products=10, days=200, seed=4)
    assert "repeat_share_decay" not in pair_features(history, "2023-06-01").columns
    features = features_from_valid_history(validate_history(history), "2023-06-01", rhythm=True)
    for column in ("repeat_share_decay", "product_interval_hazard_14d", "retailer_order_hazard_7d", "two_stage_30d"):
        assert features[column].between(0, 1).all(), column


def test_a_model_trained_with_rhythm_features_serves_with_them():
    history = periodic_history(n_retailers=20, n_products=12, days=240, seed=5, churn_share=0.3)
    params = {"members": ["lightgbm"], "rhythm_features": True, "refit": False, "n_cutoffs": 8, "step_days": 14}
    result = train_reorder_model(history, params=params)
    if result.metrics["served_model"] == "retailiq_ensemble":
        assert "two_stage_14d" in result.model.feature_names
    as_of = pd.Timestamp("2023-08-20")
    frame = result.model.predict(history, as_of)
    pd.testing.assert_frame_equal(load_model(result.model.to_bytes()).predict(history, as_of), frame)
