"""Fault injection on real services, loopback only: a private Redis (its own port, started and stopped here,
never the shared one) is the broker of a real prefork worker and of this test. Redis is stopped in the middle of a
training run and brought back: meanwhile the API's deep health check answers 503 naming the broker, and a request
that would queue work answers 503 with the reason instead of losing it; the running training completes exactly
once. Skipped with its reason when redis-server is not installed."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rest_framework.test import APIClient

from retailiq.celery import app
from retailiq.core.health import forget_deep_checks
from retailiq.registry.models import Job, JobState, ModelStatus, ModelVersion
from retailiq.registry.services import training_job_create
from tests import factories as f
from tests.workers import celery_worker_process

pytestmark = pytest.mark.services

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server on 127.0.0.1 that a test may stop and start again on the same port."""

    def __init__(self, workdir) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(self._answers, 10, "the private Redis to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


def wait_until(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


@contextmanager
def broker_of_this_process(url: str) -> Iterator[None]:
    """Point this process's Celery app (what enqueues and what the health check asks) at ``url``: its connection
    and producer pools are made afresh from the new URL, and again from the old one afterwards."""
    saved = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url = saved
        app._pool = app.amqp._producer_pool = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed: the broker-outage test needs a private Redis it may stop")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


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
