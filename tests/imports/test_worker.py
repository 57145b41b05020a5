"""An import started from a page goes through the real broker to a real worker."""

import time

import pytest

from retailiq.imports.models import ImportBatch, ImportState
from retailiq.imports.services import import_batch_configure, import_batch_create_from_path, import_batch_start
from retailiq.orders.models import OrderLine
from tests.workers import celery_worker_process

pytestmark = pytest.mark.services


@pytest.fixture
def import_worker(transactional_db, redis_url, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    log_path = tmp_path / "worker.log"
    with celery_worker_process(
        redis_url=redis_url,
        log_path=log_path,
        queue="default",
        pool="solo",
        name="importtest",
        extra_env={"RETAILIQ_TEST_MEDIA_ROOT": settings.MEDIA_ROOT},
    ):
        yield log_path


def test_a_started_import_runs_on_the_worker(import_worker, orders_csv):
    path = orders_csv(
        """
        SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
        SO-2,2025-03-02 11:00:00,R2,Bala Mart,Delhi,SKU-A,Rice 5 kg,Staples,oops,10.00
        """
    )
    batch = import_batch_create_from_path(path=path)
    import_batch_configure(batch=batch, options={"default_vendor": "Sunrise Foods"})
    import_batch_start(batch=batch)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.is_finished:
            break
        time.sleep(0.3)
    assert batch.state == ImportState.SUCCEEDED, import_worker.read_text()[-3000:]
    assert (batch.lines_accepted, batch.lines_rejected) == (1, 1)
    assert OrderLine.objects.count() == 1
    assert ImportBatch.objects.get(pk=batch.pk).claimed_by.startswith("importtest-")
