"""The CNN-LSTM learns in units of each series' own level: a series selling a thousand times as much
gets a thousand times the forecast and the interval bounds, and intermittent series get bounds that
start at zero and stay near what they sell. Tiny seeded nets, a three-origin backtest."""

import numpy as np
import pandas as pd
import pytest

from forecasting.ml.backtest import BacktestResult, rolling_origin
from forecasting.ml.lstm import CNNLSTMForecaster
from forecasting.ml.matrix import DemandMatrix

HORIZON = 4
TINY = {
    "window": 8,
    "output_steps": 4,
    "filters": 4,
    "units": 8,
    "epochs": 3,
    "batch_size": 64,
    "max_windows": 600,
    "learning_rate": 0.005,
    "seed": 11,
}
FACTOR = 1000.0
BIG = 0  # the series multiplied by FACTOR


def steady_and_intermittent(weeks: int = 60, seed: int = 4) -> tuple[DemandMatrix, np.ndarray]:
    """Weekly sales: ten steady products (5 to 60 a week, a mild yearly swing), ten intermittent
    ones (a few units in about one week of four) and one never sold."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=weeks, freq="W-MON")
    swing = 1 + 0.3 * np.sin(2 * np.pi * np.arange(weeks) / 52)
    steady = rng.poisson(rng.uniform(5, 60, (10, 1)) * swing).astype(float)
    intermittent = ((rng.random((10, weeks)) < 0.25) * rng.integers(1, 6, (10, weeks))).astype(float)
    never_sold = np.zeros((1, weeks))  # the last series: listed, never sold
    values = np.vstack([steady, intermittent, never_sold])
    return DemandMatrix(series_ids=np.arange(21), days=days, values=values, freq="W"), np.arange(21) >= 10


def _backtest(matrix: DemandMatrix) -> BacktestResult:
    return rolling_origin(
        matrix, {"cnn_lstm": lambda: CNNLSTMForecaster(**TINY)}, horizon=HORIZON, n_origins=3, raise_errors=True
    )


@pytest.fixture(scope="module")
def backtests() -> tuple[BacktestResult, BacktestResult, np.ndarray, np.ndarray]:
    matrix, intermittent = steady_and_intermittent()
    scaled_values = matrix.values.copy()
    scaled_values[BIG] *= FACTOR
    scaled = DemandMatrix(series_ids=matrix.series_ids, days=matrix.days, values=scaled_values, freq="W")
    intermittent[-1] = False
    return _backtest(matrix), _backtest(scaled), intermittent, matrix.values


def test_a_series_a_thousand_times_bigger_gets_a_thousand_times_the_forecast_and_bounds(backtests):
    plain, scaled, _, _ = backtests
    for before, after in zip(plain.folds, scaled.folds, strict=True):
        np.testing.assert_allclose(
            after.forecasts["cnn_lstm"][BIG], FACTOR * before.forecasts["cnn_lstm"][BIG], rtol=1e-3
        )
        # The other series do not notice a giant among them.
        np.testing.assert_allclose(after.forecasts["cnn_lstm"][1:], before.forecasts["cnn_lstm"][1:], rtol=1e-3)
    plain_bounds, scaled_bounds = plain.last_bounds("cnn_lstm"), scaled.last_bounds("cnn_lstm")
    for key in ("lower_80", "upper_80", "lower_95", "upper_95"):
        np.testing.assert_allclose(scaled_bounds[key][BIG], FACTOR * plain_bounds[key][BIG], rtol=1e-3, atol=1e-6)
    assert (plain_bounds["upper_95"][BIG] > plain_bounds["upper_80"][BIG]).all()  # a band, not a point


def test_intermittent_series_get_non_negative_bounds_near_what_they_sell(backtests):
    plain, _, intermittent, values = backtests
    bounds = plain.last_bounds("cnn_lstm")
    forecast = plain.folds[-1].forecasts["cnn_lstm"][intermittent]
    history = values[intermittent, : plain.folds[-1].cutoff]
    lower_80, upper_80 = bounds["lower_80"][intermittent], bounds["upper_80"][intermittent]
    lower_95, upper_95 = bounds["lower_95"][intermittent], bounds["upper_95"][intermittent]
    assert (lower_95 >= 0).all() and (lower_95 <= lower_80).all()
    assert (lower_80 <= forecast).all() and (forecast <= upper_80).all() and (upper_80 <= upper_95).all()
    # A week without a sale is likely for these products, so the 80% band reaches down to zero.
    assert (lower_80 < 0.5).mean() >= 0.9
    # The forecast is near the mean rate (about 0.75 a week), not pulled towards the steady sellers.
    assert 0.25 <= forecast.mean() / history.mean() <= 2.0, forecast.mean() / history.mean()
    # The 95% band reaches at least the typical sale but not far past the biggest week ever sold.
    biggest = history.max(axis=1, keepdims=True)
    assert (upper_95.max(axis=1) >= 1.0).all() and (upper_95 <= 2.0 * biggest).all()
    # A product never sold is forecast at zero, with a band at zero: nothing is known of it.
    assert (plain.folds[-1].forecasts["cnn_lstm"][-1] == 0).all() and (bounds["upper_95"][-1] < 0.5).all()
    # And it is honest on the series' unseen weeks: most fall inside.
    actual = plain.folds[-1].actual[intermittent]
    assert ((actual >= lower_95) & (actual <= upper_95)).mean() >= 0.8


def test_no_training_window_starts_before_a_series_first_sale():
    """A product launched late: its zeros before the first sale are not demand, and the jump from them to
    hundreds a week is not something a window can forecast, so no window reaching before it is learned from."""
    matrix, _ = steady_and_intermittent()
    values = matrix.values.copy()
    launch = 40
    values[0, :launch] = 0.0
    values[0, launch:] = 300.0
    late = DemandMatrix(series_ids=matrix.series_ids, days=matrix.days, values=values, freq="W")
    model = CNNLSTMForecaster(**{**TINY, "max_windows": 10_000})
    window, steps = TINY["window"], TINY["output_steps"]
    train_series, train_ends, val_series, val_ends = model._windows(late, window, steps, season=0)
    assert (train_ends[train_series == 0] - window >= launch).all()
    assert (train_series == 0).sum() == late.n_periods - 2 * steps + 1 - (launch + window)  # the rest are kept
    assert (train_series == 1).sum() == late.n_periods - 2 * steps + 1 - window  # other series untouched
    assert 0 in val_series and (val_ends == late.n_periods - steps).all()
