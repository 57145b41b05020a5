"""Who may open what: every URL the resolver knows, for nine callers (anonymous, two shops,
two vendors, two reps, an analyst, an admin), with the object in its path belonging to side A
(shop A, vendor 1, rep A), so side B asking for it is asking for a neighbour's.

The expectation is one row per URL in MATRIX. A URL the resolver knows that the matrix does not
(a new page or endpoint) fails the test until someone decides who may open it. Codes:
  y  opens (any answer that is not a refusal; 400 or 405 when a GET lacks what a POST needs:
     the caller got past the door). Each URL is asked with GET, so a POST-only view shows who
     may reach it; whose object a POST may touch is in that view's own tests.
  l  anonymous: sent to the login page (pages) or 401/403 (API)
  f  refused, 403 (a role that may not use it at all)
  x  not found, 404 (another's object, whose existence does not leak)
A 500 reads "!", which no row may hold. Admin URLs (Django's own) are left to Django's staff check."""

import datetime as dt
import os
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from forecasting.models import DemandForecast
from insights.models import Insight
from optimization.models import Plan
from retailiq.imports.models import ImportBatch
from retailiq.inventory.models import PurchaseOrder, StockLevel, StockMovement
from retailiq.orders.models import LostSale
from retailiq.registry.models import Job, ModelStatus, ModelVersion
from tests import factories as f

CALLERS = ("anon", "retailer_a", "retailer_b", "vendor_1", "vendor_2", "rep_a", "rep_b", "analyst", "admin")
SIDE_A = {"retailer_b": "retailer_a", "vendor_2": "vendor_1", "rep_b": "rep_a"}

# One column per caller, in CALLERS' order.
MATRIX = {
    "": "lyyyyyyyy",
    "retailer/": "lyyffffyy",
    "vendor/": "lffyyffyy",
    "rep/": "lffffyyyy",
    "analyst/": "lffffffyy",
    "analyst/recommendations/uptake/": "lffffffyy",
    "vendor/demand/": "lffyyffyy",
    "vendor/demand/export/<slug:table>.csv": "lffyyffyy",
    "retailer/demand/next-weeks/": "lyyffffyy",
    "rep/calls/": "lffffyyyy",
    "rep/calls.csv": "lffffyyyy",
    "rep/calls/outcome/": "lffffyyyy",
    "rep/calls/today/": "lffffyyyy",
    "rep/retailers/<int:retailer_id>/": "lffffyxyy",
    "retailer/reorder/": "lyyffffyy",
    "retailer/reorder.csv": "lyyffffyy",
    "retailer/reorder/soon/": "lyyffffyy",
    "retailer/recommendations/": "lyyffffyy",
    "retailer/recommendations/panel/": "lyyffffyy",
    "retailer/recommendations/feedback/": "lyyffffyy",
    "rep/recommendations/panel/": "lffffyyyy",
    "rep/retailers/<int:retailer_id>/pitch/": "lffffyxyy",
    "vendor/recommendations/": "lffyyffyy",
    "vendor/recommendations/panel/": "lffyyffyy",
    "stock/": "lffyyffyy",
    "stock/warnings/": "lffyyffyy",
    "stock/purchase-orders/": "lffyyffyy",
    "plans/": "lffyyffyy",
    "plans/<int:plan_id>/": "lffyxffyy",
    "plans/<int:plan_id>/scenarios/": "lffyyffyy",
    "plans/<int:plan_id>/promote/": "lffyyffyy",
    "plans/<int:plan_id>/drafts/": "lffyxffyy",
    "plans/<int:plan_id>/drafts.csv": "lffyxffyy",
    "insights/": "lyyyyyyyy",
    "insights/panel/": "lyyyyyyyy",
    "insights/<int:insight_id>/feedback/": "lyyyyyyyy",
    "insights/shops/<int:retailer_id>/": "lyxffyxyy",
    "insights/products/<int:product_id>/": "lffyxffyy",
    "analyst/segments/": "lffffffyy",
    "analyst/models/": "lffffffyy",
    "analyst/models/train/": "lffffffyy",
    "analyst/models/score/": "lffffffyy",
    "analyst/models/rollback/": "lffffffyy",
    "analyst/models/compare/": "lffffffyy",
    "analyst/models/<int:pk>/activate/": "lffffffyy",
    "analyst/models/<int:pk>/rollout/": "lffffffyy",
    "analyst/models/jobs/<int:pk>/": "lyxyxyxyy",
    "analyst/models/jobs/<int:pk>/cancel/": "lyyyyyyyy",
    "analyst/imports/": "lffffffyy",
    "analyst/imports/new/": "lffffffyy",
    "analyst/imports/format/": "lffffffyy",
    "analyst/imports/template.csv": "lffffffyy",
    "analyst/imports/<int:pk>/": "lffffffyy",
    "analyst/imports/<int:pk>/mapping/": "lffffffyy",
    "analyst/imports/<int:pk>/progress/": "lffffffyy",
    "analyst/imports/<int:pk>/report.csv": "lffffffyy",
    "analyst/imports/<int:pk>/undo/": "lffffffyy",
    "login/": "yyyyyyyyy",
    "logout/": "lyyyyyyyy",
    "healthz": "yyyyyyyyy",
    "api/v1/me/": "lyyyyyyyy",
    "api/v1/health": "yyyyyyyyy",
    "api/v1/metrics": "lffffffyy",
    "api/v1/models/train/": "lffffffyy",
    "api/v1/models/deploy/": "lffffffyy",
    "api/v1/models/rollback/": "lffffffyy",
    "api/v1/models/rollout/": "lffffffyy",
    "api/v1/models/score/": "lffffffyy",
    "api/v1/models/compare/": "lffffffyy",
    "api/v1/models/performance/": "lffffffyy",
    "api/v1/forecasts/products/<int:product_id>/": "lxxyxxxyy",
    "api/v1/predictions/demand": "lyyyyyyyy",
    "api/v1/predict": "lyyyyyyyy",
    "api/v1/^forecasts/$": "lyyyyyyyy",
    "api/v1/^forecasts/(?P<pk>[^/.]+)/$": "lxxyxxxyy",
    "api/v1/predictions/reorder": "lyyyyyyyy",
    "api/v1/reorder/call-list": "lffffyyyy",
    "api/v1/reorder/predictions": "lyyyyyyyy",
    "api/v1/reorder/call-outcomes": "lyyyyyyyy",
    "api/v1/recommendations": "lyyyyyyyy",
    "api/v1/recommendations/feedback": "lyyyyyyyy",
    "api/v1/predictions/stockout": "lyyyyyyyy",
    "api/v1/predictions/optimize": "lyyyyyyyy",
    "api/v1/optimization/plans/<int:plan_id>": "lxxyxxxyy",
    "api/v1/optimization/plans/<int:plan_id>/scenarios": "lxxyxxxyy",
    "api/v1/optimization/plans/<int:plan_id>/promote": "lyyyyyyyy",
    "api/v1/optimization/plans/<int:plan_id>/drafts": "lxxyxxxyy",
    "api/v1/insights": "lyyyyyyyy",
    "api/v1/insights/<int:insight_id>/feedback": "lyyyyyyyy",
    "api/v1/segments": "lyyffyyyy",
    "api/v1/imports/": "lffffffyy",
    "api/v1/imports/<int:pk>/": "lffffffyy",
    "api/v1/imports/<int:pk>/issues/": "lffffffyy",
    "api/v1/imports/<int:pk>/start/": "lffffffyy",
    "api/v1/imports/<int:pk>/undo/": "lffffffyy",
    "api/v1/^vendors/$": "lyyyyyyyy",
    "api/v1/^vendors/(?P<pk>[^/.]+)/$": "lyyyxyyyy",
    "api/v1/^products/$": "lyyyyyyyy",
    "api/v1/^products/(?P<pk>[^/.]+)/$": "lyyyxyyyy",
    "api/v1/^retailers/$": "lyyyyyyyy",
    "api/v1/^retailers/(?P<pk>[^/.]+)/$": "lyxxxyxyy",
    "api/v1/^orders/$": "lyyyyyyyy",
    "api/v1/^orders/(?P<pk>[^/.]+)/$": "lyxxxyxyy",
    "api/v1/^sales-lines/$": "lyyyyyyyy",
    "api/v1/^sales-lines/(?P<pk>[^/.]+)/$": "lyxyxyxyy",
    "api/v1/^lost-sales/$": "lyyyyyyyy",
    "api/v1/^lost-sales/(?P<pk>[^/.]+)/$": "lyxyxyxyy",
    "api/v1/^warehouses/$": "lyyyyyyyy",
    "api/v1/^warehouses/(?P<pk>[^/.]+)/$": "lyyyyyyyy",
    "api/v1/^stock-levels/$": "lyyyyyyyy",
    "api/v1/^stock-levels/(?P<pk>[^/.]+)/$": "lxxyxxxyy",
    "api/v1/^stock-movements/$": "lyyyyyyyy",
    "api/v1/^stock-movements/(?P<pk>[^/.]+)/$": "lxxyxxxyy",
    "api/v1/^purchase-orders/$": "lyyyyyyyy",
    "api/v1/^purchase-orders/(?P<pk>[^/.]+)/$": "lxxyxxxyy",
    "api/v1/^models/$": "lffffffyy",
    "api/v1/^models/(?P<pk>[^/.]+)/$": "lffffffyy",
    "api/v1/^jobs/$": "lyyyyyyyy",
    "api/v1/^jobs/(?P<pk>[^/.]+)/$": "lyxyxyxyy",
    "api/v1/^jobs/(?P<pk>[^/.]+)/cancel/$": "lyyyyyyyy",
    "api/v1/": "lyyyyyyyy",
    "api/v1/^.*$": "xxxxxxxxx",
    "api/schema/": "yyyyyyyyy",
    "api/docs/": "yyyyyyyyy",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and "(?P<format>" not in route and "<drf_format_suffix" not in route:
            yield route  # format-suffix twins (.json, .api) are the same view as the route without


def resolver_routes() -> list[str]:
    return list(dict.fromkeys(_walk(get_resolver().url_patterns)))


@pytest.fixture
def world(marketplace):
    m = marketplace
    users = {
        "retailer_a": m.retailer_user_a,
        "retailer_b": m.retailer_user_b,
        "vendor_1": m.vendor_user_1,
        "vendor_2": m.vendor_user_2,
        "rep_a": m.rep_a,
        "rep_b": m.rep_b,
        "analyst": m.analyst,
        "admin": f.AdminUserFactory(username="admin_1"),
    }
    version = ModelVersion.objects.create(capability="forecasting", algorithm="mean", status=ModelStatus.READY)
    jobs = {
        name: Job.objects.create(kind="train", capability="forecasting", idempotency_key=f"m-{name}", requested_by=user)
        for name, user in users.items()
    }
    line = m.order_a.lines.first()
    lost = LostSale.objects.create(
        order=m.order_a, retailer=m.shop_a, product=line.product, warehouse=m.order_a.warehouse,
        lost_on=line.placed_on, quantity=3,
    )  # fmt: skip
    stock = StockLevel.objects.create(product=m.product_1, warehouse=m.order_a.warehouse, on_hand=5)
    day = dt.date(2026, 3, 1)
    forecast = DemandForecast.objects.create(
        model_version=version, product=m.product_1, target_date=day, origin_date=day,
        quantity=1, lower_80=0, upper_80=2, lower_95=0, upper_95=3,
    )  # fmt: skip
    movement = StockMovement.objects.create(
        product=m.product_1,
        warehouse=m.order_a.warehouse,
        moved_on=day,
        quantity=5,
        kind=StockMovement._meta.get_field("kind").choices[0][0],
    )
    purchase = PurchaseOrder.objects.create(number="PO-A-1", vendor=m.vendor_1, warehouse=m.order_a.warehouse)
    plan = Plan.objects.create(name="Side A", created_by=m.vendor_user_1, vendor=m.vendor_1, as_of=day)
    insight = Insight.objects.create(
        as_of=day, key=f"churn_risk:r{m.shop_a.pk}", kind="churn_risk", subject_kind="retailer", retailer=m.shop_a,
        severity=3, score=0.9, title="Side A's shop is lapsing",
    )  # fmt: skip
    batch = ImportBatch.objects.create(
        original_name="a.csv", size_bytes=1, sha256="0" * 64, uploaded_by=m.analyst, created_at=timezone.now()
    )
    return {
        "users": users,
        "jobs": jobs,
        "ids": {
            "retailer_id": m.shop_a.pk,
            "product_id": m.product_1.pk,
            "plan_id": plan.pk,
            "insight_id": insight.pk,
            "table": "forecast",
            "vendors": m.vendor_1.pk,
            "products": m.product_1.pk,
            "retailers": m.shop_a.pk,
            "orders": m.order_a.pk,
            "sales-lines": line.pk,
            "lost-sales": lost.pk,
            "warehouses": m.order_a.warehouse.pk,
            "stock-levels": stock.pk,
            "stock-movements": movement.pk,
            "purchase-orders": purchase.pk,
            "models": version.pk,
            "forecasts": forecast.pk,
            "imports": batch.pk,
        },
    }


def _url(route: str, caller: str, world: dict) -> str:
    """The route with side A's object in it; a job is the caller's own (side B: side A's)."""
    ids = world["ids"]
    owner = SIDE_A.get(caller, caller if caller != "anon" else "retailer_a")

    def value(name: str, before: str) -> str:
        if "jobs" in before:
            return str(world["jobs"][owner].pk)
        if name in ids:
            return str(ids[name])
        if "analyst/models/" in before:
            return str(ids["models"])
        if "imports" in before:
            return str(ids["imports"])
        collection = re.findall(r"\^([a-z-]+)/", before)
        return str(ids[collection[-1]])

    path = ""
    for part in re.split(r"(<[^>]+>|\(\?P<[a-z_]+>[^)]*\))", route):
        if part.startswith("<"):
            path += value(part.strip("<>").split(":")[-1], path)
        elif part.startswith("(?P<"):
            path += value(re.match(r"\(\?P<([a-z_]+)>", part).group(1), path)
        else:
            path += part
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def _code(response, caller: str) -> str:
    status = response.status_code
    if status >= 500 and status != 503:  # 503: a deep health check naming what is down
        return "!"
    if caller == "anon" and (status in (401, 403) or (status == 302 and "/login/" in response["Location"])):
        return "l"
    return {403: "f", 404: "x", 401: "l"}.get(status, "y")


def test_every_url_is_in_the_matrix():
    routes = resolver_routes()
    assert set(routes) - set(MATRIX) == set(), "new URLs: add a row to MATRIX saying who may open them"
    assert set(MATRIX) - set(routes) == set(), "rows for URLs that no longer exist"


def test_each_caller_opens_only_what_the_matrix_says(world, monkeypatch):
    monkeypatch.setattr("retailiq.core.health._worker", lambda timeout: "pong")  # no 3 s wait on a worker
    clients = {"anon": Client(raise_request_exception=False)}
    for name, user in world["users"].items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    observed = {}
    for route in resolver_routes():
        codes = ""
        for caller in CALLERS:
            url = _url(route, caller, world)
            codes += _code(clients[caller].get(url), caller)
        observed[route] = codes
    if os.environ.get("RETAILIQ_PRINT_MATRIX"):
        print("\n".join(f'    "{route}": "{codes}",' for route, codes in observed.items()))
    wrong = {route: (MATRIX.get(route), codes) for route, codes in observed.items() if MATRIX.get(route) != codes}
    assert wrong == {}, "route: (expected, observed) in the order " + " ".join(CALLERS)
