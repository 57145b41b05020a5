"""Lead-time demand: the moments of a random sum, and on a simulated lumpy intermittent item the negative binomial
holding its service level where the normal (z * sigma * sqrt(L)) does not."""

import numpy as np
import pytest
from scipy import stats

from optimization.ml.demand import compound_bootstrap, normal_expected_shortage, protection_demand


def intermittent_item(seed: int = 1, days: int = 730):
    """Sells on one day in twenty, in lumps of about six; lead times of 5 to 11 days."""
    rng = np.random.default_rng(seed)
    daily = (rng.uniform(size=days) < 0.05) * rng.geometric(1 / 6, size=days)
    lead_times = rng.integers(5, 12, size=200)
    return daily.astype(float), lead_times


def test_moments_add_lead_time_variance():
    dist = protection_demand(np.array([2.0]), np.array([1.0]), np.array([10.0]), np.array([3.0]), 4.0)
    assert dist.mean[0] == pytest.approx(2.0 * 14)
    assert dist.std[0] ** 2 == pytest.approx(14 * 1.0 + 4.0 * 9.0)


def test_auto_picks_normal_for_smooth_volume_and_counts_otherwise():
    dist = protection_demand(
        np.array([50.0, 0.3, 50.0]), np.array([10.0, 1.2, 10.0]), np.full(3, 7.0), np.zeros(3),
        demand_class=np.array(["smooth", "lumpy", "intermittent"]),
    )  # fmt: skip
    assert list(dist.method) == ["normal", "negative_binomial", "negative_binomial"]


def test_normal_loss_function_matches_integration():
    x = np.linspace(-40, 60, 200_001)
    density = stats.norm.pdf(x, 10, 8)
    numeric = np.trapezoid(np.maximum(x - 14, 0) * density, x)
    assert normal_expected_shortage(10.0, 8.0, 14.0) == pytest.approx(numeric, rel=1e-4)


@pytest.mark.parametrize("target", [0.95, 0.98])
def test_negative_binomial_holds_high_service_levels_on_an_intermittent_item(target):
    daily, lead_times = intermittent_item()
    reference = compound_bootstrap(daily, lead_times, draws=100_000, seed=2)
    nb = protection_demand(*_moments(daily, lead_times), method="negative_binomial")
    # Lumps of six make the achievable levels coarse steps; the one reached is within two points.
    assert (reference <= nb.quantile(target)[0]).mean() == pytest.approx(target, abs=0.02)


@pytest.mark.parametrize("target", [0.8, 0.9, 0.95])
def test_negative_binomial_loss_function_tracks_the_true_shortage(target):
    daily, lead_times = intermittent_item()
    reference = compound_bootstrap(daily, lead_times, draws=100_000, seed=2)
    nb = protection_demand(*_moments(daily, lead_times), method="negative_binomial")
    level = nb.quantile(target)
    true_shortage = np.maximum(reference - level[0], 0).mean()
    assert nb.expected_shortage(level)[0] == pytest.approx(true_shortage, rel=0.2)


def _moments(daily, lead_times):
    return (np.array([daily.mean()]), np.array([daily.std()]), np.array([lead_times.mean()]),
            np.array([lead_times.std()]))  # fmt: skip


def test_normal_misses_on_the_same_item():
    daily, lead_times = intermittent_item()
    reference = compound_bootstrap(daily, lead_times, draws=100_000, seed=2)
    # The textbook rule: z * sigma * sqrt(L) over the mean lead time.
    level = np.ceil(daily.mean() * lead_times.mean() + stats.norm.ppf(0.98) * daily.std() * np.sqrt(lead_times.mean()))
    assert (reference <= level).mean() < 0.965
    normal = protection_demand(
        np.array([daily.mean()]), np.array([daily.std()]), np.array([lead_times.mean()]),
        np.array([lead_times.std()]), method="normal",
    )  # fmt: skip
    stock = np.ceil(normal.quantile(0.95))
    # The normal's loss function understates the units short per cycle by half or more.
    assert normal.expected_shortage(stock)[0] < 0.5 * np.maximum(reference - stock[0], 0).mean()


def test_count_shape_cdf_and_shortage_agree():
    dist = protection_demand(np.array([0.4]), np.array([1.5]), np.array([8.0]), np.array([2.0]),
                             method="negative_binomial")  # fmt: skip
    level = dist.quantile(0.9)
    assert dist.cdf(level)[0] >= 0.9
    assert dist.cdf(level - 1)[0] < 0.9
    assert dist.expected_shortage(np.array([0.0]))[0] == pytest.approx(dist.mean[0])
