"""Pages: stock health per warehouse with early warnings, order plans (cost split, binding constraints, shadow
prices), scenarios compared with charts, purchase-order drafts per vendor with their CSV; and the vendor home's
warnings panel. They call the same services as the API."""

from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from retailiq.accounts.models import Role
from retailiq.catalog.selectors import vendor_list_for_user
from retailiq.core.errors import DomainError, NotFound
from retailiq.inventory.selectors import purchase_order_list_for_user, warehouses_active
from retailiq.web.access import role_required
from retailiq.web.csv_export import csv_response
from retailiq.web.errors import apply_domain_error
from retailiq.web.htmx import wants_fragment
from retailiq.web.tables import first_response, table_response

from . import charts
from .conf import optimization_settings
from .forms import PlanForm, StockHealthFilter, vendor_choice
from .selectors import plan_list_for_user, warehouse_codes
from .services.drafts import drafting_plan, drafts_csv_rows, purchase_order_drafts, purchase_order_drafts_create
from .services.plans import (
    plan_create,
    plan_family,
    plan_for_user,
    scenario_create,
    scenario_promote,
)
from .services.shortfall import below_reorder_point
from .services.stock import stock_health
from .tables import PurchaseOrderFilter, PurchaseOrderTable, StockHealthTable

TABLE_ROWS = 200
WARNING_ROWS = 10


def _warehouses() -> list[tuple[int, str, str]]:
    return list(warehouses_active().order_by("name").values_list("pk", "code", "name"))


def _warnings(frame) -> list[dict[str, Any]]:
    risky = frame[frame["probability_14"].notna() & (frame["expected_lost_revenue"] > 0)]
    risky = risky.sort_values("expected_lost_revenue", ascending=False)
    return risky.head(WARNING_ROWS).to_dict(orient="records")


def _warnings_context(frame) -> dict[str, Any]:
    warnings = _warnings(frame)
    figure = None
    if warnings:
        labels = [f"{w['product']} · {w['warehouse']}" for w in warnings]
        figure = charts.warnings_figure(
            labels, [w["expected_lost_revenue"] for w in warnings], [w["probability_14"] for w in warnings]
        )
    scored = bool(frame["probability_14"].notna().any()) if len(frame) else False
    return {"warnings": warnings, "warnings_figure": figure, "scored": scored}


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def stock_health_page(request: HttpRequest) -> HttpResponse:
    """Warnings for the chosen warehouse (and, for analysts, vendor), and every pair in the shared table, filtered
    by warehouse and risk. When the filter changes in place, the warnings follow out of band."""
    chosen = StockHealthFilter(request.GET, user=request.user, warehouses=_warehouses())
    frame = stock_health(user=request.user, warehouse_id=chosen.warehouse_id, vendor_id=chosen.vendor_id)
    rows = chosen.apply(frame).astype(object).where(lambda f: f.notna(), None).to_dict(orient="records")
    table = StockHealthTable(rows, filterset=chosen)
    context = {"table": table, **_warnings_context(frame)}
    response = table_response(request, table)
    if response is not None:
        if wants_fragment(request, table.region_id):
            response.write(render_to_string("optimization/_stock_warnings.html", {**context, "oob": True}, request))
        return response
    return render(request, "optimization/stock_health.html", context)


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
def warnings_panel(request: HttpRequest) -> HttpResponse:
    """The vendor home's card: the products most likely to run out, with the reason in words."""
    frame = stock_health(user=request.user)
    warnings = _warnings(frame)[: optimization_settings().warnings_on_home]
    return render(request, "optimization/_warnings_panel.html", {"warnings": warnings})


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def purchase_orders_page(request: HttpRequest) -> HttpResponse:
    """Purchase orders with their status, promised and actual dates and lines: a vendor those addressed to it,
    analysts every vendor's (with a vendor to pick)."""
    orders = (
        purchase_order_list_for_user(user=request.user)
        .annotate(units_ordered=Sum("lines__quantity_ordered"), units_received=Sum("lines__quantity_received"))
        .order_by("-ordered_on", "-pk")
    )
    vendors = vendor_list_for_user(user=request.user).order_by("name") if request.user.sees_everything else None
    filterset = PurchaseOrderFilter(
        request.GET or None, queryset=orders, warehouses=warehouses_active().order_by("name"), vendors=vendors
    )
    table = PurchaseOrderTable(filterset.qs, filterset=filterset, exclude=() if vendors is not None else ("vendor",))
    return first_response(
        request, [table], lambda: render(request, "optimization/purchase_orders.html", {"table": table})
    )


@role_required(Role.VENDOR, Role.ANALYST)
@require_http_methods(["GET", "POST"])
def plan_list_page(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user, warehouses=warehouse_codes())
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(
                user=request.user,
                constraints=form.constraints(),
                name=form.cleaned_data["name"],
                vendor_id=vendor_choice(form),
            )
            return redirect("optimization:plan", plan_id=plan.pk)
        except DomainError as exc:
            apply_domain_error(form, exc, field_names=form.error_fields())
    plans = plan_list_for_user(user=request.user).filter(base__isnull=True)[:50]
    return render(
        request,
        "optimization/plans.html",
        {"plans": plans, "form": form},
        status=400 if form.errors else 200,
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
        "below_reorder_point": below_reorder_point(plan=plan) if plan.is_solved else None,
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
