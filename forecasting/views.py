"""The vendor's demand analytics page, its HTMX fragment and CSV exports. Reads come from
analytics.py, figures from charts.py; this module only decides what to show."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import pandas as pd
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from retailiq.accounts.models import Role, User
from retailiq.catalog.models import Vendor
from retailiq.catalog.selectors import vendor_list_for_user
from retailiq.core.errors import DomainError
from retailiq.registry.models import ModelStatus
from retailiq.registry.selectors import ServingBatch
from retailiq.web.access import role_required
from retailiq.web.cache import cached_for_user, scope_key
from retailiq.web.csv_export import csv_response
from retailiq.web.htmx import wants_fragment

from . import analytics, charts
from .expected_demand import ExpectedDemand, retailer_expected_demand
from .selectors import forecast_batch_label, forecast_batch_serving, latest_sales_day_cached
from .services import product_forecast

T = TypeVar("T")

FRAGMENT_TARGET = "demand-detail"
NO_MODEL = "No forecasts yet: an analyst trains the forecasting model on the Models page."
NOT_SCORED = "The serving model has not scored forecasts yet: an analyst scores them on the Models page (Score now)."
EXPORTS = ("forecast", "accuracy", "weekday", "month", "growth", "decline")
EXPECTED_DEMAND_DAYS = 90  # a shop's share of each product's sales over these days
# How long a shop's expected demand is kept: a forecast batch scored meanwhile, or
# history imported before its origin, shows within this time.
EXPECTED_DEMAND_SECONDS = 5 * 60


@dataclass
class Scope:
    """Who is looking, at which vendor's products, and at what selection."""

    user: User
    vendor: Vendor | None
    products: Any  # QuerySet[Product]: stays lazy so reads filter by it in the database
    options: analytics.PickerOptions
    selection: analytics.Selection
    granularity: str
    run: ServingBatch | None

    def cached(self, name: str, compute: Callable[[], T], **params: Any) -> T:
        return _cached(self.user, self.vendor, self.run, name, compute, **params)

    def query(self, **extra: str) -> dict[str, str]:
        params = {"show": self.selection.value, "by": self.granularity}
        if self.vendor is not None and not self.user.is_vendor:
            params["vendor"] = str(self.vendor.pk)
        return {**params, **extra}


@dataclass
class Detail:
    """What the chart fragment shows for one selection."""

    origin: dt.date | None = None
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecast: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: str = ""
    model_note: str = ""
    explanation: list[str] = field(default_factory=list)
    forecast_note: str = ""
    accuracy: pd.DataFrame = field(default_factory=pd.DataFrame)
    weekdays: pd.DataFrame = field(default_factory=pd.DataFrame)
    months: pd.DataFrame = field(default_factory=pd.DataFrame)


def _cached(
    user: User, vendor: Vendor | None, run: ServingBatch | None, name: str, compute: Callable[[], T], **params
) -> T:
    """`compute`'s answer kept until the sales data changes, per user scope, vendor picked
    and serving batch (a new model version or scoring origin is a new key). Reads over
    two years of lines or a whole batch of forecasts cost hundreds of milliseconds; the
    page and its exports ask for the same ones again and again."""
    return cached_for_user(
        user,
        f"demand:{name}",
        compute,
        vendor=vendor.pk if vendor is not None else "",
        run=run.key if run is not None else "",
        **params,
    )


def _scope(request: HttpRequest) -> Scope:
    user = request.user
    vendor = analytics.demand_vendor_for_user(user=user, vendor_id=request.GET.get("vendor"))
    if request.GET.get("vendor") and vendor is None and not user.is_vendor:
        raise Http404("No such vendor.")
    products = analytics.demand_products_for_user(user=user, vendor=vendor)
    run = forecast_batch_serving()
    scored = _cached(user, vendor, run, "scored-regions", lambda: analytics.regions_scored(run=run))
    options = analytics.demand_picker_options(user=user, products=list(products), scored_regions=scored)
    value = request.GET.get("show", "")
    if not value and run is not None and run.last_data_day is not None and options.products:
        best = _cached(
            user, vendor, run, "top-product", lambda: analytics.top_forecast_product_id(run=run, products=products) or 0
        )
        value = f"product:{best}" if best else ""
    selection = analytics.selection_resolve(value=value, options=options)
    if selection is None:
        raise Http404("Nothing by that name among the products you may analyse.")
    granularity = request.GET.get("by", "day")
    if granularity not in analytics.GRANULARITIES:
        granularity = "day"
    return Scope(user, vendor, products, options, selection, granularity, run)


def explanation_in_words(explanation: list[dict[str, Any]]) -> list[str]:
    """{"driver": "day of week", "effect": 0.18} -> "Day of week raises the forecast by about 18%."."""
    lines = []
    for item in explanation or []:
        driver, effect = str(item.get("driver") or "").strip(), item.get("effect")
        if not driver or not isinstance(effect, int | float):
            if item.get("text"):
                lines.append(str(item["text"]))
            continue
        if abs(effect) < 0.005:
            lines.append(f"{driver[:1].upper()}{driver[1:]} hardly changes the forecast.")
        elif effect >= 1:
            # "+1592%" reads as noise; "about 17 times" is what it means.
            lines.append(f"{driver[:1].upper()}{driver[1:]} raises the forecast about {1 + effect:.0f} times.")
        else:
            verb = "raises" if effect > 0 else "lowers"
            lines.append(f"{driver[:1].upper()}{driver[1:]} {verb} the forecast by about {abs(effect):.0%}.")
    return lines


def _served_model(model: dict[str, Any]) -> tuple[str, str]:
    if model.get("fallback"):
        return "a simple baseline", (
            "No forecasting model has been trained yet, so a simple baseline answers: "
            "an analyst trains the forecasting model on the Models page."
        )
    role = {"champion": "the serving model", "challenger": "a challenger on trial"}.get(model.get("role"), "")
    return f"version {model.get('version')} ({model.get('algorithm')}){', ' + role if role else ''}", ""


def _detail(scope: Scope, *, with_forecast: bool = True, with_accuracy: bool = True) -> Detail:
    detail = Detail()
    user, selection, run = scope.user, scope.selection, scope.run
    if selection.product is not None and not with_forecast:
        detail.origin = latest_sales_day_cached()  # the day an on-demand forecast starts from (as the forecast does)
    elif selection.product is not None:
        try:
            served = product_forecast(
                product=selection.product, horizon=analytics.HORIZON_DAYS, routing_key=f"user:{user.pk}"
            )
        except DomainError as exc:
            detail.forecast_note = exc.message
        else:
            detail.origin = dt.date.fromisoformat(str(served.result["origin_date"]))
            detail.forecast = analytics.served_forecast_frame(served.result.get("days") or [])
            detail.model, detail.model_note = _served_model(served.model)
            detail.explanation = explanation_in_words(served.result.get("explanation") or [])
    elif run is None:
        detail.forecast_note = NO_MODEL
    elif run.last_data_day is None:
        detail.forecast_note = NOT_SCORED
    else:
        detail.origin = run.last_data_day
        serving = run.version.status == ModelStatus.ACTIVE
        detail.model = (
            f"{forecast_batch_label(run)}, {'the serving model' if serving else 'until the serving model scores'}"
        )
        if with_forecast:
            detail.forecast = scope.cached(
                "batch-forecast",
                lambda: analytics.batch_forecast(run=run, products=scope.products, selection=selection),
                show=selection.value,
            )
            if detail.forecast.empty and selection.location_kind != "all":
                detail.forecast_note = (
                    f"Forecasts per {selection.kind} have not been scored yet; the chart shows what sold there."
                )
    if detail.origin is None:
        detail.origin = analytics.latest_sales_day_for_user(user=user, products=scope.products)
    if detail.origin is None:
        return detail
    origin = detail.origin
    # One read of the daily totals over the seasonality window; the chart's history is its tail.
    daily = scope.cached(
        "daily-units",
        lambda: analytics.daily_units(
            user=user,
            products=scope.products,
            selection=selection,
            start=origin - dt.timedelta(days=analytics.SEASONALITY_DAYS - 1),
            end=origin,
        ),
        show=selection.value,
        end=origin.isoformat(),
    )
    days = analytics.HISTORY_DAYS[scope.granularity]
    shown_from = origin - dt.timedelta(days=days - 1)
    # What the warehouses refused for want of stock beside what sold: the demand the forecast learns is both.
    lost = scope.cached(
        "daily-lost",
        lambda: analytics.daily_lost_units(
            user=user, products=scope.products, selection=selection, start=shown_from, end=origin
        ),
        show=selection.value,
        end=origin.isoformat(),
    )
    detail.history = analytics.history_from_daily(daily, start=shown_from, end=origin, lost=lost)
    if scope.granularity == "week":
        detail.history, detail.forecast = analytics.roll_up_weeks(detail.history, detail.forecast, origin=origin)
    if run is not None and run.last_data_day is not None and with_accuracy:
        detail.accuracy = analytics.accuracy_by_week(
            user=user, run=run, products=scope.products, selection=selection, until=origin
        )
    detail.weekdays, detail.months = analytics.seasonality_from_daily(daily, end=origin)
    return detail


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [] if frame is None or frame.empty else frame.to_dict(orient="records")


def _detail_context(scope: Scope, detail: Detail) -> dict[str, Any]:
    sold_anything = not detail.history.empty and float(detail.history["units"].sum()) > 0
    has_chart = sold_anything or not detail.forecast.empty
    accuracy = [
        {**row, "wape_percent": None if row["wape"] is None or pd.isna(row["wape"]) else row["wape"] * 100}
        for row in _records(detail.accuracy)
    ]
    return {
        "scope": scope,
        "selection": scope.selection,
        "granularity": scope.granularity,
        "detail": detail,
        "has_chart": has_chart,
        "lost_units": float(detail.history["lost"].sum()) if "lost" in detail.history else 0.0,
        "demand_figure": charts.demand_figure(
            detail.history, detail.forecast, origin=detail.origin, granularity=scope.granularity
        )
        if has_chart
        else None,
        "accuracy": accuracy,
        "weekday_figure": charts.profile_figure(detail.weekdays, title="By weekday")
        if not detail.weekdays.empty
        else None,
        "month_figure": charts.profile_figure(detail.months, title="By month") if not detail.months.empty else None,
        "query": urlencode(scope.query()),
        "no_model": NO_MODEL,
    }


def _sales_up_to(scope: Scope) -> dt.date | None:
    """The last sales day the page's chart starts from: an on-demand product forecast starts from the latest
    sales day (see _detail), a stored batch's chart from the batch's own last day. The rankings count from it too,
    so the page names one day."""
    if scope.selection.product is not None:
        return latest_sales_day_cached()
    return scope.run.last_data_day if scope.run is not None else None


def _growth_rankings(scope: Scope, end: dt.date | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    if scope.run is None or scope.run.last_data_day is None or end is None:
        return [], []
    run = scope.run
    return scope.cached(
        "growth-rankings",
        lambda: analytics.growth_rankings(user=scope.user, run=run, products=scope.products, end=end),
        end=end.isoformat(),
    )


def _with_percent(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "growth_percent": r["growth"] * 100} for r in rows]


@role_required(Role.VENDOR)
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def demand_page(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    detail = _detail(scope)
    context = _detail_context(scope, detail)
    if wants_fragment(request, FRAGMENT_TARGET):
        return render(request, "forecasting/_detail.html", context)
    sales_up_to = detail.origin or _sales_up_to(scope)
    growing, declining = _growth_rankings(scope, sales_up_to)
    context.update(
        {
            "vendor": scope.vendor,
            "vendors": list(vendor_list_for_user(user=request.user).order_by("name"))
            if request.user.sees_everything
            else [],
            "options": scope.options,
            "run": scope.run,
            "run_label": forecast_batch_label(scope.run) if scope.run is not None else "",
            "ranking_tables": [
                ("Growing fastest", _with_percent(growing), "growth"),
                ("Slowing most", _with_percent(declining), "decline"),
            ],
            "sales_up_to": sales_up_to,
            "ranking_query": urlencode({k: v for k, v in scope.query().items() if k == "vendor"}),
            "not_scored": NOT_SCORED,
            "horizon_days": analytics.HORIZON_DAYS,
        }
    )
    return render(request, "forecasting/demand.html", context)


# --- CSV -------------------------------------------------------------------------------------


def _forecast_rows(scope: Scope, detail: Detail) -> list[list[Any]]:
    label = scope.selection.label
    rows = [[label, r["date"], r["units"], "", "", "", "", ""] for r in _records(detail.history)]
    rows += [
        [label, r["date"], "", r["quantity"], r["lower_80"], r["upper_80"], r["lower_95"], r["upper_95"]]
        for r in _records(detail.forecast)
    ]
    return rows


def _ranking_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["product"], r["sku"], r["last_4_weeks"], r["next_4_weeks"], r["change"], r["growth"]] for r in rows]


@role_required(Role.VENDOR)
@require_GET
def demand_export(request: HttpRequest, table: str) -> HttpResponse:
    if table not in EXPORTS:
        raise Http404("No such table.")
    scope = _scope(request)
    name = slugify(f"demand {table} {scope.selection.label}")[:80]
    if table in ("growth", "decline"):
        growing, declining = _growth_rankings(scope, _sales_up_to(scope))
        header = ["product", "sku", "units_last_4_weeks", "forecast_next_4_weeks", "change", "growth"]
        return csv_response(
            slugify(f"demand {table}"), header, _ranking_rows(growing if table == "growth" else declining)
        )
    detail = _detail(scope, with_forecast=table == "forecast", with_accuracy=table == "accuracy")
    if table == "forecast":
        header = ["selection", "date", "units_sold", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
        return csv_response(name, header, _forecast_rows(scope, detail))
    if table == "accuracy":
        header = ["week_starting", "forecast", "units_sold", "units_refused", "demand", "wape", "mae", "observations"]
        rows = [
            [r["week"], r["forecast"], r["sold"], r["refused"], r["demand"], r["wape"], r["mae"], r["observations"]]
            for r in _records(detail.accuracy)
        ]
        return csv_response(name, header, rows)
    profile = detail.weekdays if table == "weekday" else detail.months
    return csv_response(name, [table, "units_per_day"], [[r["label"], r["units"]] for r in _records(profile)])


@role_required(Role.RETAILER)
@require_GET
def expected_demand_panel(request: HttpRequest) -> HttpResponse:
    """The retailer home's "Expected demand, next 4 weeks", loaded after the home."""
    context = {"demand": _expected_demand(request.user), "recent_days": EXPECTED_DEMAND_DAYS}
    return render(request, "forecasting/_expected_demand_panel.html", context)


def _expected_demand(user: User) -> ExpectedDemand:
    """The shop's share of marketplace sales over the 90 days up to the forecast's origin
    costs a scan of every line of its products (half a second on the large demo). It
    counts only days up to that origin, which new orders do not reach, so it is kept for
    a few minutes without the data version (whose two queries the panel cannot spare)."""
    key = f"dashboards:retailer:expected-demand:{scope_key(user)}:{timezone.localdate().isoformat()}"
    found = cache.get(key)
    if found is None:
        found = retailer_expected_demand(user=user, recent_days=EXPECTED_DEMAND_DAYS)
        cache.set(key, found, EXPECTED_DEMAND_SECONDS)
    return found
