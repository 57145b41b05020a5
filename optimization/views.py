"""Pages: stock health per warehouse with early warnings, order plans (cost split, binding constraints, shadow
prices), scenarios compared with charts, purchase-order drafts per vendor with their CSV; and the vendor home's
warnings panel. They call the same services as the API."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from retailiq.accounts.models import Role
from retailiq.core.errors import DomainError, NotFound
from retailiq.web.access import role_required
from retailiq.web.csv_export import csv_response
from retailiq.web.htmx import wants_fragment

from . import charts
from .conf import optimization_settings
from .selectors import plan_list_for_user, warehouse_codes
from .services.drafts import drafting_plan, drafts_csv_rows, purchase_order_drafts, purchase_order_drafts_create
from .services.plans import (
    PlanConstraints,
    plan_create,
    plan_family,
    plan_for_user,
    scenario_create,
    scenario_promote,
)
from .services.stock import stock_health

TABLE_ROWS = 200
WARNING_ROWS = 10


def _warehouse_choice(request: HttpRequest) -> tuple[list[tuple[int, str, str]], int | None]:
    from retailiq.inventory.models import Warehouse

    choices = list(Warehouse.objects.filter(is_active=True).order_by("name").values_list("pk", "code", "name"))
    chosen = request.GET.get("warehouse", "")
    ids = {pk for pk, _, _ in choices}
    return choices, int(chosen) if chosen.isdigit() and int(chosen) in ids else None


def _warnings(frame) -> list[dict[str, Any]]:
    risky = frame[frame["probability_14"].notna() & (frame["expected_lost_revenue"] > 0)]
    risky = risky.sort_values("expected_lost_revenue", ascending=False)
    return risky.head(WARNING_ROWS).to_dict(orient="records")


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def stock_health_page(request: HttpRequest) -> HttpResponse:
    choices, warehouse_id = _warehouse_choice(request)
    frame = stock_health(user=request.user, warehouse_id=warehouse_id)
    warnings = _warnings(frame)
    figure = None
    if warnings:
        labels = [f"{w['product']} · {w['warehouse']}" for w in warnings]
        figure = charts.warnings_figure(
            labels, [w["expected_lost_revenue"] for w in warnings], [w["probability_14"] for w in warnings]
        )
    context = {
        "rows": frame.head(TABLE_ROWS).to_dict(orient="records"),
        "total": len(frame),
        "shown": min(len(frame), TABLE_ROWS),
        "warnings": warnings,
        "warnings_figure": figure,
        "warehouses": choices,
        "warehouse_id": warehouse_id,
        "scored": frame["probability_14"].notna().any() if len(frame) else False,
    }
    if wants_fragment(request, "stock-health"):
        return render(request, "optimization/_stock_health.html", context)
    return render(request, "optimization/stock_health.html", context)


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
def warnings_panel(request: HttpRequest) -> HttpResponse:
    """The vendor home's card: the products most likely to run out, with the reason in words."""
    frame = stock_health(user=request.user)
    warnings = _warnings(frame)[: optimization_settings().warnings_on_home]
    return render(request, "optimization/_warnings_panel.html", {"warnings": warnings})


@role_required(Role.VENDOR, Role.ANALYST)
@require_http_methods(["GET", "POST"])
def plan_list_page(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            constraints = PlanConstraints(
                budget=_number(request.POST, "budget", errors),
                service_level=_fraction(request.POST, "service_level", errors),
                warehouses=tuple(request.POST.getlist("warehouses")),
            )
            if not errors:
                plan = plan_create(user=request.user, constraints=constraints, name=request.POST.get("name", ""))
                return redirect("optimization:plan", plan_id=plan.pk)
        except DomainError as exc:
            errors.update(exc.fields or {"form": exc.message})
    plans = plan_list_for_user(user=request.user).filter(base__isnull=True)[:50]
    return render(
        request,
        "optimization/plans.html",
        {"plans": plans, "errors": errors, "warehouses": warehouse_codes(), "form": request.POST},
        status=400 if errors else 200,
    )


def _number(data, name: str, errors: dict[str, str]) -> float | None:
    raw = (data.get(name) or "").replace(",", "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = f"{name.replace('_', ' ').capitalize()} must be a number."
        return None


def _fraction(data, name: str, errors: dict[str, str]) -> float | None:
    """Given in percent on the page (95 means 0.95)."""
    value = _number(data, name, errors)
    return None if value is None else value / 100.0


def _plan_or_404(request: HttpRequest, plan_id: int):
    try:
        return plan_for_user(user=request.user, plan_id=plan_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    family = plan_family(plan=plan)
    solved = [p for p in family if p.is_solved]
    base = family[0]
    context = {
        "plan": plan,
        "base": base,
        "family": family,
        "drafting": drafting_plan(plan),
        "lines": plan.lines.select_related("product", "warehouse").filter(order_qty__gt=0)[:TABLE_ROWS],
        "ordered_lines": plan.lines.filter(order_qty__gt=0).count(),
        "cost_figure": charts.cost_split_figure([p.name for p in solved], [p.costs for p in solved])
        if solved
        else None,
        "service_figure": charts.service_figure(
            [p.name for p in solved],
            [p.summary.get("expected_service") or 0 for p in solved],
            [p.summary.get("order_value") or 0 for p in solved],
        )
        if len(solved) > 1
        else None,
    }
    return render(request, "optimization/plan.html", context)


@role_required(Role.VENDOR, Role.ANALYST)
@require_POST
def scenario_create_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {"name": request.POST.get("name", "")}
    if (demand := _number(request.POST, "demand_change", errors)) is not None:
        changes["demand_factor"] = 1 + demand / 100.0
    if (days := _number(request.POST, "lead_time_days", errors)) is not None:
        changes["lead_time_days"] = days
    if (budget := _number(request.POST, "budget", errors)) is not None:
        changes["budget"] = budget
    if (service := _fraction(request.POST, "service_level", errors)) is not None:
        changes["service_level"] = service
    if not errors:
        try:
            scenario = scenario_create(user=request.user, plan_id=plan_id, changes=changes)
            return redirect("optimization:plan", plan_id=scenario.pk)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            errors.update(exc.fields or {"form": exc.message})
    for message in errors.values():
        messages.error(request, message)
    return redirect("optimization:plan", plan_id=plan_id)


@role_required(Role.VENDOR, Role.ANALYST)
@require_POST
def scenario_promote_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        base = scenario_promote(user=request.user, plan_id=plan_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("optimization:plan", plan_id=plan_id)
    messages.success(request, "Purchase-order drafts will come from this plan.")
    return redirect("optimization:plan", plan_id=base.promoted_id or base.pk)


@role_required(Role.VENDOR, Role.ANALYST)
@require_http_methods(["GET", "POST"])
def drafts_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_or_404(request, plan_id)
    if request.method == "POST":
        try:
            purchase_order_drafts_create(user=request.user, plan_id=plan_id)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("optimization:drafts", plan_id=plan_id)
    source = drafting_plan(plan)
    orders = purchase_order_drafts(plan=source)
    return render(request, "optimization/drafts.html", {"plan": plan, "source": source, "orders": orders})


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
def drafts_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    source = drafting_plan(_plan_or_404(request, plan_id))
    header, *rows = drafts_csv_rows(purchase_order_drafts(plan=source))
    return csv_response(f"purchase-order-drafts-plan-{source.pk}", header, rows)
