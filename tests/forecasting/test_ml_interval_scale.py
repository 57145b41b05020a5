"""Interval widths of a steady high-volume product among many lumpy ones: the widths are calibrated on
errors in units of each series' own recent spread, so the lumpy majority's pooled widths do not make a
product that sells 700-1,300 a day look as uncertain as one that sells in rare big orders."""

import numpy as np
import pandas as pd

from forecasting.ml.ensemble import EnsembleForecaster
from forecasting.ml.intervals import recent_scale
from forecasting.ml.matrix import DemandMatrix
from tests.forecasting.test_ml_ensemble import Last, Mean

HORIZON = 7


def _marketplace(seed: int = 3) -> tuple[DemandMatrix, np.ndarray]:
    """Eight steady products around 1,000 a day (spread ~150) and 112 lumpy ones (rare big orders)."""
    rng = np.random.default_rng(seed)
    periods, n_steady, n_lumpy = 180, 8, 112
    days = pd.date_range("2025-01-06", periods=periods, freq="D")
    steady = np.clip(rng.normal(1000, 150, (n_steady, periods)), 0, None).round()
    orders = rng.random((n_lumpy, periods)) < 0.15
    lumpy = orders * rng.gamma(0.8, 40.0, orders.shape).round()
    values = np.vstack([steady, lumpy])
    return DemandMatrix(series_ids=np.arange(len(values)), days=days, values=values), np.arange(n_steady)


def test_a_steady_high_volume_band_is_no_wider_than_its_own_spread_warrants():
    matrix, steady = _marketplace()
    history = matrix.head(matrix.n_periods - HORIZON)
    model, _ = EnsembleForecaster.train(history, {"mean": Mean, "last": Last}, horizon=HORIZON, n_origins=4)
    bounds = model.predict_intervals(history, HORIZON)
    spread = history.values[steady, -28:].std(axis=1)[:, None]
    width_80 = bounds["upper_80"][steady] - bounds["lower_80"][steady]
    width_95 = bounds["upper_95"][steady] - bounds["lower_95"][steady]
    # A normal spread puts 80% of days within ±1.28 sd and 95% within ±1.96 sd; allow half as much again.
    assert (width_80 <= 1.5 * 2 * 1.28 * spread).all(), width_80.max()
    assert (width_95 <= 1.5 * 2 * 1.96 * spread).all(), width_95.max()
    assert (bounds["lower_80"][steady] > 500).all()  # never "anywhere from nothing"
    # The forecast sits at the recent level, not below it.
    recent = history.values[steady, -28:].mean(axis=1)
    assert np.allclose(bounds["forecast"][steady].mean(axis=1), recent, rtol=0.05)
    # Still honest: the steady products' unseen week falls inside the 80% band about 80% of the time.
    actual = matrix.values[steady, -HORIZON:]
    inside = (actual >= bounds["lower_80"][steady]) & (actual <= bounds["upper_80"][steady])
    assert 0.6 <= inside.mean() <= 0.97


def test_the_interval_scale_is_the_recent_spread_at_least_the_counting_noise():
    history = np.array([[1000.0, 1200.0] * 14, [5.0] * 28, [0.0] * 28])
    scale = recent_scale(history)
    assert scale[0] == np.std(history[0]) and scale[1] == np.sqrt(5.0) and scale[2] > 0


def test_the_app_members_keep_a_steady_high_volume_band_tight_and_unbiased():
    """The same marketplace through the members the app trains (seasonal naive, moving average, the
    demand-class smoothers and a small LightGBM): the band stays within the history's spread and the
    point forecast does not sit below a flat recent level (what a vendor saw on /vendor/demand/)."""
    from forecasting.ml.baselines import MovingAverageForecaster, SeasonalNaiveForecaster
    from forecasting.ml.lgbm import GlobalLightGBM
    from forecasting.ml.statistical import IntermittentForecaster

    matrix, steady = _marketplace(seed=5)
    history = matrix.head(matrix.n_periods - HORIZON)
    members = {
        "seasonal_naive": SeasonalNaiveForecaster,
        "moving_average": MovingAverageForecaster,
        "intermittent": IntermittentForecaster,
        "lightgbm": lambda: GlobalLightGBM(num_boost_round=40),
    }
    model, _ = EnsembleForecaster.train(history, members, horizon=HORIZON, n_origins=3)
    bounds = model.predict_intervals(history, HORIZON)
    recent = history.values[steady, -28:]
    spread = recent.std(axis=1)[:, None]
    width_80 = bounds["upper_80"][steady] - bounds["lower_80"][steady]
    assert (width_80 <= 1.5 * 2 * 1.28 * spread).all(), width_80.max()
    assert (bounds["lower_80"][steady] > 500).all()
    # Not biased low: the week's mean forecast is at least 97% of the flat recent level.
    assert (bounds["forecast"][steady].mean(axis=1) >= 0.97 * recent.mean(axis=1)).all()
