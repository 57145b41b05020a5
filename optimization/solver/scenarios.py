"""What-if scenarios as pure functions: change demand, lead times, budget or service level, re-run the policy and
the plan, and compare side by side. Promoting a scenario is the Django side's business (it stores the chosen
result); here a scenario is data in, data out.

Pairs frame: the policy's input (optimization.ml.policy) plus unit_volume and shortage_cost per unit short;
holding cost per unit left at the end is holding_rate x unit_cost over the protection period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from optimization.ml.demand import protection_demand
from optimization.ml.policy import DAYS_PER_YEAR, PolicyOptions, inventory_policy

from .plan import PlanOptions, PlanResult, plan_orders


@dataclass(frozen=True)
class Scenario:
    """``demand_factor`` 1.2 is a festival's +20%; ``lead_time_factor``/``lead_time_days`` stretch or shift every
    lead time; ``budget`` and ``service_level`` replace the base plan's when given."""

    name: str
    demand_factor: float = 1.0
    lead_time_factor: float = 1.0
    lead_time_days: float = 0.0
    budget: float | None = None
    service_level: float | None = None


@dataclass
class ScenarioResult:
    scenario: Scenario
    policy: pd.DataFrame
    items: pd.DataFrame
    plan: PlanResult


def plan_items(pairs: pd.DataFrame, policy: PolicyOptions) -> pd.DataFrame:
    """The MILP's items from the pairs: normal demand with the protection period's moments."""
    review = pairs["review_days"].fillna(policy.review_days) if "review_days" in pairs else policy.review_days
    demand = protection_demand(pairs["mean_per_day"], pairs["std_per_day"], pairs["lead_time_mean"],
                               pairs["lead_time_std"], review, method="normal")  # fmt: skip
    period = pairs["lead_time_mean"].to_numpy(float) + np.asarray(review, dtype=float)
    columns = ["product", "warehouse", "on_hand", "on_order", "unit_cost", "unit_volume", "pack_size", "moq",
               "order_cost", "shortage_cost"]  # fmt: skip
    items = pairs[columns].copy()
    items["holding_cost"] = policy.holding_rate * pairs["unit_cost"].to_numpy(float) * period / DAYS_PER_YEAR
    items["demand_mean"], items["demand_std"] = demand.mean, demand.std
    for optional in ("vendor", "shelf_life_cap", "service_level"):
        if optional in pairs:
            items[optional] = pairs[optional].to_numpy()
    return items


def scenario_apply(pairs: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    changed = pairs.copy()
    changed["mean_per_day"] = changed["mean_per_day"] * scenario.demand_factor
    changed["std_per_day"] = changed["std_per_day"] * scenario.demand_factor
    changed["lead_time_mean"] = np.maximum(
        changed["lead_time_mean"] * scenario.lead_time_factor + scenario.lead_time_days, 0.0
    )
    changed["lead_time_std"] = changed["lead_time_std"] * scenario.lead_time_factor
    return changed


def scenario_run(
    pairs: pd.DataFrame,
    capacity: dict[str, float],
    scenario: Scenario,
    *,
    plan_options: PlanOptions | None = None,
    policy_options: PolicyOptions | None = None,
) -> ScenarioResult:
    plan_options = plan_options or PlanOptions()
    policy_options = policy_options or PolicyOptions()
    if scenario.budget is not None:
        plan_options = replace(plan_options, budget=scenario.budget)
    if scenario.service_level is not None:
        plan_options = replace(plan_options, service_level=scenario.service_level)
        policy_options = replace(policy_options, target=scenario.service_level)
    changed = scenario_apply(pairs, scenario)
    policy = inventory_policy(changed, policy_options)
    items = plan_items(changed, policy_options)
    return ScenarioResult(scenario, policy, items, plan_orders(items, capacity, plan_options))


def scenarios_compare(results: list[ScenarioResult]) -> pd.DataFrame:
    """One row per scenario: cost split, expected service (demand-weighted), stock and order value, orders; and
    each figure's change against the first scenario."""
    rows = []
    for result in results:
        plan = result.plan
        row = {"scenario": result.scenario.name, "status": plan.status}
        if plan.status == "infeasible":
            rows.append({**row, "explanation": plan.explanation})
            continue
        frame = plan.plan
        weights = np.maximum(result.items["demand_mean"].to_numpy(float), 1e-9)
        row.update(
            expected_cost=plan.objective, holding=plan.costs["holding"], shortage=plan.costs["shortage"],
            ordering=plan.costs["ordering"],
            expected_service=float(np.average(frame["expected_service"], weights=weights)),
            order_value=float(frame["order_value"].sum()), orders=int((frame["order_qty"] > 0).sum()),
            stock_value=float((frame["order_up_to"] * result.items["unit_cost"]).sum()),
        )  # fmt: skip
        rows.append(row)
    table = pd.DataFrame(rows)
    for column in ("expected_cost", "expected_service", "order_value", "orders"):
        if column in table and len(table):
            table[f"{column}_change"] = table[column] - table[column].iloc[0]
    return table


def plan_differences(base: ScenarioResult, other: ScenarioResult) -> pd.DataFrame:
    """Per pair: order quantity and reorder point in both, and the change."""
    keys = ["product", "warehouse"]
    left = base.plan.plan[[*keys, "order_qty"]].merge(base.policy[[*keys, "reorder_point"]], on=keys)
    right = other.plan.plan[[*keys, "order_qty"]].merge(other.policy[[*keys, "reorder_point"]], on=keys)
    merged = left.merge(right, on=keys, suffixes=("_base", "_scenario"))
    merged["order_qty_change"] = merged["order_qty_scenario"] - merged["order_qty_base"]
    merged["reorder_point_change"] = merged["reorder_point_scenario"] - merged["reorder_point_base"]
    return merged
