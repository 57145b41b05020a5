"""The serving frame, expected dates and reasons in words, and the baseline model behind them."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.features import pair_features
from reorder.ml.pipeline import BaselineReorderModel, load_model
from reorder.ml.prediction import expected_days_until_order, pair_reasons
from tests.reorder.synthetic import periodic_history


def _features(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "interval_mean": [10.0] * n,
        "retailer_interval_mean": [5.0] * n,
        "pair_age_days": [100.0] * n,
        "days_since_last_order": [3.0] * n,
    }
    return pd.DataFrame({**base, **columns})


def test_expected_day_is_interpolated_where_the_probabilities_cross_one_half():
    features = _features(days_since_last_order=[3.0, 3.0])
    probabilities = {7: np.array([0.25, 0.5]), 14: np.array([0.75, 0.9]), 30: np.array([0.9, 0.95])}
    days = expected_days_until_order(features, probabilities)
    # first pair: 0.25 at day 7, 0.75 at day 14 -> one half at day 10.5; second crosses exactly at day 7
    assert days.tolist() == [10.0, 7.0]  # 10.5 rounds half to even


def test_expected_day_falls_back_to_the_pairs_own_cycle_but_never_inside_the_horizons():
    features = _features(interval_mean=[60.0, 0.0], days_since_last_order=[10.0, 3.0], retailer_interval_mean=[5, 80])
    probabilities = {7: np.array([0.1, 0.1]), 14: np.array([0.2, 0.2]), 30: np.array([0.3, 0.3])}
    days = expected_days_until_order(features, probabilities)
    assert days[0] == 50  # due 60 - 10 days from now
    assert days[1] == 77  # a single order borrows the retailer's 80-day rhythm


def test_a_decreasing_probability_across_horizons_is_treated_as_a_distribution():
    features = _features(days_since_last_order=[1.0])
    days = expected_days_until_order(features, {7: np.array([0.6]), 14: np.array([0.4])})
    assert days[0] <= 7


def test_reasons_name_the_cycle_and_follow_the_ranked_drivers():
    features = _features(
        interval_mean=[9.0, 0.0],
        days_since_last_order=[14.0, 20.0],
        overdue_days=[5.0, 0.0],
        n_orders=[12.0, 1.0],
    )
    reasons = pair_reasons(features, ranked_drivers=[["overdue_days", "n_orders"], []])
    assert reasons[0][0] == "5 days overdue against its own cycle"
    assert "ordered 12 times before" in reasons[0]
    assert "orders every 9 days, last order 14 days ago" in reasons[0]
    assert reasons[1] == ["ordered once, 20 days ago"]


def test_baseline_model_answers_every_pair_and_survives_a_round_trip():
    history = periodic_history(n_retailers=8, n_products=10, days=200, seed=3)
    as_of = pd.Timestamp("2023-06-01")
    model = BaselineReorderModel()
    frame = model.predict(history, as_of)
    expected_pairs = len(pair_features(history, as_of))
    assert len(frame) == expected_pairs
    assert {"probability_7", "probability_14", "probability_30", "expected_quantity", "reasons"} <= set(frame.columns)
    assert (frame["probability_7"] <= frame["probability_30"] + 1e-12).all()
    overdue = frame["days_overdue"] >= 1
    assert (frame.loc[~overdue, "expected_date"] >= as_of).all()
    # An overdue pair is needed by the day it fell due: as many days back as it is overdue, never later.
    due = as_of - pd.to_timedelta((frame.loc[overdue, "days_overdue"] + 0.5).apply(int), unit="D")
    assert overdue.any() and (frame.loc[overdue, "expected_date"] == due).all()
    assert (frame["last_order_date"] < as_of).all()
    assert (frame["expected_quantity"] >= 1).all()
    reloaded = load_model(model.to_bytes())
    pd.testing.assert_frame_equal(reloaded.predict(history, as_of), frame)


def test_unknown_artifacts_are_refused_by_name():
    from reorder.ml.artifact import pack_artifact

    with pytest.raises(ValueError, match="unknown reorder model kind 'mystery'"):
        load_model(pack_artifact({"kind": "mystery"}, {}))


def test_reasons_speak_of_one_day_in_the_singular():
    features = _features(interval_mean=[1.0], days_since_last_order=[1.0], overdue_days=[1.0], n_orders=[1.0])
    reasons = pair_reasons(features, ranked_drivers=[["overdue_days", "n_orders"]])
    assert reasons[0] == [
        "1 day overdue against its own cycle",
        "ordered once before",
        "orders every 1 day, last order 1 day ago",
    ]


def test_a_due_reason_names_the_day_the_card_shows_as_needed_by():
    """ "due in 3 days" beside "needed by 10 Dec" (4 days on) read as two truths: the reason names that day."""
    history = periodic_history(n_retailers=6, n_products=8, days=200, seed=4)
    frame = BaselineReorderModel().predict(history, pd.Timestamp("2023-06-01"))
    due = [
        (reason, row.expected_date)
        for row in frame.itertuples()
        for reason in row.reasons
        if reason.startswith("due by") or reason.startswith("due in")
    ]
    assert due and all(reason == f"due by {expected:%-d %b %Y}" for reason, expected in due)


def test_the_baseline_does_not_count_on_a_shop_far_past_its_rhythm():
    """A pair on its 10-day cycle and due now is likely; the same pair at a shop quiet for 100 days (ten cycles)
    is not, however much it used to buy: old volumes are no sure order."""
    from reorder.ml.baselines import OverdueBaseline

    frame = pd.DataFrame(
        {
            "interval_mean": [10.0, 10.0, 10.0],
            "interval_cv": [0.3, 0.3, 0.3],
            "retailer_interval_mean": [10.0, 10.0, 10.0],
            "pair_age_days": [200, 200, 200],
            "days_since_last_order": [9, 100, 30],
            "retailer_days_since_last_order": [9, 100, 30],
        }
    )
    due, lapsed, late = OverdueBaseline(horizon_days=14).predict_proba(frame)[:, 1]
    assert due > 0.6
    assert lapsed < 0.01
    assert lapsed < late < due  # the chance falls as a shop drifts past its rhythm, rather than rising
