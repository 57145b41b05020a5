"""The global LightGBM model on synthetic series with a weekly rhythm and a promotion
effect (no database; small and seeded)."""

import numpy as np
import pandas as pd

from forecasting.ml import metrics
from forecasting.ml.baselines import point_forecast
from forecasting.ml.features import MAX_LOOKBACK, history_features
from forecasting.ml.lgbm import GlobalLightGBM


def synthetic(n_series=12, n_days=200, seed=1):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2026-01-05", periods=n_days, freq="D")
    level = rng.uniform(3, 20, size=(n_series, 1))
    weekly = np.where(days.dayofweek.to_numpy() == 5, 1.8, 1.0)
    promo = (rng.random((n_series, n_days)) < 0.1).astype(float)
    mean = level * weekly * (1 + 0.8 * promo)
    return rng.poisson(mean).astype(float), days, promo


def test_history_features_never_look_ahead():
    values = np.arange(40, dtype=float).reshape(1, 40)
    features = history_features(values)
    assert np.isnan(features["lag_1"][0, 0]) and features["lag_1"][0, 10] == 9.0
    assert features["lag_7"][0, 10] == 3.0
    assert features["mean_7"][0, 30] == np.mean(values[0, 23:30])


def test_the_global_model_beats_seasonal_naive_and_explains_promotions():
    values, days, promo = synthetic()
    horizon = 14
    train, test = values[:, :-horizon], values[:, -horizon:]
    codes = np.arange(values.shape[0])
    model = GlobalLightGBM(num_boost_round=150).fit(
        train, days[:-horizon], series_codes=codes, exogenous={"promo": promo[:, :-horizon]}
    )
    result = model.forecast(
        train, days[:-horizon], horizon, series_codes=codes, exogenous={"promo": promo}, explain=True
    )
    assert result["forecast"].shape == test.shape and (result["forecast"] >= 0).all()
    lgbm_mae = metrics.mae(test, result["forecast"])
    naive_mae = metrics.mae(test, point_forecast(train, method="seasonal_naive", horizon=horizon))
    assert lgbm_mae < 0.85 * naive_mae
    explanations = model.explain(result["contributions"])
    assert len(explanations) == values.shape[0]
    drivers = {d["driver"] for e in explanations for d in e}
    assert "recent demand" in drivers or "product profile" in drivers
    assert all(item["text"].startswith(item["driver"]) for e in explanations for item in e)


def test_the_model_round_trips_through_lightgbm_text():
    values, days, _ = synthetic(n_series=3, n_days=MAX_LOOKBACK + 60)
    codes = np.arange(3)
    model = GlobalLightGBM(num_boost_round=20).fit(values, days, series_codes=codes)
    restored = GlobalLightGBM.from_bytes(model.to_bytes())
    a = model.forecast(values, days, 5, series_codes=codes)["forecast"]
    b = restored.forecast(values, days, 5, series_codes=codes)["forecast"]
    assert np.allclose(a, b)
    assert b"tree" in model.to_bytes()


def test_censored_days_are_left_out_of_training():
    values, days, _ = synthetic(n_series=4, n_days=MAX_LOOKBACK + 60)
    censored = np.zeros_like(values, dtype=bool)
    censored[:, -20:] = True
    values[:, -20:] = 0  # a stockout: zero sales, not zero demand
    model = GlobalLightGBM(num_boost_round=60).fit(values, days, series_codes=np.arange(4), censored=censored)
    forecast = model.forecast(values[:, :-20], days[:-20], 7, series_codes=np.arange(4))["forecast"]
    assert forecast.mean() > 0.5 * values[:, :-20].mean()
