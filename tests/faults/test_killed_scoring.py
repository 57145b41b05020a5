"""A real prefork worker killed with SIGKILL in the middle of a batch-scoring chunk. The broker delivers the
chunk's task again, the fresh worker process waits until the dead run's claim on the chunk is stale, scores it
again, and the job completes once: every chunk done, each prediction written once (the upsert on the table's
unique key), the job SUCCEEDED with the right count."""

import os
import signal

import pytest

from reorder.models import ReorderPrediction
from retailiq.registry import adapters
from retailiq.registry.models import ChunkState, Job, JobChunk, JobKind, JobState
from retailiq.registry.services import scoring_job_create, training_job_run
from tests import factories as f
from tests.workers import celery_worker_process, wait_until

pytestmark = pytest.mark.services

CHUNKS, CHUNK_SIZE = 3, 4


@pytest.fixture
def scoring_adapter():
    from tests.registry import slow_scoring_adapter

    adapters.register_adapter(slow_scoring_adapter.SlowScoringAdapter())
    yield slow_scoring_adapter
    adapters._ADAPTERS.pop(slow_scoring_adapter.CAPABILITY, None)


@pytest.fixture
def scoring_worker(transactional_db, redis_url, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    extra_env = {
        "RETAILIQ_TEST_MEDIA_ROOT": settings.MEDIA_ROOT,
        "RETAILIQ_ADAPTER_MODULES": "tests.registry.slow_scoring_adapter",
        "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
        "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
    }
    log_path = tmp_path / "worker.log"
    with celery_worker_process(
        redis_url=redis_url, log_path=log_path, queue="default", pool="prefork", name="scorekill", extra_env=extra_env
    ):
        yield log_path


def test_a_worker_killed_mid_scoring_scores_exactly_once(scoring_adapter, scoring_worker, tmp_path):
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
            "chunk_seconds": 1.5,
            "log_file": str(log),
        },
    )

    def second_chunk_started() -> bool:
        lines = log.read_text().splitlines() if log.exists() else []
        return sum(line.startswith("start") for line in lines) == 2

    wait_until(second_chunk_started, 60, "the worker to start the second chunk", every=0.05)
    _, pid, killed_chunk_first = log.read_text().splitlines()[-1].split()
    killed_pid = int(pid)
    os.kill(killed_pid, signal.SIGKILL)

    wait_until(lambda: Job.objects.get(pk=job.pk).is_finished, 60, "the redelivered chunk to finish the job")
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, (job.error, scoring_worker.read_text()[-3000:])
    chunks = JobChunk.objects.filter(job=job).order_by("number")
    assert [c.state for c in chunks] == [ChunkState.DONE] * CHUNKS
    assert [c.attempts for c in chunks] == [1, 2, 1]
    assert sum(c.rows_written for c in chunks) == len(retailers)
    predictions = ReorderPrediction.objects.filter(model_version=version)
    assert predictions.count() == len(retailers)
    assert sorted(predictions.values_list("retailer_id", flat=True)) == sorted(retailers)
    # The killed run never finished its chunk; a fresh process scored it once more, and only it.
    runs = [line.split() for line in log.read_text().splitlines()]
    assert sum(event == "start" for event, _, _ in runs) == CHUNKS + 1
    assert sorted(first for event, _, first in runs if event == "end") == sorted(
        str(r) for r in retailers[::CHUNK_SIZE]
    )
    assert [pid for event, pid, first in runs if event == "end" and first == killed_chunk_first] != [str(killed_pid)]
    assert job.message == f"{len(retailers):,} predictions written"
