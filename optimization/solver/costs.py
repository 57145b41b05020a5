"""Expected cost of an order-up-to level under normal protection-period demand, and its piecewise-linear form in
whole packs for the MILP.

cost(S) = holding * E[(S - D)+] + shortage * E[(D - S)+] with E[(S - D)+] = S - mean + E[(D - S)+]; convex in S, so
chords between breakpoints have rising slopes and the LP fills the segments in order without extra binaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from optimization.ml.demand import normal_expected_shortage


def expected_costs(mean, std, holding, shortage, level) -> tuple[np.ndarray, np.ndarray]:
    """Expected units left over and units short at ``level``, as (holding cost, shortage cost)."""
    short = normal_expected_shortage(mean, std, level)
    left = np.asarray(level, dtype=float) - np.asarray(mean, dtype=float) + short
    return np.asarray(holding) * left, np.asarray(shortage) * short


def newsvendor_level(mean, std, holding, shortage) -> np.ndarray:
    """The cost-minimising order-up-to level: the shortage / (shortage + holding) quantile."""
    ratio = np.asarray(shortage, dtype=float) / np.maximum(np.asarray(shortage) + np.asarray(holding), 1e-12)
    return np.asarray(mean) + np.asarray(std) * stats.norm.ppf(np.clip(ratio, 1e-6, 1 - 1e-6))


@dataclass(frozen=True)
class PiecewiseCost:
    """Per pair: breakpoints in packs (0 first) and the exact expected cost at each; chords in between."""

    packs: list[np.ndarray]
    cost: list[np.ndarray]


def piecewise_costs(base, pack, mean, std, holding, shortage, upper_packs, must_hit, segments: int) -> PiecewiseCost:
    """Breakpoints: every whole pack up to ``upper_packs`` when there are at most ``segments`` of them, otherwise
    ``segments`` evenly spaced ones plus the packs in ``must_hit`` (MOQ, newsvendor level, service floor), where the
    chord is exact."""
    packs, cost = [], []
    for i in range(len(base)):
        top = int(upper_packs[i])
        if top <= segments:
            grid = np.arange(top + 1, dtype=float)
        else:
            grid = np.unique(np.concatenate([np.round(np.linspace(0, top, segments + 1)), must_hit[i]]))
            grid = grid[(grid >= 0) & (grid <= top)]
        level = base[i] + pack[i] * grid
        held, short = expected_costs(mean[i], std[i], holding[i], shortage[i], level)
        packs.append(grid)
        cost.append(held + short)
    return PiecewiseCost(packs, cost)
