"""Serving, rollout, scoring, performance, health and metrics over the API, with the
forecasting adapter on a small known history."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from forecasting.models import DemandForecast
from retailiq.registry.models import Job, JobState, ModelStatus, ModelVersion, Rollout
from retailiq.registry.services import scoring_chunk_run, scoring_job_plan, training_job_run
from tests import factories as f


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def trained(demand_history):
    job = Job.objects.create(kind="train", capability="forecasting", idempotency_key="api-train")
    return training_job_run(job_id=job.pk, worker="w").model_version


def test_a_vendor_forecasts_its_own_products_only(demand_history, trained, api):
    api.force_authenticate(demand_history.vendor_user_1)
    own = api.get(f"/api/v1/forecasts/products/{demand_history.product_1.pk}/?horizon=5")
    assert own.status_code == 200, own.content
    body = own.json()
    assert len(body["days"]) == 5 and body["model"] == {
        "version": trained.pk,
        "algorithm": trained.algorithm,
        "role": "champion",
        "fallback": False,
    }
    other = api.get(f"/api/v1/forecasts/products/{demand_history.product_2.pk}/")
    assert other.status_code == 404
    api.force_authenticate(demand_history.retailer_user_a)
    assert api.get(f"/api/v1/forecasts/products/{demand_history.product_1.pk}/").status_code == 404


def test_a_bad_horizon_is_named(demand_history, api):
    api.force_authenticate(demand_history.analyst)
    response = api.get(f"/api/v1/forecasts/products/{demand_history.product_1.pk}/?horizon=0")
    assert response.status_code == 400 and "horizon" in response.json()["error"]["fields"]


def test_before_any_training_the_baseline_answers_and_says_so(demand_history, api):
    api.force_authenticate(demand_history.analyst)
    body = api.get(f"/api/v1/forecasts/products/{demand_history.product_1.pk}/").json()
    assert body["model"]["fallback"] is True and "baseline" in body["model"]["note"]


def test_precomputed_forecasts_are_scoped_like_the_products(
    demand_history, trained, api, django_capture_on_commit_callbacks
):
    api.force_authenticate(demand_history.analyst)
    with django_capture_on_commit_callbacks():
        response = api.post("/api/v1/models/score/", {"capability": "forecasting"}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    for number in scoring_job_plan(job_id=job_id, worker="w"):
        scoring_chunk_run(job_id=job_id, number=number)
    assert Job.objects.get(pk=job_id).state == JobState.SUCCEEDED
    # 2 products x 14 days, in total and at the one warehouse and region they sold from.
    assert api.get("/api/v1/forecasts/").json()["count"] == DemandForecast.objects.count() == 84
    totals = api.get("/api/v1/forecasts/?location_kind=all").json()
    assert totals["count"] == 28
    by_warehouse = api.get("/api/v1/forecasts/?location_kind=warehouse").json()["results"]
    assert {r["location"] for r in by_warehouse} == {demand_history.order_a.warehouse.code}
    assert sum(r["quantity"] for r in by_warehouse) == pytest.approx(sum(r["quantity"] for r in totals["results"]))
    api.force_authenticate(demand_history.vendor_user_2)
    rows = api.get("/api/v1/forecasts/?location_kind=all").json()["results"]
    assert len(rows) == 14 and {r["product"] for r in rows} == {demand_history.product_2.pk}


def test_rollout_rollback_compare_and_performance(demand_history, trained, api):
    job = Job.objects.create(
        kind="train", capability="forecasting", idempotency_key="api-train-2", params={"method": "naive"}
    )
    challenger = training_job_run(job_id=job.pk, worker="w").model_version
    api.force_authenticate(demand_history.analyst)
    bad = api.post("/api/v1/models/rollout/", {"model_version": challenger.pk, "rollout": "share"}, format="json")
    assert bad.status_code == 400 and "traffic_share" in bad.json()["error"]["fields"]
    ok = api.post(
        "/api/v1/models/rollout/",
        {"model_version": challenger.pk, "rollout": "share", "traffic_share": 0.25},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["rollout"] == Rollout.SHARE
    compared = api.get(f"/api/v1/models/compare/?first={trained.pk}&second={challenger.pk}").json()
    assert {row["metric"] for row in compared} >= {"mae", "wape", "coverage_80"}
    assert api.get("/api/v1/models/compare/?first=x&second=1").json()["error"]["fields"].keys() == {"first"}
    deployed = api.post("/api/v1/models/deploy/", {"model_version": challenger.pk}, format="json").json()
    assert deployed["status"] == ModelStatus.ACTIVE and deployed["rollout"] == Rollout.NONE
    rolled = api.post("/api/v1/models/rollback/", {"capability": "forecasting"}, format="json").json()
    assert rolled["id"] == trained.pk
    performance = api.get("/api/v1/models/performance/?capability=forecasting").json()
    assert {p["model_version"] for p in performance} == {trained.pk, challenger.pk}
    assert api.get("/api/v1/models/performance/?capability=weather").status_code == 400


def test_job_cancel_is_scoped_to_who_may_see_the_job(demand_history, api):
    job = Job.objects.create(
        kind="train", capability="forecasting", idempotency_key="c", requested_by=demand_history.analyst
    )
    api.force_authenticate(demand_history.vendor_user_1)
    assert api.post(f"/api/v1/jobs/{job.pk}/cancel/").status_code == 404
    api.force_authenticate(demand_history.analyst)
    assert api.post(f"/api/v1/jobs/{job.pk}/cancel/").json()["state"] == JobState.CANCELLED


def test_health_reports_checks_and_serving_models_to_staff_only(db, api):
    anonymous = api.get("/api/v1/health?worker=0")
    assert anonymous.status_code == 200 and anonymous.json() == {"ok": True, "checks": [], "models": []}

    api.force_authenticate(f.AnalystFactory())
    response = api.get("/api/v1/health?worker=0")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {c["name"] for c in body["checks"]} == {"database", "cache", "broker"}
    assert {"capability": "forecasting", "version": None, "algorithm": "baseline", "trained_on": None} in body["models"]


def test_metrics_are_prometheus_text_for_analysts_or_the_scraper_token(demand_history, trained, api, settings):
    api.force_authenticate(demand_history.analyst)
    api.get(f"/api/v1/forecasts/products/{demand_history.product_1.pk}/")
    response = api.get("/api/v1/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for name in (
        "retailiq_predictions_served_total",
        "retailiq_prediction_cache_total",
        'retailiq_jobs_finished_total{capability="forecasting",kind="train",state="succeeded"} 1.0',
        "retailiq_job_duration_seconds_total",
        "django_http_requests_latency_seconds_by_view_method",
    ):
        assert name in text
    api.force_authenticate(None)
    assert api.get("/api/v1/metrics").status_code in (401, 403)
    settings.RETAILIQ_METRICS_TOKEN = "scrape-secret"
    assert api.get("/api/v1/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200
    assert api.get("/api/v1/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code in (401, 403)
    assert ModelVersion.objects.count() == 1


def test_training_and_deploying_are_throttled(demand_history, api, monkeypatch):
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "model_admin": "2/min"}
    )
    api.force_authenticate(demand_history.analyst)
    answers = [
        api.post("/api/v1/models/rollback/", {"capability": "forecasting"}, format="json").status_code for _ in range(3)
    ]
    assert answers == [409, 409, 429]
    assert (
        "throttled"
        in api.post("/api/v1/models/rollback/", {"capability": "forecasting"}, format="json").json()["error"]["code"]
    )
