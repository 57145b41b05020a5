"""The global CNN-LSTM on tiny seeded synthetic matrices (no database, a few epochs)."""

import io
import json
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.ml import metrics
from forecasting.ml.base import Forecaster
from forecasting.ml.lstm import CNNLSTMForecaster
from forecasting.ml.matrix import DemandMatrix, to_weekly

REPO = Path(__file__).resolve().parents[2]
WEEKLY_SHAPE = np.array([0.6, 0.8, 0.9, 1.0, 1.3, 2.0, 0.4])
TINY = {
    "window": 14,
    "output_steps": 7,
    "filters": 8,
    "units": 16,
    "epochs": 3,
    "batch_size": 64,
    "learning_rate": 0.003,
}


def weekly_patterned(n_series: int = 30, n_days: int = 168, seed: int = 0) -> DemandMatrix:
    """Fast and slow sellers (levels 2 to 60) sharing one strong day-of-week shape."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-06", periods=n_days, freq="D")  # a Monday
    levels = rng.uniform(2, 60, size=(n_series, 1))
    values = rng.poisson(levels * np.tile(WEEKLY_SHAPE, n_days // 7)).astype(float)
    return DemandMatrix(series_ids=np.arange(n_series), days=days, values=values)


@pytest.fixture(scope="module")
def fitted() -> tuple[CNNLSTMForecaster, DemandMatrix, np.ndarray]:
    matrix = weekly_patterned()
    history = matrix.head(matrix.n_periods - 14)
    model = CNNLSTMForecaster(**TINY, max_windows=3000, seed=3).fit(history)
    return model, history, matrix.values[:, -14:]


def test_importing_the_module_does_not_load_tensorflow():
    code = "import sys, forecasting.ml.lstm; print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_it_is_a_forecaster():
    assert isinstance(CNNLSTMForecaster(), Forecaster) and CNNLSTMForecaster.name == "cnn_lstm"


def test_it_learns_a_strong_weekly_pattern_better_than_a_flat_mean(fitted):
    model, history, actual = fitted
    forecast = model.predict(history, 14)
    flat = np.repeat(history.values[:, -28:].mean(axis=1, keepdims=True), 14, axis=1)
    # Over model seeds 3, 5 and 6 the ratio was 0.38-0.43 and the correlation 0.97-0.99.
    assert metrics.mae(actual, forecast) < 0.6 * metrics.mae(actual, flat)
    # The shape is shared across fast and slow sellers thanks to per-window scaling.
    shape = (forecast / forecast.mean(axis=1, keepdims=True)).mean(axis=0)
    assert np.corrcoef(shape, np.tile(WEEKLY_SHAPE, 2))[0, 1] > 0.9
    assert model.history_["train_windows"] > 0 and model.history_["validation_windows"] == 30


def test_forecasts_are_positive_and_roll_past_one_block(fitted):
    model, history, _ = fitted
    forecast = model.predict(history, 17)  # three blocks of 7
    assert forecast.shape == (30, 17) and np.isfinite(forecast).all() and (forecast >= 0).all()
    short = history.rows(np.arange(3)).head(5)  # shorter than the window: padded with its mean
    assert model.predict(short, 7).shape == (3, 7)


def test_a_stockout_at_the_end_is_not_read_as_demand_collapsing(fitted):
    model, history, _ = fitted
    censored = np.zeros_like(history.values, dtype=bool)
    censored[:, -10:] = True
    out_of_stock = replace(history, values=np.where(censored, 0.0, history.values), censored=censored)
    honest = model.predict(out_of_stock, 7).mean()
    zeros_as_demand = model.predict(replace(out_of_stock, censored=None), 7).mean()
    assert honest == pytest.approx(model.predict(history, 7).mean(), rel=0.3)
    assert zeros_as_demand < 0.5 * honest


def test_save_and_load_give_the_same_forecasts(fitted):
    model, history, _ = fitted
    raw = model.to_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert sorted(archive.namelist()) == ["meta.json", "model.keras"]
        meta = json.loads(archive.read("meta.json"))
    assert meta["kind"] == "cnn_lstm" and meta["window"] == 14 and "tensorflow" in meta["versions"]
    restored = CNNLSTMForecaster.from_bytes(raw)
    assert restored.get_params() == model.get_params()
    np.testing.assert_allclose(restored.predict(history, 10), model.predict(history, 10), rtol=1e-6)


def test_a_seeded_fit_is_repeatable_and_weekly_data_works():
    weekly = to_weekly(weekly_patterned(n_series=12, n_days=7 * 40, seed=1))
    params = {**TINY, "window": 8, "output_steps": 4, "epochs": 1, "max_windows": 300}
    first = CNNLSTMForecaster(**params, seed=5).fit(weekly).predict(weekly, 6)
    second = CNNLSTMForecaster(**params, seed=5).fit(weekly).predict(weekly, 6)
    assert first.shape == (12, 6) and (first >= 0).all()
    np.testing.assert_allclose(first, second, rtol=1e-5)


def test_too_short_a_history_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="needs at least 28 periods"):
        CNNLSTMForecaster(**TINY).fit(weekly_patterned(n_series=2, n_days=21))


def big_and_intermittent(weeks: int = 140, seed: int = 0) -> tuple[DemandMatrix, np.ndarray]:
    """Weekly sales: twenty products selling about 20,000 a week with a yearly peak in December, and thirty
    intermittent ones (a sale of a few units in three weeks out of ten)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    peak = 1 + 0.5 * np.exp(-(((days.dayofyear.to_numpy() - 350 + 182) % 365 - 182) ** 2) / 200)
    big = rng.normal(rng.uniform(15_000, 25_000, (20, 1)) * peak, 1_000).clip(0).round()
    small = (rng.random((30, weeks)) < 0.3) * rng.poisson(3, (30, weeks))
    values = np.vstack([big, small]).astype(float)
    return DemandMatrix(series_ids=np.arange(50), days=days, values=values, freq="W"), np.arange(50) < 20


def test_per_series_scaling_serves_big_and_intermittent_series_with_honest_intervals():
    from forecasting.ml.backtest import rolling_origin

    matrix, big = big_and_intermittent()
    params = {**TINY, "window": 12, "output_steps": 4, "epochs": 6, "max_windows": 2000, "learning_rate": 0.005}
    result = rolling_origin(
        matrix, {"cnn_lstm": lambda: CNNLSTMForecaster(**params, seed=3)}, horizon=4, n_origins=4, raise_errors=True
    )
    for fold in result.folds:
        ratio = fold.forecasts["cnn_lstm"][big].sum() / fold.actual[big].sum()
        assert 0.85 <= ratio <= 1.15, ratio  # the big sellers' level, not pulled towards the small ones
        assert fold.forecasts["cnn_lstm"][~big].mean() < 3  # and the intermittent ones not pulled up
    # Intervals (widths learned from the earlier origins per demand class, in units of each series'
    # spread), checked on the last origin. The intermittent series are covered near nominal (0.79 and
    # 0.93 here); the big ones less (0.49 and 0.73): this tiny net's level is off by a different 1-5% at
    # each origin, a bias that widths learned from other origins cannot know. The goals on coverage are
    # the ensemble's, measured in bench/forecast_eval.py with full-size members.
    big_cover, small_cover = (result.model_metrics("cnn_lstm", rows=rows) for rows in (big, ~big))
    assert small_cover["coverage_80"] >= 0.65 and small_cover["coverage_95"] >= 0.85, small_cover
    assert big_cover["coverage_80"] >= 0.4 and big_cover["coverage_95"] >= 0.65, big_cover
    assert big_cover["rmsse"] < 1.0  # better than the naive forecast on the big sellers


def test_last_year_joins_the_inputs_once_the_history_holds_it():
    matrix, _ = big_and_intermittent()
    params = {**TINY, "window": 12, "output_steps": 4, "epochs": 1, "max_windows": 300}
    assert CNNLSTMForecaster(**params).fit(matrix).yearly_
    short = CNNLSTMForecaster(**params).fit(matrix.head(60))
    assert not short.yearly_ and short.predict(matrix.head(60), 4).shape == (50, 4)
    # Without a window given, a year of weekly history still leaves windows to learn from.
    default = CNNLSTMForecaster(**{**params, "window": None})
    assert default.window_for("W", 30) == 18 and default.fit(matrix.head(30)).window_ == 18


def test_a_short_history_gets_as_many_gradient_steps_as_a_full_set_of_windows():
    model = CNNLSTMForecaster(epochs=5, max_windows=20_000)
    assert model.epochs_for(20_000) == 5 and model.epochs_for(50_000) == 5
    assert model.epochs_for(10_000) == 10  # half the windows, passed over twice as often
    assert model.epochs_for(2_500) == 40 and model.epochs_for(10) == 40  # at most MAX_EPOCH_STRETCH times
    weekly = to_weekly(weekly_patterned(n_series=12, n_days=7 * 40, seed=1))  # 12 series x 25 end positions
    params = {**TINY, "window": 8, "output_steps": 4, "epochs": 1, "max_windows": 600, "patience": 5}
    fitted = CNNLSTMForecaster(**params, seed=5).fit(weekly)
    assert fitted.history_["train_windows"] == 300 and fitted.history_["epochs"] == 2
