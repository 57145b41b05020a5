"""The order plan for the next cycle: whole packs per product x warehouse, minimising expected holding + expected
shortage + fixed ordering cost under a budget, per-warehouse receiving capacity (volume), MOQ, per-vendor minimum
order value, optional service-level floors and shelf life.

Items frame (the evaluation contract's columns):

    product, warehouse, on_hand, on_order, unit_cost, unit_volume, pack_size, moq, order_cost, holding_cost,
    shortage_cost, demand_mean, demand_std
    optional: vendor (with PlanOptions.vendor_min_order), service_level (a floor per pair, overriding the option),
              shelf_life_cap (most units that sell before expiry; NaN = no limit)

demand_mean/demand_std describe normal demand over the protection period (lead time + review period); holding_cost
is per unit left at the end, shortage_cost per unit short, order_cost is paid once when a pair orders anything.
Warehouses missing from the capacity mapping have no receiving limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp
from scipy import stats

from .costs import expected_costs, newsvendor_level, piecewise_costs
from .explain import Binding, binding_constraints, describe_infeasibility
from .lagrangian import lagrangian_plan
from .model import ModelInput, build_model
from .solvers import Outcome, solve

ITEM_COLUMNS = (
    "product",
    "warehouse",
    "on_hand",
    "on_order",
    "unit_cost",
    "unit_volume",
    "pack_size",
    "moq",
    "order_cost",
    "holding_cost",
    "shortage_cost",
    "demand_mean",
    "demand_std",
)
NON_NEGATIVE = (
    "on_hand",
    "on_order",
    "unit_cost",
    "unit_volume",
    "moq",
    "order_cost",
    "holding_cost",
    "shortage_cost",
    "demand_mean",
    "demand_std",
)


@dataclass(frozen=True)
class PlanOptions:
    """``budget``: bound on the order value (None = unlimited). ``service_level``: a cycle-service floor for every
    pair (None = none). ``solver``: "cbc" or "highs". ``segments``: chords per pair in the expected-cost curve.
    ``vendor_min_order``: vendor -> minimum order value, for items with a ``vendor`` column."""

    budget: float | None = None
    service_level: float | None = None
    time_limit: float = 30.0
    gap: float = 0.005
    solver: str = "cbc"
    threads: int = 2
    segments: int = 8
    vendor_min_order: dict[str, float] = field(default_factory=dict)
    shadow_prices: bool = True
    # With False, CBC/HiGHS run even when the Lagrangian bound already proves the start within the gap.
    stop_at_proven_start: bool = True


@dataclass
class PlanResult:
    status: str  # "optimal", "feasible" or "infeasible"
    gap: float
    solve_seconds: float
    build_seconds: float
    objective: float  # exact expected cost of the plan (not the chords')
    costs: dict[str, float]
    plan: pd.DataFrame
    binding: list[Binding]
    explanation: str

    def to_json(self) -> dict:
        columns = ["product", "warehouse", "order_qty", "order_up_to", "reorder_point", "safety_stock"]
        return {
            "status": self.status,
            "gap": _finite(self.gap),
            "solve_seconds": round(self.solve_seconds, 3),
            "objective": _finite(self.objective),
            "costs": {k: round(v, 2) for k, v in self.costs.items()},
            "plan": self.plan[columns].to_dict("records") if len(self.plan) else [],
            "binding": [b.to_json() for b in self.binding],
            "explanation": self.explanation,
        }


def validate_items(items: pd.DataFrame, capacity: dict[str, float], options: PlanOptions) -> None:
    """Raise ValueError naming the field, for the API to answer 400 with."""
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    if (items["pack_size"] <= 0).any() or items["pack_size"].isna().any():
        raise ValueError("pack_size must be positive")
    for column in NON_NEGATIVE:
        if (items[column] < 0).any() or items[column].isna().any():
            raise ValueError(f"{column} must be a number no smaller than 0")
    if options.budget is not None and not options.budget >= 0:
        raise ValueError("budget must not be negative")
    unknown = set(capacity) - set(items["warehouse"].astype(str))
    if unknown:
        raise ValueError(f"capacity names unknown warehouse {sorted(unknown)[0]}")
    if any(not v >= 0 for v in capacity.values()):
        raise ValueError("capacity must not be negative")
    if options.service_level is not None and not 0 < options.service_level < 1:
        raise ValueError("service_level must lie strictly between 0 and 1")
    if options.solver not in ("cbc", "highs", "lagrangian"):
        raise ValueError("solver must be 'cbc', 'highs' or 'lagrangian'")
    if options.time_limit <= 0 or options.gap < 0:
        raise ValueError("time_limit must be positive and gap not negative")


def plan_orders(items: pd.DataFrame, capacity: dict[str, float] | None = None, options: PlanOptions | None = None):
    options = options or PlanOptions()
    capacity = {str(k): float(v) for k, v in (capacity or {}).items()}
    validate_items(items, capacity, options)
    started = time.perf_counter()
    data = prepare(items.reset_index(drop=True), options)
    start = None
    if not (data.floor_packs > 0).any() and not options.vendor_min_order:
        start = lagrangian_plan(data, capacity, options.budget)
    if options.solver == "lagrangian" and start is None:
        raise ValueError("solver 'lagrangian' cannot take service-level floors or vendor minimums; use 'cbc'")
    if start is not None and (
        options.solver == "lagrangian" or (options.stop_at_proven_start and start.gap <= options.gap)
    ):
        # The Lagrangian bound already proves the plan within the requested gap (or only it was asked for): no
        # MILP to build. Its multipliers are the shadow prices of the budget and the capacities.
        status = "optimal" if start.gap <= options.gap else "feasible"
        plan, costs = _plan_frame(data, start.packs, options)
        duals = {"budget": -start.budget_price}
        duals.update({f"capacity:{name}": -price for name, price in start.capacity_prices.items()})
        binding = binding_constraints(None, data, start.packs, capacity, options, duals)
        seconds = time.perf_counter() - started
        return PlanResult(status, start.gap, seconds, 0.0, sum(costs.values()), costs, plan, binding,
                          _summary(status, start.gap, costs, binding))  # fmt: skip
    model = build_model(data, capacity, options)
    if start is not None:
        model.warm_start(start.packs, data)
    build_seconds = time.perf_counter() - started
    outcome = solve(model.problem, options, warm=start is not None)
    if start is not None and outcome.status != "infeasible":
        # Two valid lower bounds on the same chord model: keep the better one.
        incumbent = pulp.value(model.problem.objective)
        gap = min(outcome.gap, max((incumbent - start.bound) / max(abs(incumbent), 1e-9), 0.0))
        outcome = Outcome(outcome.status, gap, outcome.seconds)
    if outcome.status == "infeasible":
        explanation = describe_infeasibility(data, capacity, options)
        return PlanResult("infeasible", math.nan, outcome.seconds, build_seconds, math.nan, {}, pd.DataFrame(), [],
                          explanation)  # fmt: skip
    packs = model.packs_chosen()
    plan, costs = _plan_frame(data, packs, options)
    binding = binding_constraints(model, data, packs, capacity, options) if options.shadow_prices else []
    explanation = _summary(outcome.status, outcome.gap, costs, binding)
    return PlanResult(outcome.status, outcome.gap, outcome.seconds, build_seconds, sum(costs.values()), costs, plan,
                      binding, explanation)  # fmt: skip


def prepare(items: pd.DataFrame, options: PlanOptions) -> ModelInput:
    """Per-pair numbers the model needs: bounds in packs and the expected-cost chords."""
    f = {c: items[c].to_numpy(float) for c in NON_NEGATIVE if c != "moq"}
    pack = items["pack_size"].to_numpy(float)
    base = items["on_hand"].to_numpy(float) + items["on_order"].to_numpy(float)
    mean, std = f["demand_mean"], f["demand_std"]
    moq_packs = np.maximum(np.ceil(items["moq"].to_numpy(float) / pack - 1e-9), 1.0)
    best = newsvendor_level(mean, std, f["holding_cost"], f["shortage_cost"])
    best_packs = np.maximum(np.ceil((best - base) / pack - 1e-9), 0.0)
    floor_level = _floor_levels(items, mean, std, options)
    floor_packs = np.where(np.isnan(floor_level), 0.0, np.maximum(np.ceil((floor_level - base) / pack - 1e-9), 0.0))
    floor_packs = np.where(floor_packs > 0, np.maximum(floor_packs, moq_packs), 0.0)
    upper = np.maximum(np.where(best_packs > 0, np.maximum(best_packs, moq_packs), 0.0), floor_packs)
    if "vendor" in items and options.vendor_min_order:
        # Room above the newsvendor level, so a vendor's minimum order value can be met by the cheapest top-ups.
        has_minimum = items["vendor"].astype(str).isin([str(v) for v in options.vendor_min_order]).to_numpy()
        upper = np.where(has_minimum, upper + np.maximum(moq_packs, np.ceil(std / pack)), upper)
    cap_packs = np.full(len(items), np.inf)
    if "shelf_life_cap" in items:
        cap = items["shelf_life_cap"].to_numpy(float)
        cap_packs = np.where(np.isnan(cap), np.inf, np.floor(np.maximum(cap, 0.0) / pack + 1e-9))
    upper = np.minimum(upper, np.maximum(cap_packs, 0.0))
    upper = np.where(upper < moq_packs, 0.0, upper)  # an MOQ the shelf life cannot absorb means no order
    must_hit = np.stack([moq_packs, best_packs, floor_packs], axis=1)
    chords = piecewise_costs(base, pack, mean, std, f["holding_cost"], f["shortage_cost"], upper, must_hit,
                             options.segments)  # fmt: skip
    return ModelInput(
        items=items, base=base, pack=pack, moq_packs=moq_packs, upper_packs=upper, floor_packs=floor_packs,
        cap_packs=cap_packs, floor_level=floor_level, chords=chords,
    )  # fmt: skip


def _floor_levels(items: pd.DataFrame, mean: np.ndarray, std: np.ndarray, options: PlanOptions) -> np.ndarray:
    level = np.full(len(items), np.nan if options.service_level is None else options.service_level)
    if "service_level" in items:
        own = items["service_level"].to_numpy(float)
        level = np.where(np.isnan(own), level, own)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(level), np.nan, mean + std * stats.norm.ppf(np.clip(level, 1e-6, 1 - 1e-6)))


def _plan_frame(data: ModelInput, packs: np.ndarray, options: PlanOptions) -> tuple[pd.DataFrame, dict[str, float]]:
    items = data.items
    mean, std = items["demand_mean"].to_numpy(float), items["demand_std"].to_numpy(float)
    quantity = packs * data.pack
    level = data.base + quantity
    held, short = expected_costs(mean, std, items["holding_cost"], items["shortage_cost"], level)
    ordering = np.where(quantity > 0, items["order_cost"].to_numpy(float), 0.0)
    service = options.service_level
    if service is None:
        h, p = items["holding_cost"].to_numpy(float), items["shortage_cost"].to_numpy(float)
        reorder = np.maximum(newsvendor_level(mean, std, h, p), 0.0)
    else:
        reorder = np.maximum(mean + std * stats.norm.ppf(service), 0.0)
    reorder = np.ceil(reorder - 1e-9)
    plan = pd.DataFrame(
        {
            "product": items["product"].to_numpy(),
            "warehouse": items["warehouse"].to_numpy(),
            "order_qty": quantity,
            "packs": packs,
            "order_up_to": level,
            "reorder_point": reorder,
            "safety_stock": reorder - mean,
            "order_value": quantity * items["unit_cost"].to_numpy(float),
            "order_volume": quantity * items["unit_volume"].to_numpy(float),
            "expected_holding": held,
            "expected_shortage": short,
            "ordering_cost": ordering,
            "expected_service": stats.norm.cdf((level - mean) / np.maximum(std, 1e-9)),
        }
    )
    costs = {"holding": float(held.sum()), "shortage": float(short.sum()), "ordering": float(ordering.sum())}
    return plan, costs


def _summary(status: str, gap: float, costs: dict[str, float], binding: list[Binding]) -> str:
    total = sum(costs.values())
    text = (
        f"{status.capitalize()} plan (gap {gap:.2%}): expected cost {total:,.0f} = holding {costs['holding']:,.0f}"
        f" + shortage {costs['shortage']:,.0f} + ordering {costs['ordering']:,.0f}."
    )
    if binding:
        text += " " + " ".join(b.text for b in binding[:5])
    return text


def _finite(value: float):
    return None if value is None or not np.isfinite(value) else round(float(value), 6)
