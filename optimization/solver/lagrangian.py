"""Lagrangian relaxation of the budget and the warehouse capacities: priced at multipliers (lambda per unit of
money, mu_w per unit of volume), the pairs no longer share anything, and each picks its best breakpoint alone
(within a chord the cost is linear, so the best whole-pack count of the chord model is always a breakpoint).

Bisection on the multipliers until the plan fits gives a feasible plan in well under a second for 100,000 pairs,
and L(lambda, mu) = sum_i min_k [cost_i(k) + order_cost_i [k>0] + (lambda c_i + mu_w v_i) k] - lambda B - sum mu_w C_w
is a lower bound on the chord model's optimum: together, a plan and its gap. The plan also warm-starts CBC, whose
branch and bound then only has to close the remaining gap. Service floors and vendor minimums are not relaxed
here: with those, the start is skipped and CBC works alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LagrangianPlan:
    packs: np.ndarray  # per item
    objective: float  # chord-model cost of the plan (exact at breakpoints)
    bound: float
    budget_price: float  # lambda: expected cost saved per extra unit of budget
    capacity_prices: dict[str, float]  # mu_w: saved per extra unit of volume in warehouse w

    @property
    def gap(self) -> float:
        return max((self.objective - self.bound) / max(abs(self.objective), 1e-9), 0.0)


def lagrangian_plan(data, capacity: dict[str, float], budget: float | None, *, rounds: int = 4) -> LagrangianPlan:
    items = data.items
    width = max(len(g) for g in data.chords.packs) if len(items) else 1
    grid = np.full((len(items), width), np.nan)
    cost = np.full((len(items), width), np.inf)
    for i, (g, c) in enumerate(zip(data.chords.packs, data.chords.cost, strict=True)):
        grid[i, : len(g)], cost[i, : len(c)] = g, c
    grid = np.where(np.isnan(grid), 0.0, grid)
    allowed = (grid == 0) | ((grid >= data.moq_packs[:, None]) & (grid <= data.upper_packs[:, None]))
    cost = np.where(allowed, cost, np.inf)
    cost = cost + np.where(grid > 0, items["order_cost"].to_numpy(float)[:, None], 0.0)
    money = items["unit_cost"].to_numpy(float) * data.pack
    volume = items["unit_volume"].to_numpy(float) * data.pack
    warehouse = items["warehouse"].astype(str).to_numpy()
    rows = np.arange(len(items))

    def choose(price: np.ndarray) -> np.ndarray:
        return grid[rows, np.argmin(cost + price[:, None] * grid, axis=1)]

    lam, mu = 0.0, dict.fromkeys(capacity, 0.0)
    in_house = {name: warehouse == name for name in capacity}

    def price_of(lam_value: float, mu_values: dict[str, float]) -> np.ndarray:
        price = lam_value * money
        for name, here in in_house.items():
            price = price + here * mu_values[name] * volume
        return price

    scale = float(np.abs(cost[np.isfinite(cost)]).max(initial=1.0))
    # Budget first, capacities last: raising a warehouse's price only removes orders, so the budget still fits.
    for _ in range(rounds):
        if budget is not None:
            lam = _bisect(lambda v: float((choose(price_of(v, mu)) * money).sum()), budget, scale=scale)
        for name, limit in capacity.items():
            here = in_house[name]

            def usage(m: float, h=here, n=name, budget_price=lam) -> float:
                return float((choose(price_of(budget_price, {**mu, n: m})) * volume)[h].sum())

            mu[name] = _bisect(usage, limit, scale=scale)
    price = price_of(lam, mu)
    choice = np.argmin(cost + price[:, None] * grid, axis=1)
    packs = grid[rows, choice]
    objective = float(cost[rows, choice].sum())
    bound = float(np.min(cost + price[:, None] * grid, axis=1).sum())
    bound -= lam * (budget or 0.0) + sum(mu[name] * limit for name, limit in capacity.items())
    return LagrangianPlan(packs, objective, bound, lam, dict(mu))


def _bisect(usage, limit: float, *, scale: float) -> float:
    """Smallest multiplier (to a relative tolerance) at which ``usage`` fits under ``limit``; 0 if it already does."""
    if usage(0.0) <= limit:
        return 0.0
    low, high = 0.0, 1.0
    while usage(high) > limit and high < scale * 1e6:
        low, high = high, high * 4
    for _ in range(40):
        middle = (low + high) / 2
        if usage(middle) > limit:
            low = middle
        else:
            high = middle
        if high - low <= 1e-7 * max(high, 1e-12):
            break
    return high
