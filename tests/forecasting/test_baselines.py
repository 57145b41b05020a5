"""The baseline forecasters and their backtest, on hand-made series (no database)."""

import json

import numpy as np
import pandas as pd
import pytest

from forecasting.ml import baselines, metrics
from forecasting.ml.matrix import demand_matrix, long_frame


def weekly_matrix(weeks: int = 10, noise: float = 0.0, seed: int = 3):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-05", periods=7 * weeks, freq="D")  # starts on a Monday
    pattern = np.array([10, 10, 10, 10, 10, 30, 5], dtype=float)
    units = np.tile(pattern, weeks) + rng.normal(0, noise, len(days))
    sales = pd.DataFrame({"series_id": 1, "date": days, "units": np.maximum(units, 0)})
    return demand_matrix(sales)


def test_missing_days_become_zero_demand():
    sales = pd.DataFrame(
        {"series_id": [7, 7], "date": pd.to_datetime(["2026-01-01", "2026-01-04"]), "units": [2.0, 5.0]}
    )
    matrix = demand_matrix(sales)
    assert matrix.values.tolist() == [[2.0, 0.0, 0.0, 5.0]]
    assert long_frame(matrix)["target"].tolist() == [2.0, 0.0, 0.0, 5.0]


def test_each_method_forecasts_what_it_should():
    history = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8]])
    assert baselines.point_forecast(history, method="naive", horizon=2).tolist() == [[8, 8]]
    assert baselines.point_forecast(history, method="seasonal_naive", horizon=8).tolist() == [[2, 3, 4, 5, 6, 7, 8, 2]]
    assert baselines.point_forecast(history, method="moving_average", horizon=1, window=4).tolist() == [[6.5]]
    with pytest.raises(ValueError, match="Unknown baseline method"):
        baselines.point_forecast(history, method="oracle", horizon=1)


def test_a_weekly_pattern_is_learned_by_seasonal_naive():
    model, scores = baselines.BaselineForecaster.fit(weekly_matrix(), horizon=14)
    assert model.method == "seasonal_naive"
    assert scores["wape"] == 0.0 and scores["wape_seasonal_naive"] < scores["wape_moving_average"]


def test_interval_coverage_is_measured_on_an_origin_the_widths_did_not_see():
    scores = baselines.evaluate(weekly_matrix(weeks=20, noise=3.0), method="seasonal_naive", horizon=14, window=28)
    assert 0.6 <= scores["coverage_80"] <= 1.0 and scores["coverage_95"] >= scores["coverage_80"]


def test_predict_gives_nested_non_negative_intervals_and_round_trips_through_json():
    model, _ = baselines.BaselineForecaster.fit(weekly_matrix(noise=2.0), horizon=7)
    restored = baselines.BaselineForecaster.from_bytes(model.to_bytes())
    assert restored == model and json.loads(model.to_bytes())["kind"] == "baseline"
    result = restored.predict_intervals(weekly_matrix(noise=2.0))
    assert result["forecast"].shape == (1, 7)
    assert (result["lower_95"] <= result["lower_80"]).all() and (result["upper_80"] <= result["upper_95"]).all()
    assert (result["lower_95"] >= 0).all()
    assert restored.explain(weekly_matrix(), 7) == [[]] and restored.interval_widths is None


def test_too_little_history_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="Not enough history"):
        baselines.backtest(weekly_matrix(weeks=2), method="naive", horizon=14, window=7)


def test_error_measures():
    actual, forecast = np.array([[2.0, 0.0, 4.0]]), np.array([[1.0, 1.0, 4.0]])
    assert metrics.mae(actual, forecast) == pytest.approx(2 / 3)
    assert metrics.wape(actual, forecast) == pytest.approx(2 / 6)
    assert metrics.smape(actual, forecast) == pytest.approx((2 / 3 + 2) / 3)
    assert metrics.coverage(actual, actual - 1, actual + 1) == 1.0


def test_demand_classes_follow_the_adi_and_cv2_cutoffs():
    from forecasting.ml.demand_class import classify

    series = np.array(
        [
            [5, 6, 5, 6, 5, 6, 5, 6],  # every period, steady sizes
            [1, 20, 2, 30, 1, 25, 3, 40],  # every period, sizes all over the place
            [0, 0, 5, 0, 0, 5, 0, 6],  # rare, steady sizes
            [0, 0, 1, 0, 0, 40, 0, 2],  # rare and erratic
            [0, 0, 0, 0, 0, 0, 0, 0],
        ],
        dtype=float,
    )
    assert classify(series).tolist() == ["smooth", "erratic", "intermittent", "lumpy", "no demand"]
