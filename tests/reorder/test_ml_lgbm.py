"""The LightGBM reorder member on a small seeded dataset: shapes, determinism, the artifact, fixed rounds and the
per-pair drivers used for the reasons in words."""

import numpy as np
import pytest

from reorder.ml.artifact import pack_artifact
from reorder.ml.dataset import build_dataset, cutoff_schedule, temporal_split
from reorder.ml.features import feature_columns
from reorder.ml.lgbm import LightGBMOptions, LightGBMReorder
from tests.reorder.synthetic import periodic_history

HORIZONS = (7, 14)
FAST = LightGBMOptions(num_boost_round=60, learning_rate=0.1, min_data_in_leaf=10, early_stopping_rounds=10)


@pytest.fixture(scope="module")
def split():
    history = periodic_history(n_retailers=20, n_products=12, days=240, seed=3)
    cutoffs = cutoff_schedule(history, n_cutoffs=6, step_days=10, horizon_days=max(HORIZONS))
    return temporal_split(build_dataset(history, cutoffs, horizons=HORIZONS))


def arrays(frame, names):
    labels = frame[[f"ordered_within_{h}" for h in HORIZONS]].to_numpy()
    return frame[names].to_numpy(dtype=np.float32), labels, frame["next_order_quantity"].to_numpy()


@pytest.fixture(scope="module")
def fitted(split):
    names = feature_columns(split.train)
    model = LightGBMReorder(HORIZONS, FAST, feature_names=names)
    return model.fit(*arrays(split.train, names), *arrays(split.validation, names)), names


def test_predicts_a_probability_per_horizon_and_a_positive_quantity(split, fitted):
    model, names = fitted
    X, labels, _ = arrays(split.test, names)
    proba, quantity = model.predict(X)
    assert proba.shape == (len(X), len(HORIZONS)) and ((proba >= 0) & (proba <= 1)).all()
    assert quantity.shape == (len(X),) and (quantity >= 1).all()
    # Learned something: reorders score higher than the rest on average, at every horizon.
    for column in range(len(HORIZONS)):
        assert proba[labels[:, column] == 1, column].mean() > proba[labels[:, column] == 0, column].mean() + 0.2
    assert set(model.best_iterations_) == {"p7", "p14", "quantity"}


def test_the_same_seed_gives_the_same_model_and_the_artifact_gives_the_same_predictions(split, fitted):
    model, names = fitted
    again = LightGBMReorder(HORIZONS, FAST, feature_names=names).fit(
        *arrays(split.train, names), *arrays(split.validation, names)
    )
    X = arrays(split.test, names)[0]
    np.testing.assert_array_equal(model.predict(X)[0], again.predict(X)[0])
    reloaded = LightGBMReorder.from_bytes(model.to_bytes())
    for before, after in zip(model.predict(X), reloaded.predict(X), strict=True):
        np.testing.assert_array_equal(before, after)
    with pytest.raises(ValueError, match="not a reorder_lightgbm"):
        LightGBMReorder.from_bytes(pack_artifact({"kind": "x"}, {}))


def test_fixed_rounds_turn_early_stopping_off(split):
    names = feature_columns(split.train)
    rounds = {"p7": 5, "p14": 7, "quantity": 3}
    model = LightGBMReorder(HORIZONS, FAST, rounds=rounds, feature_names=names).fit(*arrays(split.train, names))
    assert model.best_iterations_ == rounds


def test_drivers_are_features_that_pushed_the_probability_up(split, fitted):
    model, names = fitted
    X = arrays(split.test, names)[0][:50]
    drivers = model.ranked_drivers(X, 14, names, top=3)
    assert len(drivers) == 50 and all(len(row) <= 3 for row in drivers)
    assert {name for row in drivers for name in row} <= set(names)
    contributions = model.classifiers_[14].predict(X, pred_contrib=True)[:, :-1]
    first = next(row for row in range(50) if drivers[row])
    top = np.argsort(-contributions[first])[: len(drivers[first])]
    assert drivers[first] == [names[i] for i in top]
    assert model.ranked_drivers(X[:0], 14, names) == []


def test_one_horizons_classifier_can_have_its_own_settings(split):
    options = LightGBMOptions(horizon_overrides={"14": {"min_data_in_leaf": 300}})
    assert options.booster_params("binary", 14)["min_data_in_leaf"] == 300
    assert options.booster_params("binary", 7)["min_data_in_leaf"] == 50
    assert options.booster_params("huber", 14)["min_data_in_leaf"] == 50
    # The default asks 0.1% of the training rows per leaf at 14 days, never fewer than the shared 50.
    default = LightGBMOptions()
    assert default.booster_params("binary", 14, n_rows=301_000)["min_data_in_leaf"] == 301
    assert default.booster_params("binary", 14, n_rows=2_000)["min_data_in_leaf"] == 50
    assert "min_data_in_leaf_share" not in default.booster_params("binary", 14, n_rows=2_000)
    # No leaf may hold more rows than there are: the 14-day classifier cannot split, the 7-day one still does.
    names = feature_columns(split.train)
    blunt = LightGBMOptions(
        num_boost_round=20, min_data_in_leaf=10, horizon_overrides={"14": {"min_data_in_leaf": 10**7}}
    )
    model = LightGBMReorder(HORIZONS, blunt, rounds={"p7": 20, "p14": 20, "quantity": 5}, feature_names=names)
    proba, _ = model.fit(*arrays(split.train, names)).predict(arrays(split.test, names)[0])
    assert np.unique(proba[:, 1]).size == 1 and np.unique(proba[:, 0]).size > 1
    reloaded = LightGBMReorder.from_bytes(model.to_bytes())
    assert reloaded.options.horizon_overrides == {"14": {"min_data_in_leaf": 10**7}}


def test_training_runs_on_one_thread_with_63_bins_and_the_threads_do_not_change_the_model(split):
    """Training's thread count is its own (batch predictions keep theirs): OpenMP's per-round barriers made two
    threads beside a busy process several times slower, and ``deterministic`` fits the same trees either way."""
    params = LightGBMOptions().booster_params("binary", 14, n_rows=1_000)
    assert params["num_threads"] == 1 and params["max_bin"] == 63
    names = feature_columns(split.train)
    X = arrays(split.test, names)[0]
    fits = [
        LightGBMReorder(
            HORIZONS, LightGBMOptions(**{**FAST.__dict__, "training_threads": threads}), feature_names=names
        )
        .fit(*arrays(split.train, names), *arrays(split.validation, names))
        .predict(X)[0]
        for threads in (1, 2)
    ]
    np.testing.assert_allclose(fits[0], fits[1], rtol=1e-6)
