"""Demand forecasting's settings: environment variables read through the one reader the
settings use (retailiq.core.env), so the project's settings know nothing of them."""

from dataclasses import dataclass
from functools import cache

from retailiq.core.env import env

DEFAULT_MEMBERS = "seasonal_naive,moving_average,intermittent,lightgbm,cnn_lstm"


@dataclass(frozen=True)
class ForecastingSettings:
    """What a training run uses unless its parameters say otherwise: the ensemble's
    members, the LSTM's training epochs, LightGBM's boosting rounds, the history it reads,
    the backtest origins its weights and intervals are fitted on, whether it refits on
    the whole history, and how many worker processes run the members' fits side by side
    (1: all in the training process; the result is the same either way). Nightly forecasts
    reach `scoring_horizon_days` ahead (the pages show the next four weeks)."""

    members: str = DEFAULT_MEMBERS
    lstm_epochs: int = 5
    lgbm_rounds: int = 300
    history_days: int = 730
    backtest_origins: int = 3
    refit: bool = True
    # Two: the machine the defaults are sized for has two cores, and each fit runs on one
    # thread (LightGBM's) or two (TensorFlow's), so two processes keep both busy.
    training_processes: int = 2
    scoring_horizon_days: int = 28

    @classmethod
    def from_env(cls) -> "ForecastingSettings":
        default = cls()
        return cls(
            members=env.str("RETAILIQ_FORECAST_MEMBERS", default=default.members),
            lstm_epochs=env.int("RETAILIQ_FORECAST_LSTM_EPOCHS", default=default.lstm_epochs),
            lgbm_rounds=env.int("RETAILIQ_FORECAST_LGBM_ROUNDS", default=default.lgbm_rounds),
            history_days=env.int("RETAILIQ_FORECAST_HISTORY_DAYS", default=default.history_days),
            backtest_origins=env.int("RETAILIQ_FORECAST_BACKTEST_ORIGINS", default=default.backtest_origins),
            refit=env.bool("RETAILIQ_FORECAST_REFIT", default=default.refit),
            training_processes=env.int("RETAILIQ_FORECAST_TRAINING_PROCESSES", default=default.training_processes),
            scoring_horizon_days=env.int(
                "RETAILIQ_FORECAST_SCORING_HORIZON_DAYS", default=default.scoring_horizon_days
            ),
        )


@cache
def forecasting_settings() -> ForecastingSettings:
    """Read once per process (the app checks it at start, so a bad value stops the start)."""
    return ForecastingSettings.from_env()
