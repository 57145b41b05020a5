"""Optimization pages: stock health and its warnings, the vendor home's warnings card, plans with scenarios and
drafts with their CSV; a vendor sees its own products only, retailers and reps no page."""

import csv
import io

import pytest
from django.test import Client

from optimization.models import Plan
from optimization.services.plans import PlanConstraints, plan_create, scenario_create
from retailiq.catalog.models import Product
from retailiq.registry.models import Job
from retailiq.registry.services import scoring_job_create, scoring_job_run_here, training_job_run


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scored(stocked):
    """A small model trained and its risks scored."""
    params = {"history_days": 140, "n_estimators": 20, "test_cutoffs": 2}
    train = Job.objects.create(kind="train", capability="optimization", idempotency_key="pages:train", params=params)
    assert training_job_run(job_id=train.pk, worker="test").state == "succeeded"
    job = scoring_job_create(capability="optimization", user=None, idempotency_key="pages:score")
    assert scoring_job_run_here(job_id=job.pk, worker="test").state == "succeeded"
    return stocked


def _names(user) -> set[str]:
    return set(Product.objects.filter(vendor_id=user.vendor_id).values_list("name", flat=True))


def test_stock_health_shows_the_vendors_own_pairs_and_warnings(scored):
    page = _client(scored.vendor_a).get("/stock/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Early warnings" in html and "Suggested order" in html
    rows = [name for name in _names(scored.vendor_a) if name in html]
    assert rows
    assert not [name for name in _names(scored.vendor_b) - _names(scored.vendor_a) if f"<td>{name}</td>" in html]

    fragment = _client(scored.vendor_a).get(
        "/stock/?warehouse=1", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-stock-health"
    )
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert 'id="stock-warnings" aria-labelledby="warnings-title" aria-live="polite" hx-swap-oob="true"' in (
        fragment.content.decode()
    )
    exported = _client(scored.vendor_a).get("/stock/?risk=high&export=csv").content.decode()
    high = list(csv.DictReader(io.StringIO(exported)))
    assert exported.startswith("Product,Warehouse,On hand")
    assert all(float(row["Risk, 14 days"]) >= 0.5 for row in high)
    panel = _client(scored.vendor_a).get("/stock/warnings/")
    assert panel.status_code == 200
    assert "within 14 days" in panel.content.decode() or "likely to run out" in panel.content.decode()
    assert _client(scored.retailer).get("/stock/").status_code == 403
    assert _client(scored.rep).get("/stock/warnings/").status_code == 403


def test_a_vendor_with_nothing_stocked_gets_empty_stock_pages(stocked):
    from tests import factories as f

    newcomer = f.VendorUserFactory(vendor=f.VendorFactory(name="Newcomer Foods"))
    assert _client(newcomer).get("/stock/").status_code == 200
    assert _client(newcomer).get("/stock/warnings/").status_code == 200


def test_the_vendor_home_loads_the_warnings_card(scored):
    home = _client(scored.vendor_a).get("/vendor/")
    assert home.status_code == 200
    assert "/stock/warnings/" in home.content.decode() and "stockout-warnings-title" in home.content.decode()


def test_plan_pages_compare_scenarios_and_export_drafts(scored):
    client = _client(scored.vendor_a)
    made = client.post("/plans/", {"name": "Next cycle", "budget": "100000"})
    assert made.status_code == 302
    plan = Plan.objects.get(name="Next cycle")
    assert plan.vendor_id == scored.vendor_a.vendor_id
    refused = client.post("/plans/", {"budget": "-5"})
    assert refused.status_code == 400 and "budget must not be negative" in refused.content.decode()

    scenario = client.post(f"/plans/{plan.pk}/scenarios/", {"name": "Festival", "demand_change": "200"})
    assert scenario.status_code == 302
    festival = Plan.objects.get(name="Festival")
    page = client.get(f"/plans/{festival.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "plan-cost-figure" in html and "Binding constraints" in html and "Next cycle" in html
    assert client.post(f"/plans/{festival.pk}/promote/").status_code == 302
    assert client.post(f"/plans/{plan.pk}/drafts/").status_code == 302
    drafts = client.get(f"/plans/{plan.pk}/drafts/")
    assert "Export CSV" in drafts.content.decode()
    csv = client.get(f"/plans/{plan.pk}/drafts.csv")
    lines = csv.content.decode().strip().splitlines()
    assert lines[0].startswith("purchase_order,vendor,warehouse") and len(lines) > 1

    assert _client(scored.vendor_b).get(f"/plans/{plan.pk}/").status_code == 404
    assert _client(scored.analyst).get(f"/plans/{plan.pk}/").status_code == 200


def test_services_scope_plans_to_the_vendor(stocked):
    plan = plan_create(user=stocked.vendor_a, constraints=PlanConstraints(), vendor_id=stocked.vendor_b.vendor_id)
    assert plan.vendor_id == stocked.vendor_a.vendor_id  # a vendor cannot plan another's products
    scenario = scenario_create(user=stocked.vendor_a, plan_id=plan.pk, changes={"lead_time_days": 5})
    assert scenario.base_id == plan.pk and scenario.changes == {"lead_time_days": 5.0}
    assert scenario.name == "Scenario: lead times changed"
