"""The order plan: optimal on a case small enough to enumerate, whole packs and MOQ, the budget and capacity
respected with their shadow prices, infeasibility named in words, the Lagrangian bound and the heuristic it beats."""

import itertools

import numpy as np
import pandas as pd
import pytest

from optimization.solver.costs import expected_costs
from optimization.solver.heuristic import newsvendor_scaled
from optimization.solver.plan import PlanOptions, plan_orders


def items(n: int = 40, seed: int = 0, warehouses: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mean = rng.gamma(1.5, 30, n)
    cost = rng.uniform(2, 40, n)
    return pd.DataFrame({
        "product": [f"P{i}" for i in range(n)], "warehouse": [f"W{i % warehouses}" for i in range(n)],
        "on_hand": np.floor(mean * rng.uniform(0, 0.8, n)), "on_order": 0.0, "unit_cost": cost,
        "unit_volume": rng.uniform(0.1, 2, n), "pack_size": rng.choice([1.0, 6.0, 12.0], n),
        "moq": rng.choice([0.0, 24.0], n), "order_cost": rng.uniform(5, 30, n), "holding_cost": 0.1 * cost,
        "shortage_cost": 0.7 * cost, "demand_mean": mean, "demand_std": mean * rng.uniform(0.3, 1.0, n),
    })  # fmt: skip


def exact_cost(frame: pd.DataFrame, quantity: np.ndarray) -> float:
    level = frame["on_hand"] + frame["on_order"] + quantity
    held, short = expected_costs(frame["demand_mean"], frame["demand_std"], frame["holding_cost"],
                                 frame["shortage_cost"], level)  # fmt: skip
    return float(held.sum() + short.sum() + np.where(quantity > 0, frame["order_cost"], 0).sum())


def test_whole_packs_moq_budget_and_capacity_hold():
    frame = items()
    result = plan_orders(frame, {"W0": 300.0}, PlanOptions(budget=3000.0))
    plan = result.plan
    assert result.status in ("optimal", "feasible") and result.gap <= 0.005
    assert np.allclose(plan["order_qty"] % frame["pack_size"], 0)
    ordered = plan["order_qty"] > 0
    assert (plan.loc[ordered, "order_qty"] >= frame.loc[ordered, "moq"]).all()
    assert plan["order_value"].sum() <= 3000.0 + 1e-6
    assert plan.loc[plan["warehouse"] == "W0", "order_volume"].sum() <= 300.0 + 1e-6
    assert result.objective == pytest.approx(exact_cost(frame, plan["order_qty"].to_numpy()))
    budget = next(b for b in result.binding if b.constraint == "budget")
    assert budget.shadow_price < 0 and "each extra 1,000 of budget saves" in budget.text


def test_optimal_against_enumeration_on_three_pairs():
    frame = items(3, seed=4, warehouses=1)
    budget = 0.6 * float((frame["unit_cost"] * frame["demand_mean"]).sum())
    grids = np.array(list(itertools.product(range(30), repeat=3)), dtype=float) * frame["pack_size"].to_numpy()
    allowed = ((grids == 0) | (grids >= frame["moq"].to_numpy())).all(axis=1)
    allowed &= (grids * frame["unit_cost"].to_numpy()).sum(axis=1) <= budget
    level = grids + (frame["on_hand"] + frame["on_order"]).to_numpy()
    held, short = expected_costs(*(frame[c].to_numpy() for c in ("demand_mean", "demand_std", "holding_cost",
                                                                 "shortage_cost")), level)  # fmt: skip
    total = (held + short + np.where(grids > 0, frame["order_cost"].to_numpy(), 0)).sum(axis=1)
    best = total[allowed].min()
    result = plan_orders(frame, {}, PlanOptions(budget=budget, segments=64, gap=0.0))
    assert result.objective == pytest.approx(best, rel=1e-3)


def test_plan_beats_the_scaled_newsvendor_when_the_budget_binds():
    frame = items(120, seed=1)
    budget = 0.3 * float((frame["unit_cost"] * frame["demand_mean"]).sum())
    result = plan_orders(frame, {}, PlanOptions(budget=budget))
    heuristic = newsvendor_scaled(frame, {}, budget)
    assert result.objective < 0.95 * heuristic["expected_cost"].sum()


def test_lagrangian_alone_is_feasible_with_an_honest_gap():
    frame = items(150, seed=2)
    options = PlanOptions(budget=2000.0)
    exact = plan_orders(frame, {"W1": 200.0}, options)
    fast = plan_orders(frame, {"W1": 200.0}, PlanOptions(budget=2000.0, solver="lagrangian"))
    assert fast.plan["order_value"].sum() <= 2000.0 + 1e-6
    assert fast.plan.loc[fast.plan["warehouse"] == "W1", "order_volume"].sum() <= 200.0 + 1e-6
    assert fast.objective >= exact.objective * (1 - 0.005) - 1e-6
    assert fast.objective * (1 - fast.gap) <= exact.objective * (1 + 1e-6)


def test_infeasible_floors_against_the_budget_are_named():
    frame = items(20, seed=3)
    result = plan_orders(frame, {}, PlanOptions(budget=10.0, service_level=0.95))
    assert result.status == "infeasible"
    assert result.explanation.startswith("Infeasible. The budget of 10 is")
    assert "service-level floors" in result.explanation


def test_shelf_life_against_a_floor_is_named():
    frame = items(5, seed=3)
    frame["shelf_life_cap"] = [np.nan, np.nan, 0.0, np.nan, np.nan]
    frame.loc[2, "on_hand"] = 0.0
    result = plan_orders(frame, {}, PlanOptions(service_level=0.9))
    assert result.status == "infeasible"
    assert "P2 at W0" in result.explanation and "shelf life" in result.explanation


def test_floors_and_vendor_minimums_are_respected():
    frame = items(30, seed=5)
    frame["vendor"] = ["A" if i < 15 else "B" for i in range(30)]
    result = plan_orders(frame, {}, PlanOptions(service_level=0.9, vendor_min_order={"A": 5000.0}))
    assert (result.plan["expected_service"] >= 0.9 - 1e-9).all()
    spent_a = result.plan.loc[frame["vendor"] == "A", "order_value"].sum()
    assert spent_a == 0 or spent_a >= 5000.0


@pytest.mark.parametrize(
    ("change", "message"),
    [({"pack_size": 0.0}, "pack_size"), ({"unit_cost": -1.0}, "unit_cost")],
)
def test_bad_input_names_the_field(change, message):
    frame = items(3).assign(**change)
    with pytest.raises(ValueError, match=message):
        plan_orders(frame, {}, PlanOptions())


def test_unknown_warehouse_and_negative_budget_are_refused():
    with pytest.raises(ValueError, match="unknown warehouse W9"):
        plan_orders(items(3), {"W9": 1.0}, PlanOptions())
    with pytest.raises(ValueError, match="budget"):
        plan_orders(items(3), {}, PlanOptions(budget=-1.0))
