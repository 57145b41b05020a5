"""A training job and an import whose Celery messages a broker lost are sent again by beat's sweep
(`resend_lost_chunks`), and each runs exactly once.

A private Redis without persistence (tests/faults/private_redis.py, never the shared one) is this process's broker.
A training job is recorded and an import started while no worker listens, so both messages wait in Redis; Redis
is stopped and started again, empty. A real prefork worker then listens on both queues and finds nothing; once the
rows have been quiet for the stale-after time, the sweep (run here as beat would) sends both again. The sweep is
run repeatedly, as beat would every few minutes: a second sending is harmless, since each task claims its row.

Skipped with its reason without redis-server, and on the SQLite pass (a worker cannot share that database)."""

from collections.abc import Iterator

import pytest
from django.db.models import Sum

from retailiq.imports.models import ImportBatch, ImportState
from retailiq.imports.services import import_batch_configure, import_batch_create_from_path, import_batch_start
from retailiq.orders.models import OrderLine
from retailiq.registry.models import Job, JobState
from retailiq.registry.services import training_job_create
from retailiq.registry.tasks import resend_lost_chunks
from tests.faults.private_redis import REDIS_SERVER, PrivateRedis, broker_of_this_process
from tests.imports.conftest import ORDERS_HEADER
from tests.workers import celery_worker_process, wait_until

pytestmark = pytest.mark.services

LINES = 40


@pytest.fixture
def forgetful_broker(tmp_path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed: the lost-message test needs a private Redis it may stop")
    server = PrivateRedis(tmp_path, persistent=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _orders_csv(path) -> int:
    quantity = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(ORDERS_HEADER + "\n")
        for n in range(LINES):
            units = 1 + n % 5
            quantity += units
            order = n // 2  # two lines an order, one shop and day each, two products
            handle.write(
                f"LOST-{order},2025-03-{1 + order % 28:02d} 10:00:00,R{order % 4},Shop {order % 4},Pune,"
                f"SKU-{n % 2},Product {n % 2},Staples,{units},12.50\n"
            )
    return quantity


def test_a_training_job_and_an_import_whose_messages_were_lost_run_once(
    slow_adapter, forgetful_broker, transactional_db, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.RETAILIQ_JOB_STALE_AFTER_SECONDS = 3  # the sweep, run in this process, and the worker agree
    completions = tmp_path / "completions.txt"
    csv_path = tmp_path / "orders.csv"
    quantity = _orders_csv(csv_path)
    with broker_of_this_process(forgetful_broker.url):
        job = training_job_create(
            capability=slow_adapter.CAPABILITY,
            user=None,
            params={"steps": 2, "step_seconds": 0.1, "completions_file": str(completions)},
        )
        batch = import_batch_create_from_path(path=csv_path)
        import_batch_configure(batch=batch, options={"default_vendor": "Sunrise Foods"})
        import_batch_start(batch=batch)
        # Both messages wait in Redis; it stops and comes back without them.
        forgetful_broker.stop()
        forgetful_broker.start()
        extra_env = {
            "RETAILIQ_TEST_MEDIA_ROOT": settings.MEDIA_ROOT,
            "RETAILIQ_ADAPTER_MODULES": "tests.registry.slow_adapter",
            "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
            "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
        }
        with celery_worker_process(
            redis_url=forgetful_broker.url,
            log_path=tmp_path / "worker.log",
            queue="default,training",
            pool="prefork",
            name="lostmessages",
            extra_env=extra_env,
        ):
            sent = 0

            def both_sent_again() -> bool:
                nonlocal sent
                sent += resend_lost_chunks.apply().get()
                return sent >= 2

            wait_until(both_sent_again, 30, "the sweep to send the training and the import again", every=0.5)

            def both_finished() -> bool:
                resend_lost_chunks.apply().get()  # beat goes on sweeping meanwhile
                return Job.objects.get(pk=job.pk).is_finished and ImportBatch.objects.get(pk=batch.pk).is_finished

            wait_until(both_finished, 60, "the training and the import to finish", every=0.5)

    job.refresh_from_db()
    batch.refresh_from_db()
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert job.state == JobState.SUCCEEDED, (job.error, log)
    assert len(completions.read_text().splitlines()) == 1  # trained once
    assert batch.state == ImportState.SUCCEEDED, (batch.error, log)
    lines = OrderLine.objects.filter(order__import_batch=batch)
    assert lines.count() == LINES and lines.aggregate(total=Sum("quantity"))["total"] == quantity
