"""Horizon and co-occurrence features: hand-counted on tiny histories, bounded, and blind to baskets on or after the
cutoff."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from reorder.ml.features import KEYS, features_from_valid_history, market_context, orders_before, pair_features
from reorder.ml.history import validate_history
from reorder.ml.horizon_features import INTERVAL_SHRINK, SHAPE_BOUNDS, horizon_features
from reorder.ml.pipeline import load_model, train_reorder_model
from tests.reorder.synthetic import periodic_history

DAY0 = pd.Timestamp("2024-01-01")


def lines(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """(shop, product, day) rows as order lines of one unit at price 1."""
    frame = pd.DataFrame(rows, columns=["retailer_id", "product_id", "day"])
    frame["date"] = DAY0 + pd.to_timedelta(frame.pop("day"), unit="D")
    return validate_history(frame.assign(quantity=1.0, unit_price=1.0))


def features_at(history: pd.DataFrame, day: int, windows=(14, 30)) -> pd.DataFrame:
    _, orders = orders_before(history, DAY0 + pd.Timedelta(days=day))
    return horizon_features(orders, windows).set_index(KEYS)


BASKETS = [
    ("s1", "a", 1), ("s1", "b", 1), ("s1", "a", 8), ("s1", "b", 8), ("s1", "a", 15),
    ("s2", "a", 2), ("s2", "c", 2), ("s2", "b", 9), ("s2", "c", 9),
]  # fmt: skip


def test_cooccurrence_is_the_due_weighted_share_of_baskets_shared_with_the_shops_other_products():
    got = features_at(lines(BASKETS), 20)
    # Baskets: a in 4, b in 3, c in 2 of 5; a with b twice, a with c once, b with c once.
    for window in (14, 30):
        # s1 holds only a besides b: P(b | a) = 2 / 4 whatever a's weight; the lift divides by P(b) = 3 / 5.
        assert got.loc[("s1", "b"), f"cooc_due_{window}d"] == pytest.approx(0.5)
        assert got.loc[("s1", "b"), f"cooc_due_lift_{window}d"] == pytest.approx(0.5 / 0.6)
        due_a = got.loc[("s2", "a"), f"horizon_pair_gamma_{window}d"]
        due_b = got.loc[("s2", "b"), f"horizon_pair_gamma_{window}d"]
        expected = (due_a * 1 / 4 + due_b * 1 / 3) / (due_a + due_b)
        assert got.loc[("s2", "c"), f"cooc_due_{window}d"] == pytest.approx(expected)
        assert 0 < due_a <= 1 and 0 < due_b <= 1


def test_product_within_share_counts_every_shops_intervals_shrunk_towards_all_products():
    history = lines([("s1", "a", 0), ("s1", "a", 10), ("s1", "a", 40), ("s2", "a", 5), ("s2", "a", 12)])
    history = pd.concat([history, lines([("s3", "b", 0), ("s3", "b", 50)])], ignore_index=True)
    got = features_at(history, 60)
    # a's intervals 10, 30, 7; b's 50. Pooled share within 14 days: 2 of 4; within 30: 3 of 4.
    for window, a_within, pooled in ((14, 2, 0.5), (30, 3, 0.75)):
        expected = (a_within + INTERVAL_SHRINK * pooled) / (3 + INTERVAL_SHRINK)
        assert got.loc[("s1", "a"), f"horizon_product_within_{window}d"] == pytest.approx(expected)
        assert got.loc[("s2", "a"), f"horizon_product_within_{window}d"] == pytest.approx(expected)
        b_expected = ((window >= 50) + INTERVAL_SHRINK * pooled) / (1 + INTERVAL_SHRINK)
        assert got.loc[("s3", "b"), f"horizon_product_within_{window}d"] == pytest.approx(b_expected)


def test_a_perfectly_regular_pair_follows_the_tightest_gamma_allowed():
    history = lines([("s1", "a", day) for day in range(0, 100, 10)])
    shape = SHAPE_BOUNDS[1]
    law = stats.gamma(a=shape, scale=10 / shape)  # mean 10, every interval 10, no spread
    for waited in (1, 6, 12):
        got = features_at(history, 90 + waited, windows=(3, 7))
        for window in (3, 7):
            expected = 1 - law.sf(waited + window) / law.sf(waited)
            assert got.loc[("s1", "a"), f"horizon_pair_gamma_{window}d"] == pytest.approx(expected, abs=1e-9)
    # Waiting longer makes the next order more likely within the same window.
    soon = [features_at(history, 90 + w).loc[("s1", "a"), "horizon_pair_gamma_14d"] for w in (1, 5, 9)]
    assert soon == sorted(soon)


LEAK_CUTOFF = pd.Timestamp("2023-05-01")


def history_and_grown() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A history, and the same with baskets on or after :data:`LEAK_CUTOFF`, including pairs and products never
    seen before it."""
    history = periodic_history(n_retailers=12, n_products=8, days=200, seed=3)
    rng = np.random.default_rng(1)
    later = history.sample(150, random_state=1).assign(
        date=LEAK_CUTOFF + pd.to_timedelta(rng.integers(0, 60, size=150), unit="D")
    )
    unseen = later.head(20).assign(product_id=99, retailer_id=lambda f: f["retailer_id"] + 100)
    return history, pd.concat([history, later, unseen], ignore_index=True)


def test_features_at_a_cutoff_ignore_baskets_on_or_after_it():
    history, grown = history_and_grown()
    cutoff = LEAK_CUTOFF
    before = features_from_valid_history(validate_history(history), cutoff, horizon=True)
    after = features_from_valid_history(validate_history(grown), cutoff, horizon=True)
    pd.testing.assert_frame_equal(before, after)
    assert {"cooc_due_14d", "horizon_pair_gamma_30d", "horizon_product_within_14d"} <= set(before.columns)


def test_each_shop_alone_with_the_market_context_gets_the_whole_marketplaces_rows_and_no_later_basket():
    history, grown = history_and_grown()
    offline = features_from_valid_history(validate_history(history), LEAK_CUTOFF, horizon=True, lookback_days=120)
    # The context of the grown history at the cutoff, and each shop's lines with its own later baskets.
    context = market_context(validate_history(grown), LEAK_CUTOFF, lookback_days=120, horizon=True)
    assert context.horizon.n_baskets == history_and_baskets(history, LEAK_CUTOFF, 120)
    for shop in offline["retailer_id"].unique():
        own = validate_history(grown[grown["retailer_id"] == shop])
        online = features_from_valid_history(own, LEAK_CUTOFF, horizon=True, context=context, lookback_days=120)
        expected = offline[offline["retailer_id"] == shop].reset_index(drop=True)
        pd.testing.assert_frame_equal(online, expected, check_exact=False, rtol=1e-9)


def history_and_baskets(history: pd.DataFrame, cutoff: pd.Timestamp, days: int) -> int:
    """Baskets (a shop's orders of one day) in the ``days`` before ``cutoff``."""
    window = history[(history["date"] < cutoff) & (history["date"] >= cutoff - pd.Timedelta(days=days))]
    return len(window[["retailer_id", "date"]].drop_duplicates())


def test_a_context_without_the_horizon_part_or_a_product_it_never_saw_is_handled():
    history, _ = history_and_grown()
    valid = validate_history(history)
    shop = valid[valid["retailer_id"] == valid["retailer_id"].iloc[0]]
    with pytest.raises(ValueError, match="horizon=True"):
        features_from_valid_history(shop, LEAK_CUTOFF, horizon=True, context=market_context(valid, LEAK_CUTOFF))
    # A product the context never saw shares no basket and borrows the pooled interval figures: finite, no error.
    context = market_context(valid, LEAK_CUTOFF, horizon=True)
    new = pd.concat([shop, shop[shop["date"] < LEAK_CUTOFF].tail(3).assign(product_id=999)], ignore_index=True)
    rows = features_from_valid_history(validate_history(new), LEAK_CUTOFF, horizon=True, context=context)
    row = rows[rows["product_id"] == 999].iloc[0]
    assert row["cooc_due_14d"] == 0 and row["cooc_due_lift_14d"] == 0
    assert 0 < row["horizon_product_within_30d"] < 1 and 0 <= row["horizon_pair_gamma_14d"] <= 1


def test_horizon_features_are_off_by_default_and_bounded_when_asked():
    history = periodic_history(n_retailers=15, n_products=10, days=200, seed=4)
    assert "cooc_due_14d" not in pair_features(history, "2023-06-01").columns
    features = features_from_valid_history(validate_history(history), "2023-06-01", horizon=True)
    for window in (14, 30):
        for prefix in ("cooc_due_", "horizon_pair_gamma_", "horizon_product_within_"):
            assert features[f"{prefix}{window}d"].between(0, 1).all(), prefix
        assert (features[f"cooc_due_lift_{window}d"] >= 0).all()
    # Longer windows can only make an order within them more likely.
    assert (features["horizon_pair_gamma_30d"] >= features["horizon_pair_gamma_14d"] - 1e-12).all()


def test_a_model_trained_with_horizon_features_serves_with_them():
    history = periodic_history(n_retailers=20, n_products=12, days=240, seed=5, churn_share=0.3)
    params = {"members": ["lightgbm"], "horizon_features": True, "refit": False, "n_cutoffs": 8, "step_days": 14}
    result = train_reorder_model(history, params=params)
    if result.metrics["served_model"] == "retailiq_ensemble":
        assert "cooc_due_14d" in result.model.feature_names
    as_of = pd.Timestamp("2023-08-20")
    frame = result.model.predict(history, as_of)
    pd.testing.assert_frame_equal(load_model(result.model.to_bytes()).predict(history, as_of), frame)
