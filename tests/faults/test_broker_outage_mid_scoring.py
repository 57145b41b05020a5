"""A private Redis (tests/faults/private_redis.py, never the shared one) is the broker and cache of a real prefork
worker and this process's broker. It is stopped while the worker scores the second of three chunks and started
again: meanwhile a scoring request answers 503 naming the broker (and leaves a failed job saying why, not a queued
one), and afterwards the job has completed once, every chunk done, one prediction per retailer and product.

Twice: with the append-only file on, as the compose file runs Redis, the third chunk's message outlives the stop;
without it the message is lost, and the beat's `resend_lost_chunks` (run here as beat would) sends it again.

Skipped with its reason without redis-server, and on the SQLite pass (a worker cannot share that database)."""

import time
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from reorder.models import ReorderPrediction
from retailiq.core.health import forget_deep_checks
from retailiq.registry import adapters
from retailiq.registry.models import ChunkState, Job, JobChunk, JobKind, JobState
from retailiq.registry.services import scoring_job_create, training_job_run
from retailiq.registry.tasks import resend_lost_chunks
from tests import factories as f
from tests.faults.private_redis import REDIS_SERVER, PrivateRedis, broker_of_this_process
from tests.workers import celery_worker_process, wait_until

pytestmark = pytest.mark.services

CHUNKS, CHUNK_SIZE = 3, 4
CHUNK_SECONDS = 1.5


@pytest.fixture
def scoring_adapter():
    from tests.registry import slow_scoring_adapter

    adapters.register_adapter(slow_scoring_adapter.SlowScoringAdapter())
    yield slow_scoring_adapter
    adapters._ADAPTERS.pop(slow_scoring_adapter.CAPABILITY, None)


@pytest.fixture(params=["append-only file", "no persistence"])
def broker(request, tmp_path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed: the broker-outage test needs a private Redis it may stop")
    server = PrivateRedis(tmp_path, persistent=request.param == "append-only file")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scoring_worker(transactional_db, broker, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.RETAILIQ_JOB_STALE_AFTER_SECONDS = 3  # the sweep, run in this process, and the worker agree
    extra_env = {
        "RETAILIQ_TEST_MEDIA_ROOT": settings.MEDIA_ROOT,
        "RETAILIQ_ADAPTER_MODULES": "tests.registry.slow_scoring_adapter",
        "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
        "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
    }
    log_path = tmp_path / "worker.log"
    with (
        broker_of_this_process(broker.url),
        celery_worker_process(
            redis_url=broker.url,
            log_path=log_path,
            queue="default",
            pool="prefork",
            name="scorebroker",
            extra_env=extra_env,
        ),
    ):
        yield log_path


def test_scoring_survives_a_broker_outage_and_writes_each_prediction_once(
    scoring_adapter, broker, scoring_worker, tmp_path
):
    trained = Job.objects.create(kind=JobKind.TRAIN, capability=scoring_adapter.CAPABILITY, idempotency_key="t")
    version = training_job_run(job_id=trained.pk, worker="test").model_version
    retailers = [f.RetailerFactory().pk for _ in range(CHUNKS * CHUNK_SIZE)]
    product = f.ProductFactory()
    log = tmp_path / "scoring.log"
    job = scoring_job_create(
        capability=scoring_adapter.CAPABILITY,
        user=None,
        model_version=version,
        params={
            "retailer_ids": retailers,
            "product_id": product.pk,
            "chunk_size": CHUNK_SIZE,
            "chunk_seconds": CHUNK_SECONDS,
            "log_file": str(log),
        },
    )

    def second_chunk_started() -> bool:
        lines = log.read_text().splitlines() if log.exists() else []
        return sum(line.startswith("start") for line in lines) == 2

    wait_until(second_chunk_started, 60, "the worker to start the second chunk", every=0.05)
    broker.stop()
    analyst = APIClient()
    analyst.force_authenticate(f.AnalystFactory())
    try:
        forget_deep_checks()
        health = analyst.get("/api/v1/health?worker=0")
        assert health.status_code == 503, health.content
        assert {c["name"]: c["ok"] for c in health.json()["checks"]}["broker"] is False
        refused = analyst.post("/api/v1/models/score/", {"capability": scoring_adapter.CAPABILITY}, format="json")
        assert refused.status_code == 503, refused.content
        assert refused.json()["error"]["code"] == "broker_unavailable"
        # The chunk in hand ends, and its result, acknowledgement and progress meet the broker gone.
        time.sleep(CHUNK_SECONDS)
    finally:
        broker.start()
    if not broker.persistent:
        # The third chunk's message went with the broker's memory; once the job has been quiet for the stale-after
        # time, the sweep (beat's, every five minutes) finds the queue empty and sends the chunk again.
        wait_until(lambda: resend_lost_chunks.apply().get() > 0, 30, "the sweep to send the lost chunk again")

    wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, 45, "the scoring to finish after the outage")
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, (job.error, scoring_worker.read_text()[-3000:])
    chunks = JobChunk.objects.filter(job=job).order_by("number")
    assert [c.state for c in chunks] == [ChunkState.DONE] * CHUNKS
    assert sum(c.rows_written for c in chunks) == len(retailers)
    predictions = ReorderPrediction.objects.filter(model_version=version)
    assert sorted(predictions.values_list("retailer_id", "product_id")) == sorted((r, product.pk) for r in retailers)
    assert job.message == f"{len(retailers):,} predictions written"
    # Every chunk ended once; the request refused meanwhile left a failed job saying why.
    ends = [line.split()[2] for line in log.read_text().splitlines() if line.startswith("end")]
    assert sorted(ends) == sorted(str(r) for r in retailers[::CHUNK_SIZE])
    refused_job = Job.objects.filter(kind=JobKind.SCORE).exclude(pk=job.pk).get()
    assert refused_job.state == JobState.FAILED and "task queue was unavailable" in refused_job.error
