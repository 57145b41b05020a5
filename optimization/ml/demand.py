"""Demand over the lead time (or the protection period: lead time plus review period) as a distribution.

The input is the forecasting capability's distribution per product x warehouse: a mean and a standard deviation of
one day's demand over the horizon. The lead time is random too, so the protection-period demand is a random sum:

    mean = mu_d * (mu_L + R)
    var  = (mu_L + R) * sigma_d**2 + mu_d**2 * sigma_L**2

Two shapes carry those moments:

- ``normal`` for smooth, high-volume items, where z * sigma works;
- ``negative_binomial`` for everything else (intermittent, lumpy, erratic or slow). A count distribution with mass at
  zero and a long right tail fitted by the same two moments (Poisson when the variance does not exceed the mean). On
  an item that sells on one day in six, z * sigma * sqrt(L) puts the reorder point in the wrong place (a normal
  quantile of a distribution that is mostly zeros); the negative binomial's quantile lands within a point or two of
  the target service level (``tests/optimization/test_ml_demand.py`` measures both on a simulated intermittent item).

``compound_bootstrap`` draws the random sum directly from a demand history and a lead-time history (no shape
assumed): the reference the parametric shapes are checked against, and a method of its own when histories exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

NORMAL = "normal"
NEGATIVE_BINOMIAL = "negative_binomial"
METHODS = (NORMAL, NEGATIVE_BINOMIAL)
# Above this mean the negative binomial and the normal agree to a unit, and the normal is much cheaper.
NORMAL_FROM_MEAN = 400.0


@dataclass(frozen=True)
class DemandDistribution:
    """Protection-period demand per pair: arrays of equal length, ``method`` one of METHODS per pair."""

    mean: np.ndarray
    std: np.ndarray
    method: np.ndarray

    def quantile(self, level: float | np.ndarray) -> np.ndarray:
        """The smallest stock level covering demand with probability ``level`` (whole units for count shapes)."""
        level = np.broadcast_to(np.asarray(level, dtype=float), self.mean.shape)
        result = np.empty_like(self.mean)
        normal = self.method == NORMAL
        result[normal] = self.mean[normal] + self.std[normal] * stats.norm.ppf(level[normal])
        counts = ~normal
        if counts.any():
            result[counts] = _count_distribution(self.mean[counts], self.std[counts]).ppf(level[counts])
        return np.maximum(result, 0.0)

    def cdf(self, stock: np.ndarray) -> np.ndarray:
        """Probability that demand does not exceed ``stock`` (the cycle service level of that stock)."""
        stock = np.asarray(stock, dtype=float)
        result = np.empty_like(self.mean)
        normal = self.method == NORMAL
        result[normal] = stats.norm.cdf((stock[normal] - self.mean[normal]) / np.maximum(self.std[normal], 1e-9))
        counts = ~normal
        if counts.any():
            result[counts] = _count_distribution(self.mean[counts], self.std[counts]).cdf(np.floor(stock[counts]))
        return result

    def expected_shortage(self, stock: np.ndarray) -> np.ndarray:
        """E[(D - stock)+], units short per cycle (the loss function)."""
        stock = np.asarray(stock, dtype=float)
        result = np.empty_like(self.mean)
        normal = self.method == NORMAL
        result[normal] = normal_expected_shortage(self.mean[normal], self.std[normal], stock[normal])
        for i in np.flatnonzero(~normal):
            result[i] = _count_expected_shortage(self.mean[i], self.std[i], stock[i])
        return result


def protection_demand(
    mean_per_day: np.ndarray,
    std_per_day: np.ndarray,
    lead_time_mean: np.ndarray,
    lead_time_std: np.ndarray,
    review_days: np.ndarray | float = 0.0,
    *,
    method: str | np.ndarray = "auto",
    demand_class: np.ndarray | None = None,
) -> DemandDistribution:
    """Moments of demand over lead time + review period, and the shape each pair gets.

    ``method="auto"``: the normal for smooth items (``demand_class == "smooth"``, or a daily coefficient of
    variation under 1 when no class is given) whose protection-period mean reaches 20 units, and for any item above
    NORMAL_FROM_MEAN; the negative binomial otherwise.
    """
    mu = np.asarray(mean_per_day, dtype=float)
    sigma = np.asarray(std_per_day, dtype=float)
    periods = np.asarray(lead_time_mean, dtype=float) + np.asarray(review_days, dtype=float)
    mean = mu * periods
    var = periods * sigma**2 + mu**2 * np.asarray(lead_time_std, dtype=float) ** 2
    std = np.sqrt(np.maximum(var, 0.0))
    if isinstance(method, str) and method == "auto":
        smooth = sigma < np.maximum(mu, 1e-12) if demand_class is None else np.asarray(demand_class) == "smooth"
        chosen = np.where((smooth & (mean >= 20)) | (mean >= NORMAL_FROM_MEAN), NORMAL, NEGATIVE_BINOMIAL)
    else:
        chosen = np.broadcast_to(np.asarray(method), mean.shape).copy()
        unknown = set(np.unique(chosen)) - set(METHODS)
        if unknown:
            raise ValueError(f"unknown demand distribution {sorted(unknown)}; use one of {METHODS}")
    return DemandDistribution(mean=mean, std=std, method=chosen)


def normal_expected_shortage(mean, std, stock) -> np.ndarray:
    """E[(D - s)+] for D ~ Normal(mean, std): std * (phi(z) - z * (1 - Phi(z))), and (mean - s)+ when std is 0."""
    mean, std, stock = (np.asarray(a, dtype=float) for a in (mean, std, stock))
    safe = np.maximum(std, 1e-12)
    z = (stock - mean) / safe
    loss = safe * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return np.where(std > 1e-12, loss, np.maximum(mean - stock, 0.0))


def compound_bootstrap(
    daily_demand: np.ndarray, lead_times: np.ndarray, *, review_days: int = 0, draws: int = 20_000, seed: int = 0
) -> np.ndarray:
    """Samples of protection-period demand: a lead time drawn from past lead times, then that many days (plus the
    review period) drawn from past daily demand. Keeps the zeros, the lumps and the lead time's skew as they were."""
    rng = np.random.default_rng(seed)
    daily_demand = np.asarray(daily_demand, dtype=float)
    periods = rng.choice(np.asarray(lead_times, dtype=int), size=draws) + int(review_days)
    longest = int(periods.max()) if draws else 0
    days = rng.choice(daily_demand, size=(draws, max(longest, 1)))
    mask = np.arange(days.shape[1])[None, :] < periods[:, None]
    return (days * mask).sum(axis=1)


def _count_distribution(mean: np.ndarray, std: np.ndarray):
    """Negative binomial with these moments; Poisson (the limit) where the variance does not exceed the mean."""
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    var = np.maximum(np.asarray(std, dtype=float) ** 2, mean * (1 + 1e-6))
    n = mean**2 / (var - mean)
    p = n / (n + mean)
    return stats.nbinom(n, p)


def _count_expected_shortage(mean: float, std: float, stock: float) -> float:
    """E[(D - s)+] = mean - s + E[(s - D)+]; for a count D and s = w + f (w whole, 0 <= f < 1),
    E[(s - D)+] = sum_{k < w} F(k) + f * F(w)."""
    stock = max(float(stock), 0.0)
    whole = int(np.floor(stock))
    cdf = _count_distribution(np.array([mean]), np.array([std])).cdf(np.arange(whole + 1))
    over = float(cdf[:whole].sum()) + (stock - whole) * float(cdf[whole])
    return float(max(mean - stock + over, 0.0))
