"""The optimization API per role: stockout risk on demand, order plans (inline and as a job), scenarios, promotion
and purchase-order drafts. Vendors see their own products only, analysts all, retailers and reps none; bad
constraints answer 400 naming the field."""

from dataclasses import replace

import pytest
from rest_framework.test import APIClient

from optimization.conf import optimization_settings
from optimization.models import Plan, PlanLine, PlanStatus
from optimization.services.plans import plan_job_run
from retailiq.catalog.models import Product
from retailiq.registry.models import Job, JobState

STOCKOUT = "/api/v1/predictions/stockout"
OPTIMIZE = "/api/v1/predictions/optimize"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _own(user) -> set[int]:
    return set(Product.objects.filter(vendor_id=user.vendor_id).values_list("pk", flat=True))


def test_a_small_plan_answers_at_once_with_the_vendors_own_lines(stocked):
    response = _client(stocked.vendor_a).post(OPTIMIZE, {"budget": 50000}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] in ("optimal", "feasible")
    assert set(body["costs"]) == {"holding", "shortage", "ordering"}
    assert {line["product_id"] for line in body["lines"]} <= _own(stocked.vendor_a)
    assert len(body["lines"]) == body["pairs"]
    assert body["explanation"]

    plan_url = f"/api/v1/optimization/plans/{body['id']}"
    assert _client(stocked.vendor_b).get(plan_url).status_code == 404
    assert _client(stocked.analyst).get(plan_url).status_code == 200
    assert _client(stocked.retailer).post(OPTIMIZE, {}, format="json").status_code == 403
    assert _client(stocked.rep).get(plan_url).status_code == 404


def test_conflicting_constraints_are_explained_in_words(stocked):
    response = _client(stocked.analyst).post(OPTIMIZE, {"budget": 0, "service_level": 0.99}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "infeasible" and body["lines"] == []
    assert "service floor" in body["explanation"] and "cannot be met" in body["explanation"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"budget": -1}, "budget"),
        ({"warehouses": ["nowhere"]}, "warehouses"),
        ({"service_level": 1.5}, "service_level"),
        ({"capacity": {"nowhere": 10}}, "capacity"),
        ({"overrides": [{"product_id": 1, "warehouse": "__first__", "pack_size": 0}]}, "pack_size"),
    ],
)
def test_bad_constraints_answer_400_naming_the_field(stocked, body, field):
    from retailiq.inventory.models import Warehouse

    for override in body.get("overrides", []):
        override["warehouse"] = Warehouse.objects.order_by("pk").first().code
    response = _client(stocked.analyst).post(OPTIMIZE, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in str(response.json())
    assert not Plan.objects.exists()


def test_a_large_plan_runs_as_a_job_that_can_run_twice(stocked, monkeypatch, django_capture_on_commit_callbacks):
    small = replace(optimization_settings(), inline_pairs=0)
    monkeypatch.setattr("optimization.services.plans.optimization_settings", lambda: small)
    sent = []
    monkeypatch.setattr("optimization.tasks.run_plan.delay", lambda job_id: sent.append(job_id))
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(stocked.analyst).post(OPTIMIZE, {"budget": 100000}, format="json")
    assert response.status_code == 202, response.json()
    job_id = response.json()["job"]["id"]
    assert sent == [job_id]
    assert Job.objects.get(pk=job_id).kind == "plan"

    assert plan_job_run(job_id=job_id, worker="test") == JobState.SUCCEEDED
    plan = Plan.objects.get(pk=response.json()["id"])
    lines = PlanLine.objects.filter(plan=plan).count()
    assert plan.status in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE) and lines == plan.pairs
    assert plan_job_run(job_id=job_id, worker="again") == JobState.SUCCEEDED  # the second delivery changes nothing
    assert PlanLine.objects.filter(plan=plan).count() == lines
    assert Job.objects.get(pk=job_id).percent == 100


def test_a_scenario_is_compared_promoted_and_drafted_once(stocked):
    client = _client(stocked.vendor_a)
    plan = client.post(OPTIMIZE, {"name": "Base"}, format="json").json()
    scenarios = f"/api/v1/optimization/plans/{plan['id']}/scenarios"
    festival = client.post(scenarios, {"demand_factor": 3, "name": "Festival"}, format="json")
    assert festival.status_code == 201, festival.json()
    assert client.post(scenarios, {"demand_factor": 0}, format="json").json()["error"]["fields"].keys() >= {
        "demand_factor"
    }
    compared = client.get(scenarios).json()["plans"]
    assert [p["name"] for p in compared] == ["Base", "Festival"]
    assert compared[1]["summary"]["order_value"] >= compared[0]["summary"]["order_value"]

    promoted = client.post(f"/api/v1/optimization/plans/{festival.json()['id']}/promote")
    assert promoted.json()["promoted"] == festival.json()["id"]
    drafts_url = f"/api/v1/optimization/plans/{plan['id']}/drafts"
    first = client.post(drafts_url)
    assert first.status_code == 201
    orders = first.json()["purchase_orders"]
    assert orders and all(o["vendor_id"] == stocked.vendor_a.vendor_id and o["status"] == "draft" for o in orders)
    ordered = {
        (line.product_id, line.warehouse.code): line.order_qty
        for line in PlanLine.objects.filter(plan_id=festival.json()["id"], order_qty__gt=0).select_related("warehouse")
    }
    drafted = {(line["product_id"], o["warehouse"]): line["quantity"] for o in orders for line in o["lines"]}
    assert drafted == ordered
    assert [o["id"] for o in client.post(drafts_url).json()["purchase_orders"]] == [o["id"] for o in orders]
    assert _client(stocked.vendor_b).post(drafts_url).status_code == 404


def test_stockout_risk_on_demand_is_scoped_to_the_vendor(stocked):
    response = _client(stocked.vendor_a).post(STOCKOUT, {}, format="json")
    assert response.status_code == 200, response.json()
    risks = response.json()["risks"]
    assert risks and {r["product_id"] for r in risks} <= _own(stocked.vendor_a)
    assert all(0 <= r["probability_14"] <= 1 and r["reason"] for r in risks)

    other = sorted(_own(stocked.vendor_b))[0]
    refused = _client(stocked.vendor_a).post(STOCKOUT, {"product_ids": [other]}, format="json")
    assert refused.status_code == 400 and "product_ids" in refused.json()["error"]["fields"]
    assert _client(stocked.vendor_a).post(STOCKOUT, {"warehouse": "nowhere"}, format="json").status_code == 400
    assert _client(stocked.retailer).post(STOCKOUT, {}, format="json").status_code == 403
