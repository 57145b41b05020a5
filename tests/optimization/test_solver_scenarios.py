"""What-if: a festival's +20% demand, longer lead times and a smaller budget each move the plan the way they must,
and the comparison lines scenarios up against the first."""

import numpy as np
import pandas as pd
import pytest

from optimization.solver.plan import PlanOptions
from optimization.solver.scenarios import Scenario, plan_differences, scenario_run, scenarios_compare


def pairs(n: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mu = rng.gamma(2, 3, n)
    cost = rng.uniform(2, 20, n)
    return pd.DataFrame({
        "product": [f"P{i}" for i in range(n)], "warehouse": "W1", "on_hand": np.floor(mu * 5), "on_order": 0.0,
        "mean_per_day": mu, "std_per_day": mu * 0.8, "lead_time_mean": 10.0, "lead_time_std": 2.0,
        "unit_cost": cost, "order_cost": 15.0, "pack_size": 6.0, "moq": 12.0, "unit_volume": 0.5,
        "shortage_cost": cost * 0.8, "review_days": 7.0,
    })  # fmt: skip


@pytest.fixture(scope="module")
def results():
    frame = pairs()
    options = PlanOptions(budget=4000.0)
    scenarios = [
        Scenario("base"),
        Scenario("festival +20%", demand_factor=1.2),
        Scenario("lead times +5 days", lead_time_days=5.0),
        Scenario("budget 2,000", budget=2000.0),
    ]
    return [scenario_run(frame, {"W1": 1e6}, s, plan_options=options) for s in scenarios]


def test_each_change_moves_the_plan_the_right_way(results):
    table = scenarios_compare(results).set_index("scenario")
    assert table.loc["festival +20%", "expected_cost"] > table.loc["base", "expected_cost"]
    assert table.loc["lead times +5 days", "expected_cost"] > table.loc["base", "expected_cost"]
    assert table.loc["budget 2,000", "order_value"] <= 2000.0 + 1e-6
    assert table.loc["budget 2,000", "expected_service"] < table.loc["base", "expected_service"]
    assert table.loc["base", "expected_cost_change"] == 0
    assert {"holding", "shortage", "ordering", "stock_value", "orders"} <= set(table.columns)


def test_reorder_points_rise_with_demand(results):
    differences = plan_differences(results[0], results[1])
    assert (differences["reorder_point_change"] >= 0).all()
    assert differences["reorder_point_change"].sum() > 0
