"""Order plans and what-if scenarios: the constraints checked (each refusal names its field), the pairs priced with
the forecasting capability's demand, the policy and the MILP run (inline when small, as a registry job on the worker
when large), and the answer stored as a plan with its lines; a scenario copies a plan with changes and may be
promoted to the plan the purchase-order drafts come from."""

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from optimization.ml.policy import PolicyOptions, shelf_life_cap
from optimization.solver.plan import PlanOptions
from optimization.solver.scenarios import Scenario, scenario_run, scenarios_compare
from retailiq.accounts.models import User
from retailiq.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from retailiq.registry.services.jobs import job_claim, job_finish, job_heartbeat, job_progress, job_record

from ..conf import optimization_settings
from ..models import SOLVED, Plan, PlanLine, PlanStatus
from ..selectors import (
    CAPABILITY,
    current_as_of,
    demand_per_pair,
    may_see_stock,
    pair_frame,
    plan_list_for_user,
    warehouse_capacity,
    warehouse_codes,
)

PLAN_KIND = "plan"
SCENARIO_CHANGES = ("demand_factor", "lead_time_factor", "lead_time_days", "budget", "service_level")
# The solver's ValueErrors start with the name of what is wrong; these are the caller's fields they map to.
SOLVER_FIELDS = {"budget", "service_level", "capacity", "pack_size", "moq", "time_limit", "gap", "solver"}


@dataclass(frozen=True)
class PairOverride:
    product_id: int
    warehouse: str
    pack_size: float | None = None
    moq: float | None = None


@dataclass(frozen=True)
class PlanConstraints:
    """What a caller may constrain: the order budget, a cycle-service floor, which warehouses (codes; empty: all),
    receiving capacity per warehouse (volume; default: what the warehouse has free), minimum order value per vendor
    (by vendor id), per-pair pack size and MOQ, and the solver's time limit and gap."""

    budget: float | None = None
    service_level: float | None = None
    warehouses: tuple[str, ...] = ()
    capacity: dict[str, float] = field(default_factory=dict)
    vendor_min_order: dict[str, float] = field(default_factory=dict)
    overrides: tuple[PairOverride, ...] = ()
    time_limit: float | None = None
    gap: float | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["warehouses"], data["overrides"] = list(self.warehouses), [asdict(o) for o in self.overrides]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PlanConstraints":
        data = dict(data)
        data["warehouses"] = tuple(data.get("warehouses") or ())
        data["overrides"] = tuple(PairOverride(**o) for o in data.get("overrides") or ())
        return cls(**data)


def constraints_check(constraints: PlanConstraints) -> None:
    """Refuse what no plan can be made of, naming the field."""
    known = warehouse_codes()
    if constraints.budget is not None and not constraints.budget >= 0:
        raise InvalidInput("budget must not be negative.", field="budget")
    if constraints.service_level is not None and not 0 < constraints.service_level < 1:
        raise InvalidInput("service_level must lie strictly between 0 and 1.", field="service_level")
    if unknown := [w for w in constraints.warehouses if w not in known]:
        raise InvalidInput(f"No warehouse {unknown[0]!r}; choose among {', '.join(known)}.", field="warehouses")
    if unknown := [w for w in constraints.capacity if w not in known]:
        raise InvalidInput(f"No warehouse {unknown[0]!r} to give a capacity to.", field="capacity")
    for code, volume in constraints.capacity.items():
        if not volume >= 0:
            raise InvalidInput(f"capacity of {code} must not be negative.", field=f"capacity.{code}")
    if any(not v >= 0 for v in constraints.vendor_min_order.values()):
        raise InvalidInput("vendor_min_order must not be negative.", field="vendor_min_order")
    for i, override in enumerate(constraints.overrides):
        if override.warehouse not in known:
            raise InvalidInput(f"No warehouse {override.warehouse!r}.", field=f"overrides[{i}].warehouse")
        if override.pack_size is not None and not override.pack_size > 0:
            raise InvalidInput("pack_size must be at least 1.", field="pack_size")
        if override.moq is not None and not override.moq >= 0:
            raise InvalidInput("moq must not be negative.", field="moq")
    if constraints.time_limit is not None and not constraints.time_limit > 0:
        raise InvalidInput("time_limit must be positive.", field="time_limit")
    if constraints.gap is not None and not constraints.gap >= 0:
        raise InvalidInput("gap must not be negative.", field="gap")


def scenario_changes_check(changes: dict[str, Any]) -> dict[str, float]:
    unknown = set(changes) - set(SCENARIO_CHANGES) - {"name"}
    if unknown:
        raise InvalidInput(f"Unknown change {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    clean = {k: float(v) for k, v in changes.items() if k in SCENARIO_CHANGES and v is not None}
    for name in ("demand_factor", "lead_time_factor"):
        if name in clean and not clean[name] > 0:
            raise InvalidInput(f"{name} must be positive.", field=name)
    if "budget" in clean and not clean["budget"] >= 0:
        raise InvalidInput("budget must not be negative.", field="budget")
    if "service_level" in clean and not 0 < clean["service_level"] < 1:
        raise InvalidInput("service_level must lie strictly between 0 and 1.", field="service_level")
    return clean


def _vendor_scope(user: User, vendor_id: int | None) -> int | None:
    if not may_see_stock(user):
        raise Forbidden("Order plans are for vendors and analysts.")
    if user.is_vendor:
        return user.vendor_id
    return vendor_id


def plan_pairs(*, plan: Plan) -> tuple[pd.DataFrame, dict[str, float]]:
    """The plan's pairs in the policy's and the solver's columns, and the capacity per warehouse it plans for."""
    constraints = PlanConstraints.from_json(plan.options)
    items = pair_items(as_of=plan.as_of, vendor_id=plan.vendor_id, constraints=constraints)
    free = warehouse_capacity()
    present = set(items["warehouse"])
    capacity = {code: float(constraints.capacity.get(code, free.get(code, 0.0))) for code in present}
    return items, capacity


def pair_items(*, as_of: dt.date, vendor_id: int | None, constraints: PlanConstraints) -> pd.DataFrame:
    """Stocked pairs (a vendor's, or all) in the policy's and the solver's columns, with the forecasting
    capability's demand from ``as_of`` and the constraints' pack sizes and MOQs."""
    pairs = pair_frame(vendor_id=vendor_id)
    if constraints.warehouses:
        pairs = pairs[pairs["warehouse"].isin(constraints.warehouses)].reset_index(drop=True)
    if pairs.empty:
        raise InvalidInput("No stocked product in the chosen warehouses.", field="warehouses")
    conf = optimization_settings()
    demand = demand_per_pair(as_of=as_of, pairs=pairs)
    pairs["mean_per_day"], pairs["std_per_day"] = demand["mean_per_day"], demand["std_per_day"]
    for override in constraints.overrides:
        hit = (pairs["product_id"] == override.product_id) & (pairs["warehouse"] == override.warehouse)
        if override.pack_size is not None:
            pairs.loc[hit, "pack_size"] = override.pack_size
        if override.moq is not None:
            pairs.loc[hit, "moq"] = override.moq
    price = pairs["unit_price"].fillna(0.0)
    items = pd.DataFrame(
        {
            "product": pairs["product_id"].astype(int),
            "warehouse": pairs["warehouse"].astype(str),
            "vendor": pairs["vendor_id"].astype(int).astype(str),
            "on_hand": pairs["on_hand"],
            "on_order": pairs["on_order"],
            "mean_per_day": pairs["mean_per_day"],
            "std_per_day": pairs["std_per_day"],
            "lead_time_mean": pairs["lead_time_mean"],
            "lead_time_std": pairs["lead_time_std"],
            "unit_cost": price,
            "order_cost": pairs["order_cost"].fillna(0.0),
            "pack_size": pairs["pack_size"].fillna(1.0),
            "moq": pairs["moq"].fillna(0.0),
            "unit_volume": pairs["unit_volume"].fillna(0.0),
            "shortage_cost": price * conf.shortage_share,
            "holding_rate": pairs["holding_rate"].fillna(conf.holding_rate),
            "review_days": conf.review_days,
        }
    )
    position = items["on_hand"] + items["on_order"]
    items["shelf_life_cap"] = shelf_life_cap(items["mean_per_day"], pairs["shelf_life_days"], position)
    items.loc[~np.isfinite(items["shelf_life_cap"]), "shelf_life_cap"] = np.nan
    return items


def _record_plan(*, user: User, name: str, vendor_id: int | None, options: dict, base: Plan | None = None,
                 changes: dict | None = None) -> Plan:  # fmt: skip
    as_of = base.as_of if base else current_as_of()
    if as_of is None:
        raise Conflict("There is no sales or stock history to plan from yet.", code="no_history")
    return Plan.objects.create(
        name=name[:120], created_by=user, vendor_id=vendor_id, options=options, as_of=as_of, base=base,
        changes=changes or {},
    )  # fmt: skip


def _dispatch(plan: Plan, *, user: User) -> Plan:
    """Solve now when the plan is small; otherwise as a registry job on the worker, so no web worker waits."""
    items, _ = plan_pairs(plan=plan)
    Plan.objects.filter(pk=plan.pk).update(pairs=len(items))
    if len(items) <= optimization_settings().inline_pairs:
        return plan_run(plan_id=plan.pk)
    from ..tasks import run_plan

    job = job_record(
        kind=PLAN_KIND,
        capability=CAPABILITY,
        idempotency_key=f"plan:{plan.pk}",
        enqueue=lambda job_id: run_plan.delay(job_id),
        requested_by=user,
        params={"plan_id": plan.pk},
    )
    Plan.objects.filter(pk=plan.pk).update(job=job)
    plan.refresh_from_db()
    return plan


def plan_create(*, user: User, constraints: PlanConstraints, name: str = "", vendor_id: int | None = None) -> Plan:
    """A plan over the user's products (a vendor's own; an analyst's every vendor's, or one vendor's)."""
    vendor_id = _vendor_scope(user, vendor_id)
    constraints_check(constraints)
    plan = _record_plan(
        user=user, name=name or f"Plan of {timezone.localdate():%d %b %Y}", vendor_id=vendor_id,
        options=constraints.as_json(),
    )  # fmt: skip
    return _dispatch(plan, user=user)


def scenario_create(*, user: User, plan_id: int, changes: dict[str, Any]) -> Plan:
    """A copy of a plan (of its base, for a scenario of a scenario) with changes, solved the same way."""
    base = plan_for_user(user=user, plan_id=plan_id)
    base = base.base or base
    clean = scenario_changes_check(changes)
    name = str(changes.get("name") or _scenario_name(clean))
    scenario = _record_plan(user=user, name=name, vendor_id=base.vendor_id, options=base.options, base=base,
                            changes=clean)  # fmt: skip
    return _dispatch(scenario, user=user)


def _scenario_name(changes: dict[str, float]) -> str:
    parts = []
    if "demand_factor" in changes:
        parts.append(f"demand {changes['demand_factor'] - 1:+.0%}")
    if "lead_time_factor" in changes or "lead_time_days" in changes:
        parts.append("lead times changed")
    if "budget" in changes:
        parts.append(f"budget {changes['budget']:,.0f}")
    if "service_level" in changes:
        parts.append(f"service {changes['service_level']:.0%}")
    return "Scenario: " + (", ".join(parts) or "as planned")


def plan_for_user(*, user: User, plan_id: int) -> Plan:
    plan = plan_list_for_user(user=user).filter(pk=plan_id).first()
    if plan is None:
        message = f"No plan {plan_id} among yours."
        raise NotFound(message, fields={"plan_id": message})
    return plan


def plan_run(*, plan_id: int, progress: Callable[[str, int, str], None] | None = None) -> Plan:
    """Solve the plan and store its answer. Safe to run twice: a plan already answered is returned as it is, and
    lines are replaced, never added to."""
    progress = progress or (lambda stage, percent, message: None)
    plan = Plan.objects.get(pk=plan_id)
    if plan.status in (*SOLVED, PlanStatus.INFEASIBLE):
        return plan
    Plan.objects.filter(pk=plan_id).update(status=PlanStatus.RUNNING)
    progress("pairs", 10, "reading stock, lead times and the demand forecast")
    try:
        items, capacity = plan_pairs(plan=plan)
        constraints = PlanConstraints.from_json(plan.options)
        conf = optimization_settings()
        options = PlanOptions(
            budget=constraints.budget, service_level=constraints.service_level,
            time_limit=constraints.time_limit or conf.time_limit_seconds, gap=constraints.gap if constraints.gap
            is not None else conf.gap, vendor_min_order=dict(constraints.vendor_min_order),
        )  # fmt: skip
        scenario = Scenario(plan.name, **plan.changes)
        progress("solve", 30, f"{len(items):,} pairs")
        result = scenario_run(
            items, capacity, scenario, plan_options=options,
            policy_options=PolicyOptions(target=constraints.service_level or 0.95, review_days=conf.review_days),
        )  # fmt: skip
    except ValueError as exc:
        _fail(plan_id, str(exc))
        raise _invalid(exc) from exc
    progress("store", 90, "writing the plan's lines")
    _store(plan, items, result)
    return Plan.objects.get(pk=plan_id)


def _invalid(exc: ValueError) -> InvalidInput:
    """The solver's refusal as invalid input naming the caller's field."""
    message = str(exc)
    words = message.replace(",", " ").split()
    name = next((w for w in words[:3] if w in SOLVER_FIELDS), "constraints")
    return InvalidInput(message[:1].upper() + message[1:] + ("" if message.endswith(".") else "."), field=name)


def _fail(plan_id: int, error: str) -> None:
    Plan.objects.filter(pk=plan_id).update(status=PlanStatus.FAILED, error=error[:2000], finished_at=timezone.now())


def _store(plan: Plan, items: pd.DataFrame, result) -> None:
    solved = result.plan
    compared = scenarios_compare([result]).iloc[0].to_dict()
    summary = {k: _plain(v) for k, v in compared.items() if k not in ("scenario", "status", "explanation")}
    fields = {
        "status": solved.status,
        "gap": None if not np.isfinite(solved.gap) else float(solved.gap),
        "objective": None if not np.isfinite(solved.objective) else float(solved.objective),
        "costs": {k: round(float(v), 2) for k, v in solved.costs.items()},
        "binding": [b.to_json() for b in solved.binding],
        "explanation": solved.explanation,
        "summary": summary,
        "solve_seconds": round(float(solved.solve_seconds), 3),
        "finished_at": timezone.now(),
        "pairs": len(items),
    }
    with transaction.atomic():
        PlanLine.objects.filter(plan=plan).delete()
        if solved.status != "infeasible":
            frame = solved.plan.merge(
                result.items[["product", "warehouse", "on_hand", "on_order", "unit_cost"]], on=["product", "warehouse"]
            ).merge(result.policy[["product", "warehouse", "days_of_cover"]], on=["product", "warehouse"])
            ids = pair_frame(vendor_id=plan.vendor_id).set_index(["product_id", "warehouse"])
            mean = items.set_index(["product", "warehouse"])["mean_per_day"]
            lines = []
            for row in frame.itertuples(index=False):
                pair = ids.loc[(int(row.product), row.warehouse)]
                cover = float(row.days_of_cover)
                lines.append(PlanLine(
                    plan=plan, product_id=int(row.product), warehouse_id=int(pair["warehouse_id"]),
                    vendor_id=int(pair["vendor_id"]), on_hand=float(row.on_hand), on_order=float(row.on_order),
                    mean_per_day=float(mean.loc[(row.product, row.warehouse)]),
                    days_of_cover=cover if np.isfinite(cover) else 9999.0, unit_cost=float(row.unit_cost),
                    order_qty=float(row.order_qty), order_value=float(row.order_value),
                    order_up_to=float(row.order_up_to), reorder_point=float(row.reorder_point),
                    safety_stock=float(row.safety_stock), expected_holding=float(row.expected_holding),
                    expected_shortage=float(row.expected_shortage), ordering_cost=float(row.ordering_cost),
                    expected_service=float(row.expected_service),
                ))  # fmt: skip
            PlanLine.objects.bulk_create(lines, batch_size=2000)
        Plan.objects.filter(pk=plan.pk).update(**fields)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def plan_job_run(*, job_id: int, worker: str) -> str:
    """The worker's side of a large plan: claim the job (a second delivery finds it taken), run, finish."""
    from retailiq.registry.models import Job, JobState

    if not job_claim(job_id=job_id, worker=worker):
        return Job.objects.get(pk=job_id).state
    plan_id = int(Job.objects.get(pk=job_id).params["plan_id"])
    try:
        with job_heartbeat(job_id):
            plan = plan_run(
                plan_id=plan_id,
                progress=lambda stage, percent, message: job_progress(
                    job_id=job_id, stage=stage, percent=percent, message=message
                ),
            )
    except Exception as exc:  # the job row says what went wrong; the plan row too
        _fail(plan_id, f"{type(exc).__name__}: {exc}")
        job_finish(job_id, JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        return JobState.FAILED
    job_finish(job_id, JobState.SUCCEEDED, percent=100, stage="done", message=plan.get_status_display())
    return JobState.SUCCEEDED


def scenario_promote(*, user: User, plan_id: int) -> Plan:
    """Make a solved scenario the plan its base's purchase-order drafts come from (the base itself: back to it)."""
    chosen = plan_for_user(user=user, plan_id=plan_id)
    if not chosen.is_solved:
        raise Conflict(f"Plan {chosen.pk} is {chosen.get_status_display().lower()}; only a solved plan is promoted.")
    base = chosen.base or chosen
    Plan.objects.filter(pk=base.pk).update(promoted=None if chosen.pk == base.pk else chosen)
    base.refresh_from_db()
    return base


def plan_family(*, plan: Plan) -> list[Plan]:
    """A base plan and its scenarios, oldest first."""
    base = plan.base or plan
    return [base, *base.scenarios.order_by("created_at", "pk")]
