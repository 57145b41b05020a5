"""An import started from a page goes through the real broker to a real worker."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from retailiq.imports.models import ImportBatch, ImportState
from retailiq.imports.services import import_batch_configure, import_batch_create_from_path, import_batch_start
from retailiq.orders.models import OrderLine

pytestmark = pytest.mark.services


@pytest.fixture
def import_worker(transactional_db, redis_url, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: PostgreSQL")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retailiq.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "RETAILIQ_TEST_MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "retailiq",
            "worker",
            "-Q",
            "default",
            "--pool",
            "solo",
            "--hostname",
            f"importtest-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield tmp_path / "worker.log"
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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
