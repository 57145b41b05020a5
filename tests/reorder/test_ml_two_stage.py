"""Two stages for a long horizon (reorder.ml.two_stage): the shop's label counted by hand, and the LightGBM member's
two-stage classifier: its chance is stage one's times stage two's, stage two learns only from shops that ordered,
and the artifact keeps both stages."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.dataset import build_dataset, cutoff_schedule, temporal_split
from reorder.ml.features import feature_columns
from reorder.ml.lgbm import LightGBMOptions, LightGBMReorder
from reorder.ml.pipeline import load_model, train_reorder_model
from reorder.ml.two_stage import ShopLabels, shop_columns, shop_order_labels
from tests.reorder.synthetic import periodic_history

HORIZONS = (7, 14)
TWO_STAGE = LightGBMOptions(
    num_boost_round=40,
    learning_rate=0.1,
    min_data_in_leaf=10,
    early_stopping_rounds=10,
    two_stage_horizons=(14,),
    num_threads=1,
)


def shops_stopping(history: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Most shops stop ordering anything on a day of their own, so "will the shop order at all" varies (in the
    synthetic history every shop orders to the end)."""
    shops = history["retailer_id"].unique()
    span = (history["date"].max() - history["date"].min()).days
    days = np.random.default_rng(seed).integers(60, span * 3 // 2, size=len(shops))
    stops = pd.Series(days, index=shops) * pd.Timedelta(days=1)
    return history[history["date"] < history["date"].min() + history["retailer_id"].map(stops)]


def test_shop_label_is_any_line_of_the_shop_within_the_horizon():
    history = pd.DataFrame(
        {
            "retailer_id": ["a", "a", "b", "c"],
            "product_id": ["x", "y", "x", "x"],
            "date": pd.to_datetime(["2024-01-01", "2024-01-12", "2024-01-05", "2023-12-20"]),
        }
    )
    cutoff = pd.Timestamp("2024-01-03")
    # a: next line 9 days after the cutoff (a product it never bought counts); b: 2 days; c: none after the cutoff;
    # d: a shop with no line at all.
    retailers = pd.Series(["a", "b", "c", "d", "a"])
    labels = shop_order_labels(history, cutoff, retailers, (3, 9, 10))
    np.testing.assert_array_equal(labels, [[0, 0, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 1]])


def test_shop_columns_are_the_shop_and_calendar_ones():
    names = ["days_since_last_order", "retailer_n_orders", "decay_shop_rate_60d", "cutoff_month_sin", "product_x"]
    assert shop_columns(names) == [1, 2, 3]


@pytest.fixture(scope="module")
def data():
    history = shops_stopping(periodic_history(n_retailers=24, n_products=10, days=240, seed=5, churn_share=0.3), 5)
    cutoffs = cutoff_schedule(history, n_cutoffs=6, step_days=10, horizon_days=max(HORIZONS))
    split = temporal_split(build_dataset(history, cutoffs, horizons=HORIZONS))
    names = feature_columns(split.train)

    def arrays(frame):
        shop = ShopLabels.concat(
            [
                ShopLabels.at_cutoff(history, cutoff, part["retailer_id"].reset_index(drop=True), HORIZONS)
                for cutoff, part in frame.groupby("cutoff", sort=False)
            ]
        )
        X = frame[names].to_numpy(dtype=np.float32)
        labels = frame[[f"ordered_within_{h}" for h in HORIZONS]].to_numpy()
        return X, labels, frame["next_order_quantity"].to_numpy(), shop

    return names, arrays(split.train), arrays(split.validation), arrays(split.test)


def test_two_stage_chance_is_the_product_of_its_stages_and_survives_the_artifact(data):
    names, (X, y, q, shop), (Xv, yv, qv, shop_v), (Xt, yt, _, _) = data
    model = LightGBMReorder(HORIZONS, TWO_STAGE, feature_names=names)
    model.fit(X, y, q, Xv, yv, qv, shop_train=shop, shop_val=shop_v)
    assert set(model.shop_classifiers_) == {14}
    assert {"p7", "p14", "s14", "quantity"} == set(model.best_iterations_)
    proba = model.predict(Xt)[0]
    stage_one = model.shop_classifiers_[14].predict(Xt[:, shop_columns(names)])
    np.testing.assert_allclose(proba[:, 1], stage_one * model.classifiers_[14].predict(Xt))
    np.testing.assert_allclose(proba[:, 0], model.classifiers_[7].predict(Xt))  # one stage at 7 days
    reloaded = LightGBMReorder.from_bytes(model.to_bytes())
    np.testing.assert_array_equal(reloaded.predict(Xt)[0], proba)
    # Learned: reorders score higher than the rest.
    assert proba[yt[:, 1] == 1, 1].mean() > proba[yt[:, 1] == 0, 1].mean() + 0.2
    # Stage one learnt from one row per shop and cutoff, not one per pair.
    assert model.shop_classifiers_[14].num_trees() == model.best_iterations_["s14"]
    assert len(shop.first_rows()) == len(set(shop.group)) < len(X)
    # A refit with the rounds found keeps two stages.
    refit = LightGBMReorder(HORIZONS, TWO_STAGE, rounds=dict(model.best_iterations_), feature_names=names)
    refit.fit(X, y, q, shop_train=shop)
    assert set(refit.shop_classifiers_) == {14} and refit.best_iterations_ == model.best_iterations_


def test_too_few_shops_that_ordered_keep_one_classifier(data):
    names, (X, y, q, shop), *_ = data
    # Every shop marked as not ordering but on one row: stage two would have a single row to learn from.
    only_one = np.zeros_like(shop.ordered)
    only_one[np.flatnonzero(y[:, 1])[0], 1] = 1
    model = LightGBMReorder(HORIZONS, TWO_STAGE, feature_names=names)
    model.fit(X, y, q, shop_train=ShopLabels(only_one, shop.group))
    assert model.shop_classifiers_ == {} and "s14" not in model.best_iterations_
    # Without shop labels the same options give one classifier per horizon.
    plain = LightGBMReorder(HORIZONS, TWO_STAGE, feature_names=names).fit(X, y, q)
    assert plain.shop_classifiers_ == {}


def test_restricted_columns_feed_only_the_horizons_that_name_them(data):
    names, (X, y, q, _), (Xv, yv, qv, _), (Xt, *_) = data
    options = LightGBMOptions(
        num_boost_round=20, min_data_in_leaf=10, num_threads=1, restricted_prefixes=("pair_", "retailer_"),
        horizon_columns={"14": ("pair_",)},
    )  # fmt: skip
    model = LightGBMReorder(HORIZONS, options, feature_names=names).fit(X, y, q, Xv, yv, qv)
    seven, fourteen = (set(model.classifiers_[h].feature_name()) for h in HORIZONS)
    pair = {n for n in names if n.startswith("pair_")}
    assert pair and not seven & pair and pair <= fourteen
    assert not any(n.startswith("retailer_") for n in seven | fourteen | set(model.regressor_.feature_name()))
    assert not set(model.regressor_.feature_name()) & pair
    reloaded = LightGBMReorder.from_bytes(model.to_bytes())
    np.testing.assert_array_equal(reloaded.predict(Xt)[0], model.predict(Xt)[0])
    assert len(model.ranked_drivers(Xt[:5], 7, names)) == 5


def test_default_training_gives_the_30_day_classifier_two_stages_and_the_decayed_shop_columns():
    history = periodic_history(n_retailers=30, n_products=12, days=260, seed=2, churn_share=0.3)
    history = shops_stopping(history, seed=2)
    params = {"n_cutoffs": 8, "step_days": 12, "validation_cutoffs": 2, "test_cutoffs": 1, "gap_days": 0}
    params["lightgbm"] = {"num_threads": 1, "num_boost_round": 40}
    result = train_reorder_model(history, params=params)
    assert result.algorithm == "reorder_ensemble:lightgbm"  # it beat the strong baseline on validation
    member = result.model.members["lightgbm"]
    assert set(member.shop_classifiers_) == {30}
    names = {h: set(member.classifiers_[h].feature_name()) for h in (7, 14, 30)}
    assert not any(n.startswith("decay_") for n in names[7] | names[14])
    assert any(n.startswith("decay_shop_") for n in names[30])
    assert not any(n.startswith("decay_pair_") for n in names[30])
    as_of = pd.Timestamp(history["date"].max()) + pd.Timedelta(days=1)
    frame = result.model.predict(history, as_of)
    pd.testing.assert_frame_equal(load_model(result.model.to_bytes()).predict(history, as_of), frame)


def test_a_horizon_that_does_not_name_the_restricted_columns_fits_as_if_they_were_absent(data):
    names, (X, y, q, _), (Xv, yv, qv, _), (Xt, *_) = data
    extra = [i for i, n in enumerate(names) if n.startswith("pair_")]
    kept = [i for i in range(len(names)) if i not in extra]
    common = {"num_boost_round": 20, "min_data_in_leaf": 10, "num_threads": 1, "two_stage_horizons": ()}
    restricted = LightGBMOptions(**common, restricted_prefixes=("pair_",), horizon_columns={"14": ("pair_",)})
    with_columns = LightGBMReorder(HORIZONS, restricted, feature_names=names).fit(X, y, q, Xv, yv, qv)
    without = LightGBMReorder(HORIZONS, LightGBMOptions(**common), feature_names=[names[i] for i in kept])
    without.fit(X[:, kept], y, q, Xv[:, kept], yv, qv)
    np.testing.assert_array_equal(with_columns.predict(Xt)[0][:, 0], without.predict(Xt[:, kept])[0][:, 0])
    np.testing.assert_array_equal(with_columns.predict(Xt)[1], without.predict(Xt[:, kept])[1])
