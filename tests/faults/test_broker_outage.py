"""Fault injection on real services, loopback only: a private Redis (its own port, started and stopped here,
never the shared one) is the broker of a real prefork worker and of this test. Redis is stopped in the middle of a
training run and brought back: meanwhile the API's deep health check answers 503 naming the broker, and a request
that would queue work answers 503 with the reason instead of losing it; the running training completes exactly
once. Skipped with its reason when redis-server is not installed."""

import pytest
from rest_framework.test import APIClient

from retailiq.core.health import forget_deep_checks
from retailiq.registry.models import Job, JobState, ModelStatus, ModelVersion
from retailiq.registry.services import training_job_create
from tests import factories as f
from tests.faults.private_redis import broker_of_this_process, wait_until
from tests.workers import celery_worker_process

pytestmark = pytest.mark.services


@pytest.fixture
def worker(transactional_db, private_redis, tmp_path):
    extra_env = {
        "RETAILIQ_ADAPTER_MODULES": "tests.registry.slow_adapter",
        "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
        "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
    }
    with (
        broker_of_this_process(private_redis.url),
        celery_worker_process(
            redis_url=private_redis.url,
            log_path=tmp_path / "worker.log",
            queue="training",
            pool="prefork",
            name="brokerfault",
            extra_env=extra_env,
        ) as process,
    ):
        yield process


def test_training_survives_a_broker_outage_and_the_api_says_503_meanwhile(
    slow_adapter, private_redis, worker, tmp_path
):
    completions = tmp_path / "completions.txt"
    job = training_job_create(
        capability=slow_adapter.CAPABILITY,
        user=None,
        params={"steps": 12, "step_seconds": 0.4, "completions_file": str(completions)},
    )
    wait_until(
        lambda: Job.objects.filter(pk=job.pk, state=JobState.RUNNING, stage="training").exists(),
        120,
        "the worker to start training",
    )

    private_redis.stop()
    analyst = APIClient()
    analyst.force_authenticate(f.AnalystFactory())
    forget_deep_checks()
    health = analyst.get("/api/v1/health?worker=0")
    assert health.status_code == 503, health.content
    assert {c["name"]: c["ok"] for c in health.json()["checks"]}["broker"] is False
    queued = analyst.post("/api/v1/models/train/", {"capability": slow_adapter.CAPABILITY}, format="json")
    assert queued.status_code == 503, queued.content
    assert queued.json()["error"]["code"] == "broker_unavailable"

    private_redis.start()
    wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, 120, "the training to finish")
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.attempts == 1
    assert len(completions.read_text().splitlines()) == 1
    trained = ModelVersion.objects.filter(capability=slow_adapter.CAPABILITY)
    assert trained.count() == 1 and trained.get().status in (ModelStatus.ACTIVE, ModelStatus.READY)
    # The request refused meanwhile left a failed job saying why, not a queued one waiting for a lost message.
    refused = Job.objects.exclude(pk=job.pk).get(capability=slow_adapter.CAPABILITY)
    assert refused.state == JobState.FAILED and "task queue was unavailable" in refused.error
    forget_deep_checks()
    assert analyst.get("/api/v1/health?worker=0").status_code == 200
