"""Two stages for a long horizon (reorder.ml.two_stage): the shop's label counted by hand, and the LightGBM member's
two-stage classifier: its chance is stage one's times stage two's, stage two learns only from shops that ordered,
and the artifact keeps both stages."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.dataset import build_dataset, cutoff_schedule, temporal_split
from reorder.ml.features import feature_columns
from reorder.ml.lgbm import LightGBMOptions, LightGBMReorder
from reorder.ml.two_stage import shop_columns, shop_order_labels
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
    history = periodic_history(n_retailers=24, n_products=10, days=240, seed=5, churn_share=0.3)
    cutoffs = cutoff_schedule(history, n_cutoffs=6, step_days=10, horizon_days=max(HORIZONS))
    split = temporal_split(build_dataset(history, cutoffs, horizons=HORIZONS))
    names = feature_columns(split.train)

    def arrays(frame):
        shop = np.vstack(
            [
                shop_order_labels(history, cutoff, part["retailer_id"].reset_index(drop=True), HORIZONS)
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
    # A refit with the rounds found keeps two stages.
    refit = LightGBMReorder(HORIZONS, TWO_STAGE, rounds=dict(model.best_iterations_), feature_names=names)
    refit.fit(X, y, q, shop_train=shop)
    assert set(refit.shop_classifiers_) == {14} and refit.best_iterations_ == model.best_iterations_


def test_too_few_shops_that_ordered_keep_one_classifier(data):
    names, (X, y, q, shop), *_ = data
    # Every shop marked as not ordering but on one row: stage two would have a single row to learn from.
    only_one = np.zeros_like(shop)
    only_one[np.flatnonzero(y[:, 1])[0], 1] = 1
    model = LightGBMReorder(HORIZONS, TWO_STAGE, feature_names=names).fit(X, y, q, shop_train=only_one)
    assert model.shop_classifiers_ == {} and "s14" not in model.best_iterations_
    # Without shop labels the same options give one classifier per horizon.
    plain = LightGBMReorder(HORIZONS, TWO_STAGE, feature_names=names).fit(X, y, q)
    assert plain.shop_classifiers_ == {}
