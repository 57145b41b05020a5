"""What limits a plan, in words: the binding constraints with their shadow prices (from the LP with the order
decisions fixed, so a price is the marginal value around the chosen plan), and, for an infeasible input, which
constraints conflict and by how much (from an elastic model that minimises the violation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from .solvers import INFEASIBLE, solve

RELATIVE_SLACK = 0.005  # within 0.5% of its limit a constraint counts as binding


@dataclass(frozen=True)
class Binding:
    constraint: str  # "budget", "capacity:W1", "vendor:V", "service_floors"
    kind: str
    limit: float
    used: float
    shadow_price: float  # change in expected cost per unit of the limit (negative: more limit, less cost)
    text: str

    def to_json(self) -> dict:
        return {
            "constraint": self.constraint,
            "kind": self.kind,
            "limit": round(self.limit, 4),
            "used": round(self.used, 4),
            "shadow_price": round(self.shadow_price, 6),
            "text": self.text,
        }


def binding_constraints(
    model, data, packs: np.ndarray, capacity: dict[str, float], options, duals: dict[str, float] | None = None
) -> list[Binding]:
    """``duals`` by constraint name; without them, from the LP with the MILP's order decisions fixed."""
    if duals is None:
        duals = _duals_with_orders_fixed(model, options)
    items = data.items
    money = items["unit_cost"].to_numpy(float) * data.pack * packs
    volume = items["unit_volume"].to_numpy(float) * data.pack * packs
    result = []
    if options.budget is not None:
        used = float(money.sum())
        price = duals.get("budget", 0.0)
        if _binds(used, options.budget, price):
            result.append(Binding("budget", "budget", options.budget, used, price, (
                f"Budget binds: {used:,.0f} of {options.budget:,.0f} spent; each extra 1,000 of budget saves "
                f"{-price * 1000:,.0f} of expected cost."
            )))  # fmt: skip
    warehouse = items["warehouse"].astype(str).to_numpy()
    for name, limit in capacity.items():
        used = float(volume[warehouse == name].sum())
        price = duals.get(f"capacity:{name}", 0.0)
        if _binds(used, limit, price):
            result.append(Binding(f"capacity:{name}", "capacity", limit, used, price, (
                f"Receiving capacity of {name} binds: {used:,.1f} of {limit:,.1f} volume; each extra unit of volume "
                f"saves {-price:,.2f} of expected cost."
            )))  # fmt: skip
    if "vendor" in items:
        vendor = items["vendor"].astype(str).to_numpy()
        for name, minimum in options.vendor_min_order.items():
            spent = float(money[vendor == str(name)].sum())
            if spent > 0 and spent <= minimum * (1 + RELATIVE_SLACK):
                price = duals.get(f"vendor:{name}", 0.0)
                result.append(Binding(f"vendor:{name}", "vendor_minimum", minimum, spent, price, (
                    f"Vendor {name}'s minimum order value of {minimum:,.0f} binds: orders were topped up to "
                    f"{spent:,.0f} to reach it."
                )))  # fmt: skip
    floors = [i for i in np.flatnonzero(data.floor_packs > 0) if packs[i] <= data.floor_packs[i]]
    if floors:
        prices = [duals.get(f"floor:{i}", 0.0) for i in floors]
        extra = float(sum(prices))
        result.append(Binding("service_floors", "service_floor", float(len(floors)), float(len(floors)), extra, (
            f"Service-level floors bind on {len(floors)} pairs: they hold stock the costs alone would not, "
            f"{extra:,.0f} of expected cost over the cost-optimal levels at the margin."
        )))  # fmt: skip
    return result


def describe_infeasibility(data, capacity: dict[str, float], options) -> str:
    """Solve the elastic model and name, in words, each constraint that had to give."""
    from .model import build_model  # the model imports nothing from here; the late import keeps it that way

    model = build_model(data, capacity, options, elastic=True)
    outcome = solve(model.problem, options)
    if outcome.status == INFEASIBLE:
        return "No plan satisfies the constraints, and relaxing the limits did not find one either."
    items = data.items
    unit_cost = items["unit_cost"].to_numpy(float)
    floors = int((data.floor_packs > 0).sum())
    floor_money = float((unit_cost * data.pack * data.floor_packs).sum())
    parts = []
    for name, slack in model.slacks.items():
        amount = slack.varValue or 0.0
        if amount <= 1e-6:
            continue
        kind, _, key = name.partition(":")
        if kind == "budget":
            parts.append(
                f"The budget of {options.budget:,.0f} is {amount:,.0f} short: the service-level floors on {floors} "
                f"pairs and their MOQs need at least {floor_money:,.0f}."
            )
        elif kind == "capacity":
            parts.append(
                f"Warehouse {key} can receive {capacity[key]:,.1f} of volume, {amount:,.1f} less than the "
                "service-level floors and MOQs need there."
            )
        elif kind == "floor":
            i = int(key)
            label = f"{items['product'].iloc[i]} at {items['warehouse'].iloc[i]}"
            need = data.floor_packs[i] * data.pack[i]
            if data.cap_packs[i] < data.floor_packs[i]:
                allowed = data.cap_packs[i] * data.pack[i]
                parts.append(
                    f"The service floor for {label} needs {need:,.0f} units but its shelf life lets only "
                    f"{allowed:,.0f} sell before expiry."
                )
            else:
                parts.append(f"The service floor for {label} ({need:,.0f} units) cannot be met within the limits.")
        elif kind == "vendor":
            parts.append(f"Vendor {key}'s minimum order value cannot be reached within the other limits.")
    if not parts:
        return "No plan satisfies the constraints as stated (the solver found them contradictory)."
    shown = parts[:5] + ([f"... and {len(parts) - 5} more."] if len(parts) > 5 else [])
    return "Infeasible. " + " ".join(shown)


def _duals_with_orders_fixed(model, options) -> dict[str, float]:
    """Fix each order flag at its value, relax the pack counts and read the LP's duals; then restore the model."""
    saved = [(v, v.lowBound, v.upBound, v.cat) for v in model.packs + model.orders]
    fixed = []
    for y in model.orders:
        value = round(y.varValue or 0.0)
        y.lowBound = y.upBound = value
        y.cat = pulp.LpContinuous
    for k in model.packs:
        k.cat = pulp.LpContinuous
    for variable in model.problem.variables():
        if variable.cat == pulp.LpInteger:  # vendor flags
            fixed.append((variable, variable.lowBound, variable.upBound))
            value = round(variable.varValue or 0.0)
            variable.lowBound = variable.upBound = value
            variable.cat = pulp.LpContinuous
    values = {v.name: v.varValue for v in model.problem.variables()}
    try:
        outcome = solve(model.problem, options, relaxed=True)
        duals = {} if outcome.status == INFEASIBLE else {
            name: float(c.pi or 0.0) for name, c in model.problem.constraints.items()
        }  # fmt: skip
    finally:
        for variable, low, up, cat in saved:
            variable.lowBound, variable.upBound, variable.cat = low, up, cat
        for variable, low, up in fixed:
            variable.lowBound, variable.upBound, variable.cat = low, up, pulp.LpInteger
        for variable in model.problem.variables():
            variable.varValue = values.get(variable.name, variable.varValue)
    return duals


def _binds(used: float, limit: float, price: float) -> bool:
    return abs(price) > 1e-9 or used >= limit * (1 - RELATIVE_SLACK)
