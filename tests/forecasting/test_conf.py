"""Forecasting's settings object reads the same environment variables the settings module did."""

import pytest

from forecasting.conf import DEFAULT_MEMBERS, ForecastingSettings, forecasting_settings

NAMES = (
    "MEMBERS",
    "LSTM_EPOCHS",
    "LGBM_ROUNDS",
    "HISTORY_DAYS",
    "BACKTEST_ORIGINS",
    "REFIT",
    "TRAINING_PROCESSES",
    "SCORING_HORIZON_DAYS",
)


def test_defaults_without_the_environment(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(f"RETAILIQ_FORECAST_{name}", raising=False)
    conf = ForecastingSettings.from_env()
    assert conf == ForecastingSettings()
    assert conf.members == DEFAULT_MEMBERS and conf.lstm_epochs == 5 and conf.lgbm_rounds == 300
    assert (conf.history_days, conf.backtest_origins, conf.refit, conf.scoring_horizon_days) == (730, 3, True, 28)
    assert conf.training_processes == 2


def test_every_knob_comes_from_its_variable(monkeypatch):
    values = ("lightgbm", "2", "50", "365", "4", "false", "1", "7")
    for name, value in zip(NAMES, values, strict=True):
        monkeypatch.setenv(f"RETAILIQ_FORECAST_{name}", value)
    assert ForecastingSettings.from_env() == ForecastingSettings("lightgbm", 2, 50, 365, 4, False, 1, 7)


def test_a_value_that_is_not_a_number_is_refused(monkeypatch):
    monkeypatch.setenv("RETAILIQ_FORECAST_LGBM_ROUNDS", "many")
    with pytest.raises(ValueError):
        ForecastingSettings.from_env()


def test_the_test_settings_train_small_models():
    conf = forecasting_settings()
    assert (conf.lstm_epochs, conf.lgbm_rounds, conf.scoring_horizon_days) == (1, 40, 14)
    assert conf.training_processes == 1  # no worker processes started by every training test
