"""Training the ensemble's members in worker processes gives what training them in the
training process gives: the same backtest, weights, metrics and served forecasts, with a
failing member left out the same way. Seeded synthetic series, no database."""

from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np
import pytest

from forecasting.ml.backtest import rolling_origin
from forecasting.ml.baselines import MovingAverageForecaster, SeasonalNaiveForecaster
from forecasting.ml.ensemble import EnsembleForecaster, EnsembleOptions
from forecasting.ml.lgbm import GlobalLightGBM
from forecasting.ml.matrix import DemandMatrix
from forecasting.ml.workers import MemberPool, fit_cost
from tests.forecasting.test_ml_ensemble import make_matrix

HORIZON = 7


class Broken:
    """A member whose fit fails, as a real one may on odd data."""

    name = "broken"

    def fit(self, matrix: DemandMatrix) -> "Broken":
        raise ValueError("cannot learn from this")


def members() -> dict:
    return {
        "seasonal_naive": partial(SeasonalNaiveForecaster),
        "moving_average": partial(MovingAverageForecaster, window=14),
        "lightgbm": partial(GlobalLightGBM, num_boost_round=15),
        "broken": partial(Broken),
    }


@pytest.fixture(scope="module")
def matrix() -> DemandMatrix:
    return make_matrix(n_series=40, periods=120, seed=5, lumpy_share=0.3)


@pytest.mark.parametrize("refit", [True, False])
def test_worker_processes_train_the_same_ensemble(matrix, refit):
    trained = [
        EnsembleForecaster.train(
            matrix, members(), horizon=HORIZON, n_origins=2, options=EnsembleOptions(refit=refit), processes=processes
        )
        for processes in (1, 2)
    ]
    (here, here_report), (pooled, pooled_report) = trained
    assert "broken" in pooled_report["failed_members"] and "cannot learn" in pooled_report["failed_members"]["broken"]
    assert here_report["weights"] == pooled_report["weights"]
    assert here_report["models"].keys() == pooled_report["models"].keys()
    for name, measured in here_report["models"].items():
        same = {k: v for k, v in measured.items() if k != "fit_seconds"}
        assert same == {k: v for k, v in pooled_report["models"][name].items() if k != "fit_seconds"}
    assert set(pooled.members_) == set(here.members_)
    for key, values in here.predict_intervals(matrix, HORIZON).items():
        np.testing.assert_allclose(pooled.predict_intervals(matrix, HORIZON)[key], values, rtol=1e-9, err_msg=key)


def test_the_backtest_keeps_each_origin_and_the_last_model_from_the_workers(matrix):
    factories = {"lightgbm": partial(GlobalLightGBM, num_boost_round=10)}
    here = rolling_origin(matrix, factories, horizon=HORIZON, n_origins=2, keep_last_models=True)
    with MemberPool(matrix, 2) as pool:
        pooled = rolling_origin(matrix, factories, horizon=HORIZON, n_origins=2, keep_last_models=True, pool=pool)
    for a, b in zip(here.folds, pooled.folds, strict=True):
        np.testing.assert_array_equal(a.forecasts["lightgbm"], b.forecasts["lightgbm"])
    history = matrix.head(matrix.n_periods - HORIZON)
    np.testing.assert_array_equal(
        here.last_models["lightgbm"].predict(history, HORIZON), pooled.last_models["lightgbm"].predict(history, HORIZON)
    )


def test_a_pool_that_cannot_start_trains_here(matrix, monkeypatch):
    """As in a Celery prefork worker, whose daemonic process may not start children."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("daemonic processes are not allowed to have children")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", refuse)
    model, report = EnsembleForecaster.train(matrix, members(), horizon=HORIZON, n_origins=2, processes=2)
    here, _ = EnsembleForecaster.train(matrix, members(), horizon=HORIZON, n_origins=2, processes=1)
    assert "lightgbm" in report["models"] and set(model.members_) == set(here.members_)


def test_each_member_keeps_one_worker_and_the_costliest_gets_its_own(matrix):
    """LightGBM's fits share one worker, the rest the other (so TensorFlow would load once)."""
    assert fit_cost(partial(GlobalLightGBM)) > fit_cost(partial(SeasonalNaiveForecaster)) == 0
    factories = members()
    with MemberPool(matrix, 2) as pool:
        for name in ("lightgbm", "seasonal_naive", "moving_average"):
            pool.collect_backtest(pool.backtest(name, factories[name], 100, HORIZON, keep_model=False))
        pool.collect_refit(pool.refit("seasonal_naive", factories["seasonal_naive"]))
        lanes = dict(pool._lane_of)
    assert lanes["seasonal_naive"] == lanes["moving_average"] != lanes["lightgbm"]
