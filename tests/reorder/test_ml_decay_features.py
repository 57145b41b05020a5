"""Time-decayed repeat and shop rhythm features: hand-counted on a tiny history, blind to lines on or after the
cutoff, and the same for a shop alone as for the shop among the whole marketplace."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.decay_features import PRIOR_DAYS, TIFU_BETWEEN, TIFU_WITHIN, decay_features
from reorder.ml.features import KEYS, features_from_valid_history, market_context, orders_before
from reorder.ml.history import validate_history
from reorder.ml.pipeline import load_model, train_reorder_model
from tests.reorder.synthetic import periodic_history

DAY0 = pd.Timestamp("2024-01-01")  # a Monday


def lines(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """(shop, product, day) rows as order lines of one unit at price 1."""
    frame = pd.DataFrame(rows, columns=["retailer_id", "product_id", "day"])
    frame["date"] = DAY0 + pd.to_timedelta(frame.pop("day"), unit="D")
    return validate_history(frame.assign(quantity=1.0, unit_price=1.0))


def features_at(history: pd.DataFrame, day: int) -> pd.DataFrame:
    cutoff = DAY0 + pd.Timedelta(days=day)
    _, orders = orders_before(history, cutoff)
    keys = orders.drop_duplicates("pair").set_index("pair")[KEYS]
    return decay_features(orders, cutoff).join(keys, on="pair").set_index(KEYS)


# s1 orders on days 0, 14 and 28 (Mondays): a in all three baskets, b in the first only.
BASKETS = [("s1", "a", 0), ("s1", "b", 0), ("s1", "a", 14), ("s1", "a", 28), ("s2", "c", 3)]


def test_hand_counted_pair_scores_shares_and_baskets_since():
    got = features_at(lines(BASKETS), 42)  # days ago: 42, 28, 14
    for h in (14, 60, 180):
        weights = {day: 0.5 ** ((42 - day) / h) for day in (0, 14, 28)}
        assert got.loc[("s1", "a"), f"decay_pair_score_{h}d"] == pytest.approx(sum(weights.values()))
        assert got.loc[("s1", "b"), f"decay_pair_score_{h}d"] == pytest.approx(weights[0])
        assert got.loc[("s1", "b"), f"decay_pair_share_{h}d"] == pytest.approx(weights[0] / sum(weights.values()))
        assert got.loc[("s1", "a"), f"decay_pair_share_{h}d"] == pytest.approx(1.0)
    # TIFU: the three baskets share one group; the latest weighs 1, then 0.9, then 0.81.
    assert got.loc[("s1", "b"), "decay_pair_tifu"] == pytest.approx(TIFU_WITHIN**2 / (1 + TIFU_WITHIN + TIFU_WITHIN**2))
    assert got.loc[("s1", "a"), "decay_pair_baskets_since"] == 0
    assert got.loc[("s1", "b"), "decay_pair_baskets_since"] == 2


def test_hand_counted_shop_rhythm_and_two_stages():
    got = features_at(lines(BASKETS), 42).loc[("s1", "a")]
    h = 60
    events = 0.5 ** (28 / h) + 0.5 ** (14 / h)  # the baskets after the first
    exposure = h / np.log(2) * (1 - 0.5 ** (42 / h))
    rate = events / (exposure + PRIOR_DAYS)
    assert got[f"decay_shop_rate_{h}d"] == pytest.approx(rate)
    assert got["decay_shop_order_within_30d"] == pytest.approx(1 - np.exp(-30 * rate))
    assert got["decay_two_stage_30d"] == pytest.approx(1 - np.exp(-30 * rate))  # a's share is 1
    assert got["decay_two_stage_rate_14d"] == pytest.approx(1 - np.exp(-14 * rate))
    # Lines: a (day 0, new), b (day 0, new), a (14, repeat), a (28, repeat).
    assert got["decay_shop_repeat_share"] == pytest.approx(0.5)
    weights = {day: 0.5 ** ((42 - day) / h) for day in (0, 14, 28)}
    decayed = (weights[14] + weights[28]) / (2 * weights[0] + weights[14] + weights[28])
    assert got["decay_shop_repeat_share_60d"] == pytest.approx(decayed)
    assert got["decay_shop_overdue"] == pytest.approx(14 / 14)
    # Every basket on a Monday; the cutoff (day 42) is a Monday too.
    assert got["decay_shop_weekday_share"] == pytest.approx(1.0)
    assert got["decay_shop_weekday_concentration"] == pytest.approx(1.0)
    assert got["decay_shop_days_to_usual_weekday"] == 0
    assert features_at(lines(BASKETS), 44).loc[("s1", "a"), "decay_shop_days_to_usual_weekday"] == 5


def test_tifu_groups_decay_between_groups():
    history = lines([("s1", "a" if day == 0 else "b", day) for day in range(8)])  # 8 baskets, a in the oldest
    got = features_at(history, 10)
    # Ranks 0..7 from the latest: ranks 0-6 in the first group, rank 7 (a's basket) opens the second.
    weights = [TIFU_WITHIN ** (rank % 7) * TIFU_BETWEEN ** (rank // 7) for rank in range(8)]
    assert got.loc[("s1", "a"), "decay_pair_tifu"] == pytest.approx(weights[7] / sum(weights))


def test_lines_on_or_after_the_cutoff_change_nothing():
    history = periodic_history(n_retailers=12, n_products=8, days=200, seed=3)
    cutoff = pd.Timestamp("2023-05-01")
    valid = validate_history(history)
    before = features_from_valid_history(valid, cutoff, decay=True)
    later = valid[valid["date"] >= cutoff].copy()
    later["quantity"] *= 7
    doubled = validate_history(pd.concat([valid, later, later.assign(date=later["date"] + pd.Timedelta(days=1))]))
    after = features_from_valid_history(doubled, cutoff, decay=True)
    assert any(c.startswith("decay_") for c in before.columns)
    pd.testing.assert_frame_equal(before, after)


def test_a_shop_alone_gets_the_rows_the_whole_marketplace_gives_it():
    valid = validate_history(periodic_history(n_retailers=12, n_products=8, days=200, seed=5))
    cutoff = pd.Timestamp("2023-05-01")
    offline = features_from_valid_history(valid, cutoff, decay=True)
    context = market_context(valid, cutoff)
    for shop in valid["retailer_id"].unique()[:4]:
        online = features_from_valid_history(valid[valid["retailer_id"] == shop], cutoff, decay=True, context=context)
        expected = offline[offline["retailer_id"] == shop].reset_index(drop=True)
        pd.testing.assert_frame_equal(online, expected)


def test_a_model_trained_with_decay_features_serves_with_them_from_the_shops_rows():
    history = periodic_history(n_retailers=20, n_products=12, days=240, seed=5, churn_share=0.3)
    params = {
        "members": ["lightgbm"],
        "decay_features": True,
        "horizon_features": False,
        "refit": False,
        "n_cutoffs": 8,
        "step_days": 14,
    }
    result = train_reorder_model(history, params=params)
    as_of = pd.Timestamp("2023-08-20")
    frame = result.model.predict(history, as_of)
    pd.testing.assert_frame_equal(load_model(result.model.to_bytes()).predict(history, as_of), frame)
    if result.metrics["served_model"] == "retailiq_ensemble":
        assert "decay_pair_tifu" in result.model.feature_names
        # The rows a serving path computes (shop by shop, with the market context) give the same answer.
        rows = features_from_valid_history(validate_history(history), as_of, decay=True)
        pd.testing.assert_frame_equal(result.model.predict(history, as_of, features=rows), frame)


def test_the_weekday_shares_are_exactly_pandas_crosstabs():
    """Counted in NumPy for speed: the same numbers as the crosstab they replaced, to the last bit."""
    history = validate_history(periodic_history(n_retailers=25, n_products=12, days=240, seed=4))
    cutoff = history["date"].max() - pd.Timedelta(days=20)
    _, orders = orders_before(history, cutoff)
    got = decay_features(orders, cutoff)
    baskets = orders.drop_duplicates(["retailer_id", "date"])
    shares = pd.crosstab(baskets["retailer_id"], baskets["date"].dt.weekday, normalize="index")
    shares = shares.reindex(columns=range(7), fill_value=0)
    shop = orders.drop_duplicates("pair").set_index("pair")["retailer_id"].reindex(got["pair"]).to_numpy()
    expected = shares.reindex(shop)
    assert np.array_equal(got["decay_shop_weekday_share"].to_numpy(), expected[cutoff.weekday()].to_numpy())
    assert np.array_equal(got["decay_shop_weekday_concentration"].to_numpy(), (expected**2).sum(axis=1).to_numpy())
    usual = (expected.to_numpy().argmax(axis=1) - cutoff.weekday()) % 7
    assert np.array_equal(got["decay_shop_days_to_usual_weekday"].to_numpy(), usual)
