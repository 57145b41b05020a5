"""The merge's fast path on PostgreSQL for large batches: per-row foreign-key checks
skipped once the references are locked and counted, and plain indexes built afresh
instead of row by row. Small thresholds make a four-line file take both paths."""

import pytest
from django.db import connection

from retailiq.catalog.models import Product
from retailiq.imports.models import ImportState
from retailiq.imports.services import import_file
from retailiq.imports.services import merge as merge_module
from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer

from .test_services import GOOD, VENDOR

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL fast path")


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def _constraints(table: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass", [table]
        )
        return set(cursor.fetchall())


def _replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


@postgres_only
def test_a_large_batch_rebuilds_the_plain_indexes_and_leaves_them_as_they_were(orders_csv, settings):
    settings.RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS = 1
    settings.RETAILIQ_IMPORT_REBUILD_INDEXES_TABLE_RATIO = 10.0
    before = {table: _indexes(table) for table in ("orders_order", "orders_orderline")}
    # The lines' unique (order, line number) key is dropped and added back with them.
    constraints_before = _constraints("orders_orderline")

    batch = import_file(path=orders_csv(GOOD), options=VENDOR)

    assert batch.state == ImportState.SUCCEEDED, batch.error
    assert "rebuild_indexes_orders_orderline" in batch.summary["seconds"]
    assert "rebuild_indexes_orders_order" in batch.summary["seconds"]
    assert {table: _indexes(table) for table in before} == before
    assert _constraints("orders_orderline") == constraints_before
    assert OrderLine.objects.count() == 4
    assert _replication_role() == "origin"


@postgres_only
def test_a_batch_into_a_table_much_larger_than_it_keeps_its_indexes(orders_csv, settings):
    settings.RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS = 1
    settings.RETAILIQ_IMPORT_REBUILD_INDEXES_TABLE_RATIO = 0.5
    import_file(path=orders_csv(GOOD, name="first.csv"), options=VENDOR)

    batch = import_file(
        path=orders_csv("SO-8,2025-04-01 10:00:00,R2,Bala Mart,Delhi,SKU-B,Tea 1 kg,Beverages,3,7.25", name="b.csv"),
        options=VENDOR,
    )

    assert batch.state == ImportState.SUCCEEDED
    assert "rebuild_indexes_orders_orderline" not in batch.summary["seconds"]


@pytest.mark.parametrize("skip_triggers", [True, False])
def test_lines_that_lose_a_reference_while_merging_fail_the_batch_and_write_nothing(
    orders_csv, monkeypatch, settings, skip_triggers
):
    """Written lines are counted against staged ones: a product gone between the product
    step and the line step (another session deleting it) cannot drop lines silently."""
    settings.RETAILIQ_IMPORT_SKIP_ROW_TRIGGERS = skip_triggers
    merge_orders = merge_module._merge_orders

    def orders_then_product_gone(cursor, batch_id, now):
        written = merge_orders(cursor, batch_id, now)
        Product.objects.filter(sku="SKU-B").delete()
        return written

    monkeypatch.setattr(merge_module, "_merge_orders", orders_then_product_gone)

    batch = import_file(path=orders_csv(GOOD), options=VENDOR)

    assert batch.state == ImportState.FAILED
    assert "1 of 4 checked lines lost their retailer, product or warehouse" in batch.error
    assert not Order.objects.exists() and not OrderLine.objects.exists() and not Retailer.objects.exists()
    if connection.vendor == "postgresql":
        assert _replication_role() == "origin"


@postgres_only
def test_the_references_of_the_lines_are_share_locked_before_they_are_written(orders_csv, monkeypatch):
    """What the skipped per-row checks would have locked is locked set-based."""
    seen: list[str] = []
    merge_lines = merge_module._merge_lines

    def lines_seeing_locks(cursor, batch_id):
        cursor.execute(
            """SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               WHERE l.pid = pg_backend_pid() AND l.mode = 'RowShareLock'"""
        )
        seen.extend(row[0] for row in cursor.fetchall())
        return merge_lines(cursor, batch_id)

    monkeypatch.setattr(merge_module, "_merge_lines", lines_seeing_locks)

    assert import_file(path=orders_csv(GOOD), options=VENDOR).state == ImportState.SUCCEEDED
    assert {"retailers_retailer", "catalog_product", "imports_importbatch"} <= set(seen)
