"""The forecasters the ensemble is built from, by name, with the knobs a training run's
parameters may set. Each factory makes a fresh, unfitted model; the LSTM module imports
TensorFlow only when a model is fitted or loaded, so naming it here costs nothing.

A factory is a class with its arguments bound (functools.partial), resolved from the
parameters and settings here: it pickles, so the training's worker processes can build
the same member without reading any settings of their own."""

from collections.abc import Callable
from functools import partial
from typing import Any

from .conf import forecasting_settings
from .ml.base import Forecaster
from .ml.baselines import MovingAverageForecaster, SeasonalNaiveForecaster
from .ml.lgbm import GlobalLightGBM


def _lightgbm(params: dict[str, Any]) -> Callable[[], Forecaster]:
    overrides = {k: params[k] for k in ("learning_rate", "num_leaves", "min_data_in_leaf") if k in params}
    return partial(
        GlobalLightGBM,
        num_boost_round=int(params.get("rounds") or forecasting_settings().lgbm_rounds),
        params=overrides or None,
    )


def _intermittent(params: dict[str, Any]) -> Callable[[], Forecaster]:
    from .ml.statistical import IntermittentForecaster

    return partial(IntermittentForecaster)


def _cnn_lstm(params: dict[str, Any]) -> Callable[[], Forecaster]:
    from .ml.lstm import CNNLSTMForecaster

    return partial(CNNLSTMForecaster, epochs=int(params.get("lstm_epochs") or forecasting_settings().lstm_epochs))


MEMBERS: dict[str, Callable[[dict[str, Any]], Callable[[], Forecaster]]] = {
    "seasonal_naive": lambda params: partial(SeasonalNaiveForecaster),
    "moving_average": lambda params: partial(MovingAverageForecaster, window=int(params.get("window") or 28)),
    "intermittent": _intermittent,
    "lightgbm": _lightgbm,
    "cnn_lstm": _cnn_lstm,
}


def member_names(params: dict[str, Any]) -> list[str]:
    """params["members"] (a list or a comma-separated string) or the configured default."""
    wanted = params.get("members") or forecasting_settings().members
    names = [n.strip() for n in (wanted.split(",") if isinstance(wanted, str) else wanted) if n.strip()]
    unknown = sorted(set(names) - set(MEMBERS))
    if unknown or not names:
        raise ValueError(f"Unknown forecasting member(s) {unknown}; choose from {', '.join(MEMBERS)}.")
    return names


def member_factories(params: dict[str, Any]) -> dict[str, Callable[[], Forecaster]]:
    return {name: MEMBERS[name](params) for name in member_names(params)}
