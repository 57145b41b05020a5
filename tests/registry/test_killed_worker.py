"""A real prefork worker killed with SIGKILL in the middle of training: the broker
delivers the task again, the new delivery waits until the dead run's heartbeat goes
stale, takes the job over, and the training completes exactly once."""

import os
import signal
import time

import pytest

from retailiq.registry import adapters
from retailiq.registry.models import Job, JobState, ModelStatus
from retailiq.registry.services import training_job_create
from tests.workers import celery_worker_process

pytestmark = pytest.mark.services


@pytest.fixture
def slow_adapter():
    from tests.registry import slow_adapter

    adapters.register_adapter(slow_adapter.SlowAdapter())
    yield slow_adapter
    adapters._ADAPTERS.pop(slow_adapter.CAPABILITY, None)


@pytest.fixture
def worker_process(transactional_db, redis_url, tmp_path):
    extra_env = {
        "RETAILIQ_ADAPTER_MODULES": "tests.registry.slow_adapter",
        "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
        "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
    }
    with celery_worker_process(
        redis_url=redis_url,
        log_path=tmp_path / "worker.log",
        queue="training",
        pool="prefork",
        name="killtest",
        extra_env=extra_env,
    ) as process:
        yield process


def wait_until(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def test_a_worker_killed_mid_training_still_trains_exactly_once(slow_adapter, worker_process, tmp_path):
    completions = tmp_path / "completions.txt"
    job = training_job_create(
        capability=slow_adapter.CAPABILITY,
        user=None,
        params={"steps": 10, "step_seconds": 0.4, "completions_file": str(completions)},
    )

    def training_started():
        job.refresh_from_db()
        return job.state == JobState.RUNNING and job.stage == "training"

    wait_until(training_started, 60, "the worker to start training")
    killed_pid = int(job.claimed_by.split(":")[1])
    os.kill(killed_pid, signal.SIGKILL)

    wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, 90, "the redelivered task to finish the job")
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.attempts == 2 and int(job.claimed_by.split(":")[1]) != killed_pid
    assert completions.read_text().splitlines() != [] and len(completions.read_text().splitlines()) == 1
    versions = {v.status for v in job.model_version.__class__.objects.filter(jobs=job)} | {job.model_version.status}
    trained = job.model_version.__class__.objects.filter(capability=slow_adapter.CAPABILITY)
    assert trained.filter(status__in=[ModelStatus.ACTIVE, ModelStatus.READY]).count() == 1
    assert trained.filter(status=ModelStatus.FAILED, error__contains="stopped").count() == 1
    assert ModelStatus.ACTIVE in versions
