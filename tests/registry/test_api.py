import pytest
from rest_framework.test import APIClient

from retailiq.registry.models import Job, ModelStatus, ModelVersion
from tests import factories as f
from tests.registry.conftest import CAPABILITY


@pytest.fixture
def api():
    return APIClient()


def test_only_analysts_may_train_or_list_models(marketplace, api):
    api.force_authenticate(marketplace.retailer_user_a)
    response = api.post("/api/v1/models/train/", {"capability": CAPABILITY}, format="json")
    assert response.status_code == 403
    assert "analysts" in response.json()["error"]["message"]
    assert api.get("/api/v1/models/").status_code == 403


def test_train_request_records_one_job_per_idempotency_key(
    marketplace, api, adapter, django_capture_on_commit_callbacks
):
    api.force_authenticate(marketplace.analyst)
    body = {"capability": CAPABILITY, "idempotency_key": "nightly-2026-11-21"}
    with django_capture_on_commit_callbacks() as callbacks:
        first = api.post("/api/v1/models/train/", body, format="json")
        second = api.post("/api/v1/models/train/", body, format="json")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"] and Job.objects.count() == 1
    assert len(callbacks) == 1  # enqueued once, after commit


def test_train_rejects_an_unknown_capability_naming_the_field(marketplace, api):
    api.force_authenticate(marketplace.analyst)
    response = api.post("/api/v1/models/train/", {"capability": "astrology"}, format="json")
    assert response.status_code == 400
    assert "capability" in response.json()["error"]["fields"]


def test_deploy_activates_a_ready_version_and_refuses_a_failed_one(marketplace, api):
    api.force_authenticate(marketplace.analyst)
    ready = ModelVersion.objects.create(capability=CAPABILITY, algorithm="mean", status=ModelStatus.READY)
    failed = ModelVersion.objects.create(capability=CAPABILITY, algorithm="mean", status=ModelStatus.FAILED)
    assert api.post("/api/v1/models/deploy/", {"model_version": ready.pk}, format="json").json()["status"] == "active"
    refused = api.post("/api/v1/models/deploy/", {"model_version": failed.pk}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_ready"


def test_jobs_are_visible_only_to_whoever_started_them(marketplace, api):
    own = Job.objects.create(kind="train", capability=CAPABILITY, idempotency_key="a", requested_by=marketplace.rep_a)
    other = Job.objects.create(kind="train", capability=CAPABILITY, idempotency_key="b", requested_by=f.UserFactory())
    api.force_authenticate(marketplace.rep_a)
    assert api.get(f"/api/v1/jobs/{own.pk}/").status_code == 200
    assert api.get(f"/api/v1/jobs/{other.pk}/").status_code == 404
