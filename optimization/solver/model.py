"""The MILP itself, in PuLP. Per pair that may order: packs k (integer), an order flag y (binary) and one continuous
increment per chord of the expected-cost curve; pairs that gain nothing from ordering get no variables at all.

    min  sum_i [cost_i(0) + sum_j slope_ij d_ij + order_cost_i y_i]
    s.t. k_i = sum_j d_ij, 0 <= d_ij <= width_ij            (the convex chords fill in order)
         moq_i y_i <= k_i <= upper_i y_i                     (0 or at least the MOQ, in whole packs)
         k_i >= floor_i                                      (service-level floor)        "floor:<i>"
         sum_i unit_cost_i pack_i k_i <= budget              "budget"
         sum_{i in w} unit_volume_i pack_i k_i <= capacity_w "capacity:<w>"
         sum_{i in v} unit_cost_i pack_i k_i >= minimum_v z_v, y_i <= z_v   "vendor:<v>"

``elastic=True`` adds a non-negative slack to the budget, capacity, floor and vendor rows and minimises their
normalised sum instead: the rows whose slack stays positive are the ones that conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from .costs import PiecewiseCost


@dataclass
class ModelInput:
    items: pd.DataFrame
    base: np.ndarray
    pack: np.ndarray
    moq_packs: np.ndarray
    upper_packs: np.ndarray
    floor_packs: np.ndarray
    cap_packs: np.ndarray
    floor_level: np.ndarray
    chords: PiecewiseCost


@dataclass
class Model:
    problem: pulp.LpProblem
    index: np.ndarray  # rows of the items frame that have variables
    packs: list[pulp.LpVariable]
    orders: list[pulp.LpVariable]
    constant: float
    n_items: int
    increments: list[list[pulp.LpVariable]] = field(default_factory=list)
    slacks: dict[str, pulp.LpVariable] = field(default_factory=dict)

    def warm_start(self, packs: np.ndarray, data: ModelInput) -> None:
        """Initial values for every variable from a plan in whole packs (chords filled in order)."""
        for position, i in enumerate(self.index):
            k = float(packs[i])
            self.packs[position].setInitialValue(k)
            self.orders[position].setInitialValue(1.0 if k > 0 else 0.0)
            grid = data.chords.packs[i]
            for j in range(len(grid) - 1):
                self.increments[position][j].setInitialValue(float(np.clip(k - grid[j], 0.0, grid[j + 1] - grid[j])))

    def packs_chosen(self) -> np.ndarray:
        chosen = np.zeros(self.n_items)
        for i, k in zip(self.index, self.packs, strict=True):
            chosen[i] = round(k.varValue or 0.0)
        return chosen


def build_model(data: ModelInput, capacity: dict[str, float], options, *, elastic: bool = False) -> Model:
    items = data.items
    n = len(items)
    problem = pulp.LpProblem("order_plan", pulp.LpMinimize)
    unit_cost = items["unit_cost"].to_numpy(float)
    volume = items["unit_volume"].to_numpy(float)
    order_cost = items["order_cost"].to_numpy(float)
    warehouse = items["warehouse"].astype(str).to_numpy()
    constant = float(sum(c[0] for c in data.chords.cost))
    index = np.flatnonzero((data.upper_packs > 0) | (data.floor_packs > 0))
    objective: list[tuple[pulp.LpVariable, float]] = []
    packs, orders, all_increments = [], [], []
    for i in index:
        upper = max(data.upper_packs[i], 0.0)
        k = pulp.LpVariable(f"k{i}", 0, upper, pulp.LpInteger)
        y = pulp.LpVariable(f"y{i}", 0, 1, pulp.LpBinary)
        grid, cost = data.chords.packs[i], data.chords.cost[i]
        increments = []
        for j in range(len(grid) - 1):
            d = pulp.LpVariable(f"d{i}_{j}", 0, grid[j + 1] - grid[j])
            increments.append((d, 1.0))
            slope = (cost[j + 1] - cost[j]) / (grid[j + 1] - grid[j])
            if not elastic:
                objective.append((d, float(slope)))
        problem += pulp.LpAffineExpression([(k, 1.0), *[(d, -1.0) for d, _ in increments]]) == 0, f"chords:{i}"
        problem += pulp.LpAffineExpression([(k, 1.0), (y, -upper)]) <= 0, f"upper:{i}"
        problem += pulp.LpAffineExpression([(k, 1.0), (y, -data.moq_packs[i])]) >= 0, f"moq:{i}"
        if not elastic:
            objective.append((y, float(order_cost[i])))
        packs.append(k)
        orders.append(y)
        all_increments.append([d for d, _ in increments])
    slacks: dict[str, pulp.LpVariable] = {}
    penalties: list[tuple[pulp.LpVariable, float]] = []

    def soft(name: str, scale: float, sign: float) -> list[tuple[pulp.LpVariable, float]]:
        if not elastic:
            return []
        slack = pulp.LpVariable(f"slack_{len(slacks)}", 0)
        slacks[name] = slack
        # Limits (budget, capacity, vendor minimums) give way before a pair's service floor: they are the knobs
        # an analyst turns, and "the budget is 2,340 short" is the answer they can act on.
        weight = 1000.0 if name.startswith("floor:") else 1.0
        penalties.append((slack, weight / max(scale, 1.0)))
        return [(slack, sign)]

    for position, i in enumerate(index):
        if data.floor_packs[i] > 0:
            expression = [(packs[position], 1.0), *soft(f"floor:{i}", data.floor_packs[i], 1.0)]
            problem += pulp.LpAffineExpression(expression) >= data.floor_packs[i], f"floor:{i}"
    money = [unit_cost[i] * data.pack[i] for i in index]
    if options.budget is not None:
        expression = [(k, m) for k, m in zip(packs, money, strict=True)]
        problem += (
            pulp.LpAffineExpression(expression + soft("budget", options.budget, -1.0)) <= options.budget,
            "budget",
        )
    for name, limit in capacity.items():
        members = [(packs[p], volume[i] * data.pack[i]) for p, i in enumerate(index) if warehouse[i] == name]
        if members:
            problem += (
                pulp.LpAffineExpression(members + soft(f"capacity:{name}", limit, -1.0)) <= limit,
                (f"capacity:{name}"),
            )
    if "vendor" in items and options.vendor_min_order:
        vendor = items["vendor"].astype(str).to_numpy()
        for name, minimum in options.vendor_min_order.items():
            positions = [p for p, i in enumerate(index) if vendor[i] == str(name)]
            if not positions:
                continue
            z = pulp.LpVariable(f"z_{len(orders)}_{name}", 0, 1, pulp.LpBinary)
            expression = [(packs[p], money[p]) for p in positions] + [(z, -float(minimum))]
            problem += (
                pulp.LpAffineExpression(expression + soft(f"vendor:{name}", minimum, 1.0)) >= 0,
                (f"vendor:{name}"),
            )
            for p in positions:
                problem += pulp.LpAffineExpression([(orders[p], 1.0), (z, -1.0)]) <= 0
    if not elastic:
        # The constant enters as a variable fixed at 1, so that CBC's relative gap is taken on the whole expected
        # cost, as reported, and not on the savings against ordering nothing.
        one = pulp.LpVariable("constant_one", 1, 1)
        objective.append((one, constant))
    problem += pulp.LpAffineExpression(penalties if elastic else objective)
    return Model(problem, index, packs, orders, constant, n, all_increments, slacks)
