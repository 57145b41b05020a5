"""The private PostgreSQL (tests/faults/private_postgres.py, never the shared server) stopped as a crash would stop
it while a real prefork worker imports a 24,000-line file, and started again. Meanwhile the imports API and page
answer 503 with the reason; afterwards the batch has completed exactly once: every line once, none lost, staging
empty, and the rollups equal to a recomputation from the lines.

Skipped with its reason without PostgreSQL binaries, and on the SQLite pass (a worker cannot share that database)."""

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from rest_framework.test import APIClient

from retailiq.imports.models import ImportBatch, ImportIssue, ImportState, StagedLine
from retailiq.imports.services import import_batch_configure, import_batch_create_from_path, import_batch_start
from retailiq.orders.models import Order, OrderLine
from retailiq.rollups.checks import rollups_compare
from tests import factories as f
from tests.faults.conftest import CHUNK_LINES, LINES, import_worker_running
from tests.workers import wait_until

pytestmark = pytest.mark.services


@pytest.fixture
def import_worker(private_database, redis_url, tmp_path, settings):
    with import_worker_running(redis_url=redis_url, tmp_path=tmp_path, settings=settings, name="importdb") as log_path:
        yield log_path


def test_an_import_survives_a_database_outage_and_lands_exactly_once(private_database, import_worker, big_orders_csv):
    path, quantity = big_orders_csv
    analyst = f.AnalystFactory()
    api, browser = APIClient(), Client()
    api.force_authenticate(analyst)
    browser.force_login(analyst)
    batch = import_batch_create_from_path(path=path)
    import_batch_configure(batch=batch, options={"default_vendor": "Sunrise Foods"})
    import_batch_start(batch=batch)

    def staging() -> bool:
        batch.refresh_from_db()
        return batch.stage == "reading" and batch.lines_read >= 2 * CHUNK_LINES

    wait_until(staging, 60, "the worker to stage two chunks", every=0.02)
    assert batch.lines_read < LINES, "the file was staged before the outage; make it bigger"

    private_database.stop()
    try:
        listed = api.get("/api/v1/imports/")
        assert listed.status_code == 503 and listed["Retry-After"] == "30", listed.content
        assert listed.json()["error"]["code"] == "database_unavailable"
        page = browser.get(f"/analyst/imports/{batch.pk}/")
        body = page.content.decode()
        assert page.status_code == 503 and "the database is unavailable" in body, body[:500]
        assert str(private_database.port) not in listed.content.decode() + body
    finally:
        private_database.start()
    connection.close()  # the test's own connection died with the server

    wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).is_finished, 60, "the import to finish after the outage")
    batch.refresh_from_db()
    assert batch.state == ImportState.SUCCEEDED, (batch.error, import_worker.read_text()[-3000:])
    # The run either rode the outage out (its database calls back off and retry) or died with it and a retry took
    # the batch over (attempts 2 or more); which one depends on how long the server stayed down against the backoff.
    # Either way the batch must land exactly once, which the rest of this test checks.
    assert (batch.lines_read, batch.lines_accepted, batch.lines_rejected) == (LINES, LINES, 0)
    assert OrderLine.objects.count() == LINES and Order.objects.count() == LINES // 2
    assert OrderLine.objects.aggregate(units=Sum("quantity"))["units"] == quantity
    wait_until(lambda: not StagedLine.objects.exists(), 30, "the staging rows to be cleared")
    assert not ImportIssue.objects.exists()
    assert [d for d in rollups_compare() if d.differs] == []
    assert api.get("/api/v1/imports/").status_code == 200
