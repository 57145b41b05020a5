"""Fault injection on a real PostgreSQL, loopback only: a private cluster (its own data directory and port, never
the shared server), holding a copy of the test database, is the database of a real prefork worker and of this
test. It is stopped as a crash would stop it in the middle of a training run, and started again: meanwhile the
API's deep health check answers 503 naming the database, an API list and a page answer 503 with the reason and
never the driver's message; the interrupted run is retried (or rides a short outage out) and the training
completes exactly once.

Skipped with its reason when no PostgreSQL binaries are installed or initdb cannot make a cluster."""

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from retailiq.core.health import forget_deep_checks
from retailiq.registry.models import Job, JobState, ModelStatus, ModelVersion
from retailiq.registry.services import training_job_create
from tests import factories as f
from tests.workers import celery_worker_process, wait_until

pytestmark = pytest.mark.services


@pytest.fixture
def worker(private_database, redis_url, tmp_path):
    extra_env = {
        "RETAILIQ_ADAPTER_MODULES": "tests.registry.slow_adapter",
        "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
        "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
    }
    log_path = tmp_path / "worker.log"
    with celery_worker_process(
        redis_url=redis_url, log_path=log_path, queue="training", pool="prefork", name="dbfault", extra_env=extra_env
    ):
        yield log_path


def test_training_survives_a_database_outage_and_the_api_and_pages_say_503_meanwhile(
    slow_adapter, private_database, worker, tmp_path
):
    analyst = f.AnalystFactory()
    api, browser = APIClient(), Client()
    api.force_authenticate(analyst)
    browser.force_login(analyst)
    completions = tmp_path / "completions.txt"
    job = training_job_create(
        capability=slow_adapter.CAPABILITY,
        user=None,
        params={"steps": 12, "step_seconds": 0.4, "completions_file": str(completions)},
    )
    wait_until(
        lambda: Job.objects.filter(pk=job.pk, state=JobState.RUNNING, stage="training").exists(),
        60,
        "the worker to start training",
    )

    private_database.stop()
    try:
        forget_deep_checks()
        health = api.get("/api/v1/health?worker=0")
        assert health.status_code == 503, health.content
        assert {c["name"]: c["ok"] for c in health.json()["checks"]}["database"] is False
        listed = api.get("/api/v1/jobs/")
        assert listed.status_code == 503 and listed["Retry-After"] == "30", listed.content
        assert listed.json()["error"]["code"] == "database_unavailable"
        assert str(private_database.port) not in listed.content.decode()
        page = browser.get("/analyst/models/")
        body = page.content.decode()
        assert page.status_code == 503 and "the database is unavailable" in body, body[:500]
        assert str(private_database.port) not in body
    finally:
        private_database.start()
    connection.close()  # the test's own connection died with the server

    wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, 60, "the training to finish")
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, (job.error, worker.read_text()[-3000:])
    # On a busy machine the outage stops the run and a retry takes the job over; on a quiet one the run may not
    # touch the database while it is down and rides the outage out. Either way the job completes exactly once.
    assert job.attempts >= 1
    assert len(completions.read_text().splitlines()) == 1
    trained = ModelVersion.objects.filter(capability=slow_adapter.CAPABILITY)
    assert trained.filter(status__in=[ModelStatus.ACTIVE, ModelStatus.READY]).count() == 1
    forget_deep_checks()
    assert api.get("/api/v1/health?worker=0").status_code == 200
    assert browser.get("/analyst/models/").status_code == 200
