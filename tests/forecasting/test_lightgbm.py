"""The global LightGBM model on synthetic series with a weekly rhythm and a promotion
effect (no database; small and seeded)."""

import numpy as np
import pandas as pd

from forecasting.ml import metrics
from forecasting.ml.baselines import point_forecast
from forecasting.ml.features import MAX_LOOKBACK, SPECS, history_features, periods_to_christmas, spec_for
from forecasting.ml.lgbm import GlobalLightGBM
from forecasting.ml.matrix import DemandMatrix, to_weekly


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


def matrix_of(values, days, promo=None):
    exogenous = {} if promo is None else {"promo": promo}
    return DemandMatrix(series_ids=np.arange(values.shape[0]), days=days, values=values, exogenous=exogenous)


def test_the_global_model_beats_seasonal_naive_and_explains_promotions():
    values, days, promo = synthetic()
    horizon = 14
    train, test = values[:, :-horizon], values[:, -horizon:]
    history = matrix_of(values, days, promo).head(values.shape[1] - horizon)  # promotions are planned ahead
    model = GlobalLightGBM(num_boost_round=150).fit(history)
    forecast = model.predict(history, horizon)
    assert forecast.shape == test.shape and (forecast >= 0).all()
    lgbm_mae = metrics.mae(test, forecast)
    naive_mae = metrics.mae(test, point_forecast(train, method="seasonal_naive", horizon=horizon))
    assert lgbm_mae < 0.85 * naive_mae
    explanations = model.explain(history, horizon)
    assert len(explanations) == values.shape[0]
    drivers = {d["driver"] for e in explanations for d in e}
    assert drivers and not drivers & {"recent demand", "product profile"}  # the level is not a reason
    assert all(item["text"].endswith("%") for e in explanations for item in e)
    # Where a promotion runs in the horizon it is among the series' drivers, and it lifts.
    promoted = promo[:, -horizon:].sum(axis=1).argmax()
    effects = {d["driver"]: d["effect"] for d in model.explain(history.rows(np.array([promoted])), horizon, top=8)[0]}
    assert effects.get("promotion", 0) > 0


def test_weekly_series_get_their_own_lags():
    values, days, _ = synthetic(n_series=6, n_days=7 * 60)
    weekly = to_weekly(matrix_of(values, days))
    model = GlobalLightGBM(num_boost_round=30).fit(weekly.head(weekly.n_periods - 4))
    assert "lag_13" in model.feature_names_ and "dow" not in model.feature_names_
    forecast = model.predict(weekly.head(weekly.n_periods - 4), 4)
    assert forecast.shape == (6, 4)
    assert 0.5 < forecast.mean() / weekly.values[:, -4:].mean() < 1.5


def test_the_model_round_trips_through_lightgbm_text():
    values, days, _ = synthetic(n_series=3, n_days=MAX_LOOKBACK + 60)
    matrix = matrix_of(values, days)
    model = GlobalLightGBM(num_boost_round=20).fit(matrix)
    restored = GlobalLightGBM.from_bytes(model.to_bytes())
    assert np.allclose(model.predict(matrix, 5), restored.predict(matrix, 5))
    assert b"tree" in model.to_bytes()


def test_censored_days_are_left_out_of_training():
    values, days, _ = synthetic(n_series=4, n_days=MAX_LOOKBACK + 60)
    censored = np.zeros_like(values, dtype=bool)
    censored[:, -20:] = True
    values[:, -20:] = 0  # a stockout: zero sales, not zero demand
    matrix = matrix_of(values, days)
    matrix.censored = censored
    model = GlobalLightGBM(num_boost_round=60).fit(matrix)
    forecast = model.predict(matrix_of(values[:, :-20], days[:-20]), 7)
    assert forecast.mean() > 0.5 * values[:, :-20].mean()
    uncensored = GlobalLightGBM(num_boost_round=60).fit(matrix_of(values, days))
    assert uncensored.predict(matrix_of(values[:, :-20], days[:-20]), 7).mean() < forecast.mean()


def test_yearly_lags_join_only_when_the_history_holds_a_year_to_learn_from():
    assert spec_for("W", 52) == SPECS["W"] and spec_for("D", 400) == SPECS["D"]
    weekly, daily = spec_for("W", 156), spec_for("D", 1000)
    assert weekly.yearly_lags == (52,) and daily.yearly_lags == (364,)  # 364: the same weekday a year ago
    assert weekly.fourier and daily.max_lookback == 364 + 3
    assert not daily.fourier  # daily: last year and the holiday calendar, no Fourier terms


def test_yearly_features_never_look_ahead():
    values = np.arange(200, dtype=float).reshape(1, 200)
    features = history_features(values, spec_for("W", 200))
    assert features["last_year_52"][0, 100] == 48.0
    assert features["last_year_mean_52"][0, 100] == np.mean(values[0, 47:50])  # weeks 47-49 around week 48
    assert np.isnan(features["last_year_52"][0, 51]) and np.isnan(features["last_year_mean_52"][0, 52])
    days = pd.date_range("2024-12-16", periods=3, freq="W-MON")
    assert list(periods_to_christmas(days, "W")) == [-9 / 7, -2 / 7, 5 / 7]


def test_a_weekly_model_with_three_years_learns_the_december_peak_from_last_year():
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2023-01-02", periods=156, freq="W-MON")
    peak = np.where((weeks.month == 12) & (weeks.day >= 8) & (weeks.day <= 28), 3.0, 1.0)
    values = rng.poisson(rng.uniform(5, 40, (30, 1)) * peak).astype(float)
    matrix = DemandMatrix(series_ids=np.arange(30), days=weeks, values=values, freq="W")
    cutoff = int(np.flatnonzero(weeks >= "2025-12-01")[0])  # forecast the run into the last December
    history = matrix.head(cutoff)
    model = GlobalLightGBM(num_boost_round=80).fit(history)
    assert model.spec_.yearly_lags == (52,) and "last_year_52" in model.feature_names_
    forecast, actual = model.predict(history, 4), values[:, cutoff : cutoff + 4]
    assert metrics.wape(actual, forecast) < 0.5 * metrics.wape(actual, np.repeat(history.values[:, -1:], 4, axis=1))
    restored = GlobalLightGBM.from_bytes(model.to_bytes())
    assert restored.spec_ == model.spec_
    np.testing.assert_allclose(restored.predict(history, 4), forecast)


def test_forecast_and_explanation_from_one_recursion_equal_them_apart():
    """The on-demand answer forecasts and explains in one recursion: the same numbers and words as
    predict() and explain() run separately (the explained days are the forecast's first ones)."""
    values, days, promo = synthetic(n_series=5, n_days=120)
    history = matrix_of(values, days, promo).head(106)
    model = GlobalLightGBM(num_boost_round=30).fit(history)
    forecast, explanation = model.predict_explained(history, 14, top=4)
    np.testing.assert_array_equal(forecast, model.predict(history, 14))
    assert explanation == model.explain(history, 14, top=4)
    short_forecast, short_explanation = model.predict_explained(history, 3)
    np.testing.assert_array_equal(short_forecast, forecast[:, :3])
    assert short_explanation == model.explain(history, 3)
