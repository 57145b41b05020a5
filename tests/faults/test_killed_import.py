"""A real prefork worker killed with SIGKILL in the middle of a CSV import, once while it copies chunks into
staging and once inside the merge's transaction. The broker delivers the task again, a fresh worker process takes
the batch over once the dead run's heartbeat is stale, and the import lands exactly once: every order line once,
the batch SUCCEEDED, staging empty and the rollups equal to a recomputation from the lines.

The merge is caught in the act deterministically: this test holds a SHARE lock on the order lines (reads go on,
writes wait), so the merge stops at its first insert into them until the worker is dead."""

import os
import signal

import psycopg
import pytest
from django.db import connection
from django.db.models import Sum

from retailiq.imports.models import ImportBatch, ImportIssue, ImportState, StagedLine
from retailiq.imports.services import import_batch_configure, import_batch_create_from_path, import_batch_start
from retailiq.orders.models import Order, OrderLine
from retailiq.rollups.checks import rollups_compare
from tests.faults.conftest import CHUNK_LINES, LINES, import_worker_running
from tests.workers import wait_until

pytestmark = pytest.mark.services


@pytest.fixture
def import_worker(transactional_db, redis_url, tmp_path, settings):
    with import_worker_running(
        redis_url=redis_url, tmp_path=tmp_path, settings=settings, name="importkill"
    ) as log_path:
        yield log_path


def _order_lines_share_lock() -> psycopg.Connection:
    """A connection of its own holding a SHARE lock on the order lines until it commits."""
    db = connection.settings_dict
    holder = psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])
    holder.execute("LOCK TABLE orders_orderline IN SHARE MODE")
    return holder


def _merge_waits_on_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND query LIKE '%%INSERT INTO orders_orderline%%'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("moment", ["staging", "merging"])
def test_a_worker_killed_mid_import_imports_exactly_once(moment, import_worker, big_orders_csv):
    path, quantity = big_orders_csv
    batch = import_batch_create_from_path(path=path)
    import_batch_configure(batch=batch, options={"default_vendor": "Sunrise Foods"})
    holder = _order_lines_share_lock() if moment == "merging" else None
    try:
        import_batch_start(batch=batch)
        if moment == "staging":

            def caught() -> bool:
                batch.refresh_from_db()
                return batch.stage == "reading" and batch.lines_read >= 2 * CHUNK_LINES

            wait_until(caught, 60, "the worker to stage two chunks", every=0.02)
            assert batch.lines_read < LINES, "the file was staged before the kill; make it bigger"
        else:
            wait_until(_merge_waits_on_the_lock, 60, "the merge to wait on the order lines")
            batch.refresh_from_db()
            assert batch.stage == "merging"
        killed_pid = int(batch.claimed_by.split(":")[1])
        os.kill(killed_pid, signal.SIGKILL)
    finally:
        if holder is not None:
            holder.commit()  # the dead run's transaction goes on only to roll back
            holder.close()

    wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).is_finished, 60, "the redelivered import to finish")
    batch.refresh_from_db()
    assert batch.state == ImportState.SUCCEEDED, (batch.error, import_worker.read_text()[-3000:])
    assert batch.attempts == 2 and int(batch.claimed_by.split(":")[1]) != killed_pid
    assert (batch.lines_read, batch.lines_accepted, batch.lines_rejected) == (LINES, LINES, 0)
    assert OrderLine.objects.count() == LINES and Order.objects.count() == LINES // 2
    assert OrderLine.objects.aggregate(units=Sum("quantity"))["units"] == quantity
    # The run clears its staging rows just after it records the outcome.
    wait_until(lambda: not StagedLine.objects.exists(), 30, "the staging rows to be cleared")
    assert not ImportIssue.objects.exists()
    assert [d for d in rollups_compare() if d.differs] == []
