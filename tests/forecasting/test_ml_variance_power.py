"""Tweedie's variance power from Taylor's law across series: what LightGBM is fitted with when no
power is given (no database; small and seeded)."""

import numpy as np
import pandas as pd
import pytest

from forecasting.ml.lgbm import DEFAULT_PARAMS, VARIANCE_POWER_BOUNDS, GlobalLightGBM, taylor_power
from forecasting.ml.matrix import DemandMatrix


def panel(power: float, *, n_series: int = 200, n_periods: int = 52, seed: int = 3) -> np.ndarray:
    """Gamma demand whose variance is its mean to `power` (shape mean^(2-p), scale mean^(p-1)),
    means spread from 1 to 2,000 a period."""
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.uniform(0, np.log(2000), size=(n_series, 1)))
    return rng.gamma(mean ** (2 - power), mean ** (power - 1), size=(n_series, n_periods))


@pytest.mark.parametrize("power", [1.25, 1.6])
def test_the_power_is_the_slope_of_variance_on_mean_across_series(power):
    assert taylor_power(panel(power)) == pytest.approx(power, abs=0.06)


def test_the_power_stays_within_bounds():
    low, high = VARIANCE_POWER_BOUNDS
    rng = np.random.default_rng(4)
    poisson = rng.poisson(np.exp(rng.uniform(0, 6, size=(100, 1))), size=(100, 52)).astype(float)
    assert taylor_power(poisson) == low  # Poisson's slope of 1 is below what Tweedie can fit
    assert taylor_power(panel(1.95)) == high


def test_too_few_series_or_no_spread_keep_the_default():
    default = DEFAULT_PARAMS["tweedie_variance_power"]
    assert taylor_power(panel(1.6, n_series=10)) == default
    assert taylor_power(np.zeros((50, 52))) == default
    assert taylor_power(np.full((50, 52), 7.0)) == default  # no variance anywhere
    mostly_unknown = panel(1.6)
    mostly_unknown[:, 3:] = np.nan  # three known periods per series are no estimate of a variance
    assert taylor_power(mostly_unknown) == default


def weekly_matrix(values: np.ndarray, censored: np.ndarray | None = None) -> DemandMatrix:
    days = pd.date_range("2025-01-06", periods=values.shape[1], freq="W-MON")
    return DemandMatrix(
        series_ids=np.arange(values.shape[0]),
        days=days,
        values=np.round(values),
        freq="W",
        censored=censored,
    )


def test_the_model_is_fitted_with_the_power_of_its_own_history():
    bulky = weekly_matrix(panel(1.6, n_series=60, n_periods=40))
    model = GlobalLightGBM(num_boost_round=5).fit(bulky)
    assert model.variance_power_ == pytest.approx(1.6, abs=0.1)
    restored = GlobalLightGBM.from_bytes(model.to_bytes())
    assert restored.variance_power_ == model.variance_power_
    np.testing.assert_allclose(restored.predict(bulky, 4), model.predict(bulky, 4))
    # A power given by the caller is used as given.
    fixed = GlobalLightGBM(num_boost_round=5, params={"tweedie_variance_power": 1.3}).fit(bulky)
    assert fixed.variance_power_ == 1.3


def test_zeros_before_a_launch_and_during_stockouts_are_not_demand():
    values = panel(1.25, n_series=60, n_periods=40)
    expected = GlobalLightGBM(num_boost_round=5).fit(weekly_matrix(values)).variance_power_
    # Half the products launch late, and a stockout empties a few weeks of others: zeros
    # that would inflate the small sellers' variance relative to their mean if counted.
    late = values.copy()
    late[::2, :20] = 0
    censored = np.zeros(values.shape, bool)
    censored[1::2, 25:30] = True
    late[censored] = 0
    model = GlobalLightGBM(num_boost_round=5).fit(weekly_matrix(late, censored))
    assert model.variance_power_ == pytest.approx(expected, abs=0.06)
    unmasked = late.copy()
    unmasked[::2, :20] = 0.0
    assert taylor_power(unmasked) > expected + 0.05  # what counting those zeros would give
