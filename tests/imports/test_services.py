"""The import service on the database: what it writes, what it refuses, and that
nothing recorded before is changed or lost."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from retailiq.catalog.models import Product, Vendor
from retailiq.core.errors import TooLarge
from retailiq.imports.models import ImportBatch, ImportIssue, ImportState, StagedLine
from retailiq.imports.services import ImportRejected, import_batch_run, import_batch_undo, import_file
from retailiq.orders.models import Order, OrderKind, OrderLine
from retailiq.retailers.models import Retailer
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD = """
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-B,Tea 1 kg,Beverages,2,7.25
SO-2,2025-03-02 11:00:00,R2,Bala Mart,Delhi,SKU-A,Rice 5 kg,Staples,10,10.00
SO-3,2025-03-05 16:30:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,-1,10.50
"""
VENDOR = {"default_vendor": "Sunrise Foods"}


def run(path, **kwargs):
    kwargs.setdefault("options", VENDOR)
    return import_file(path=path, **kwargs)


def test_valid_file_creates_retailers_products_orders_and_lines(orders_csv):
    batch = run(orders_csv(GOOD))

    assert batch.state == ImportState.SUCCEEDED, batch.error
    assert (batch.lines_read, batch.lines_accepted, batch.lines_rejected) == (4, 4, 0)
    assert set(Retailer.objects.values_list("code", "name", "city")) == {
        ("R1", "Asha Stores", "Pune"),
        ("R2", "Bala Mart", "Delhi"),
    }
    vendor = Vendor.objects.get(code="sunrise-foods")
    assert set(Product.objects.filter(vendor=vendor).values_list("sku", "category__name")) == {
        ("SKU-A", "Staples"),
        ("SKU-B", "Beverages"),
    }
    first = Order.objects.get(external_id="SO-1")
    assert first.kind == OrderKind.SALE and first.placed_at == dt.datetime(2025, 3, 1, 9, 15, tzinfo=dt.UTC)
    assert list(first.lines.values_list("line_number", "product__sku", "quantity", "unit_price")) == [
        (1, "SKU-A", 4, Decimal("10.50")),
        (2, "SKU-B", 2, Decimal("7.25")),
    ]
    assert first.lines.first().placed_on == dt.date(2025, 3, 1)
    # A negative quantity is a return of goods, not a negative sale.
    returned = Order.objects.get(external_id="SO-3-R")
    assert returned.kind == OrderKind.RETURN and returned.lines.get().quantity == 1
    imported = batch.summary["imported"]
    assert (imported["orders"], imported["lines"], imported["sale_lines"], imported["return_lines"]) == (3, 4, 3, 1)
    assert imported["sale_revenue"] == pytest.approx(4 * 10.5 + 2 * 7.25 + 10 * 10.0)
    assert not StagedLine.objects.exists()


def test_uploading_the_same_file_again_adds_nothing(orders_csv):
    path = orders_csv(GOOD)
    run(path)
    counts = (Order.objects.count(), OrderLine.objects.count(), Retailer.objects.count(), Product.objects.count())

    again = run(path)

    assert again.state == ImportState.SUCCEEDED
    assert (again.lines_accepted, again.lines_already_present) == (0, 4)
    assert (
        Order.objects.count(),
        OrderLine.objects.count(),
        Retailer.objects.count(),
        Product.objects.count(),
    ) == counts


def test_an_overlapping_file_adds_only_the_new_orders(orders_csv):
    run(orders_csv(GOOD, name="march.csv"))
    later = orders_csv(
        """
        SO-2,2025-03-02 11:00:00,R2,Bala Mart,Delhi,SKU-A,Rice 5 kg,Staples,10,10.00
        SO-4,2025-03-09 10:00:00,R3,Chai Point,Mumbai,SKU-C,Sugar 1 kg,Staples,6,4.00
        """,
        name="march-and-more.csv",
    )

    batch = run(later)

    assert (batch.lines_accepted, batch.lines_already_present) == (1, 1)
    assert Order.objects.filter(external_id="SO-2").get().lines.count() == 1
    assert Order.objects.filter(external_id="SO-4").exists()


def test_rejected_lines_are_reported_with_line_column_value_and_reason(orders_csv):
    batch = run(
        orders_csv(
            """
            SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
            SO-2,2025-13-45 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
            SO-3,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,-2
            SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
            """
        )
    )

    assert batch.state == ImportState.SUCCEEDED
    issues = {i.line_number: i for i in ImportIssue.objects.filter(batch=batch)}
    assert issues[3].column == "ordered_at" and issues[3].value == "2025-13-45 09:15:00"
    assert "date" in issues[3].reason
    assert (issues[4].column, issues[4].value, issues[4].reason) == ("unit_price", "-2", "negative price")
    assert issues[5].reason == "duplicate line: the same as line 2"
    assert (batch.lines_accepted, batch.lines_rejected) == (1, 3)
    assert OrderLine.objects.count() == 1


def test_all_or_nothing_writes_nothing_when_one_line_fails(orders_csv):
    batch = run(
        orders_csv(GOOD + "SO-9,yesterday,R9,Nine,Goa,SKU-Z,Z,Misc,1,1.00\n"),
        mode="all_or_nothing",
    )

    assert batch.state == ImportState.REJECTED
    assert ImportIssue.objects.get(batch=batch).line_number == 6
    assert not Order.objects.exists() and not Retailer.objects.exists() and not Product.objects.exists()
    assert not Vendor.objects.exists()


def test_existing_rows_are_never_changed(orders_csv):
    vendor = f.VendorFactory(code="sunrise-foods", name="Sunrise Foods")
    product = f.ProductFactory(vendor=vendor, sku="SKU-A", name="Basmati Rice 5 kg", unit_price=Decimal("11.00"))
    retailer = f.RetailerFactory(code="R1", name="Asha General Stores", city="Pune")
    before = (product.name, product.unit_price, retailer.name, retailer.city, retailer.segment)

    run(orders_csv(GOOD))

    product.refresh_from_db()
    retailer.refresh_from_db()
    assert (product.name, product.unit_price, retailer.name, retailer.city, retailer.segment) == before
    assert product.import_batch_id is None and retailer.import_batch_id is None
    assert OrderLine.objects.filter(product=product, retailer=retailer).count() == 2


def test_lines_that_contradict_their_order_or_the_database_are_rejected(orders_csv):
    f.OrderFactory(external_id="SO-7", retailer=f.RetailerFactory(code="R-OTHER"))
    f.WarehouseFactory(code="wh-pune")
    batch = run(
        orders_csv(
            """
            SO-5,2025-03-01 09:15:00,R1,Asha,Pune,SKU-A,Rice,Staples,4,10.50,wh-pune
            SO-5,2025-03-01 09:15:00,R2,Bala,Delhi,SKU-B,Tea,Beverages,1,7.00,wh-pune
            SO-6,2025-03-01 09:15:00,R1,Asha,Pune,SKU-A,Rice,Staples,4,10.50,wh-nowhere
            SO-7,2025-03-01 09:15:00,R1,Asha,Pune,SKU-A,Rice,Staples,4,10.50,
            """,
            header="order_id,ordered_at,retailer_id,retailer_name,city,sku,product_name,category,quantity,unit_price,warehouse",
        ),
        options={**VENDOR, "auto_create_products": True},
    )

    reasons = dict(ImportIssue.objects.filter(batch=batch).values_list("line_number", "reason"))
    assert reasons[3] == "order belongs to retailer R1 (line 2)"
    assert reasons[4] == "unknown warehouse"
    assert reasons[5] == "order already recorded for retailer R-OTHER"
    assert Order.objects.get(external_id="SO-5").warehouse.code == "wh-pune"
    assert Order.objects.get(external_id="SO-7").retailer.code == "R-OTHER"


def test_unknown_retailers_are_rejected_when_creating_them_is_off(orders_csv):
    f.RetailerFactory(code="R1")
    batch = run(orders_csv(GOOD), options={**VENDOR, "auto_create_retailers": False})

    rejected = ImportIssue.objects.filter(batch=batch)
    assert [(i.line_number, i.column, i.value) for i in rejected] == [(4, "retailer_id", "R2")]
    assert rejected[0].reason.startswith("unknown retailer")
    assert not Retailer.objects.filter(code="R2").exists()


def test_undo_removes_what_the_batch_wrote_and_keeps_what_was_there(orders_csv):
    existing = f.RetailerFactory(code="R1")
    batch = run(orders_csv(GOOD))
    assert Order.objects.count() == 3

    undone = import_batch_undo(batch=batch)

    assert undone.state == ImportState.UNDONE
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert list(Retailer.objects.all()) == [existing]
    assert not Product.objects.exists() and not Vendor.objects.exists()
    assert undone.summary["undo"]["removed"]["orders"] == 3
    with pytest.raises(ImportRejected):
        import_batch_undo(batch=undone)


def test_undo_keeps_products_that_later_data_uses(orders_csv):
    first = run(orders_csv(GOOD, name="first.csv"))
    run(orders_csv("SO-8,2025-04-01 10:00:00,R2,Bala Mart,Delhi,SKU-B,Tea 1 kg,Beverages,3,7.25", name="second.csv"))

    import_batch_undo(batch=first)

    assert list(Product.objects.values_list("sku", flat=True)) == ["SKU-B"]
    assert Order.objects.get().external_id == "SO-8"


def test_a_failure_while_merging_writes_nothing_and_a_rerun_completes(orders_csv, monkeypatch):
    from retailiq.imports.services import merge

    def broken(cursor, batch_id):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merge, "_merge_lines", broken)
    with pytest.raises(RuntimeError):
        run(orders_csv(GOOD))
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.FAILED and "disk full" in batch.error
    assert not Order.objects.exists() and not Retailer.objects.exists() and not StagedLine.objects.exists()

    monkeypatch.undo()
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.QUEUED)
    assert import_batch_run(batch_id=batch.pk, worker="rerun").state == ImportState.SUCCEEDED
    assert OrderLine.objects.count() == 4


def test_a_batch_whose_worker_died_is_taken_over_and_started_afresh(orders_csv):
    """A killed worker leaves the row running with a stale heartbeat and its half-read
    staging rows and issues; the next delivery clears them and imports once."""
    batch = run(orders_csv(GOOD))
    import_batch_undo(batch=batch)
    stale = timezone.now() - dt.timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING, heartbeat_at=stale, lines_read=2)
    StagedLine.objects.create(
        batch=batch,
        line_number=2,
        order_id="SO-1",
        kind="sale",
        ordered_at=stale,
        retailer_id="R1",
        sku="SKU-A",
        quantity=4,
        unit_price=Decimal("10.50"),
    )
    ImportIssue.objects.create(batch=batch, line_number=99, reason="left over")

    assert import_batch_run(batch_id=batch.pk, worker="second").state == ImportState.SUCCEEDED
    assert OrderLine.objects.count() == 4
    assert not ImportIssue.objects.filter(reason="left over").exists()
    assert ImportBatch.objects.get(pk=batch.pk).attempts == 2


def test_a_live_batch_is_not_run_twice(orders_csv):
    batch = run(orders_csv(GOOD))
    import_batch_undo(batch=batch)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING, heartbeat_at=timezone.now())

    assert import_batch_run(batch_id=batch.pk, worker="second").state == ImportState.RUNNING
    assert not Order.objects.exists()


@override_settings(RETAILIQ_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(orders_csv):
    with pytest.raises(ImportRejected) as refused:
        run(orders_csv(GOOD))
    assert "RETAILIQ_IMPORT_MAX_BYTES" in refused.value.message
    assert isinstance(refused.value, TooLarge)
    assert not ImportBatch.objects.exists()


@override_settings(RETAILIQ_IMPORT_MAX_LINES=3)
def test_a_file_over_the_line_limit_fails_with_the_limit_named(orders_csv):
    batch = run(orders_csv(GOOD))
    assert batch.state == ImportState.FAILED
    assert "RETAILIQ_IMPORT_MAX_LINES" in batch.error
    assert not Order.objects.exists()


def test_a_file_without_vendor_column_needs_a_default_vendor(orders_csv):
    with pytest.raises(ImportRejected) as refused:
        run(orders_csv(GOOD), options={})
    assert "vendor" in refused.value.errors["default_vendor"]
    assert ImportBatch.objects.get().state == ImportState.UPLOADED


def test_a_vendor_named_in_the_file_is_found_by_its_name_or_code(orders_csv):
    existing = f.VendorFactory(code="v01-sunrisefoods", name="Sunrise Foods")

    run(orders_csv(GOOD), options={"default_vendor": "sunrise foods"})

    assert list(Vendor.objects.all()) == [existing]
    assert Product.objects.filter(vendor=existing).count() == 2


def _days_from_today(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("mode", ["quarantine", "all_or_nothing"])
def test_future_and_ancient_order_dates_are_refused_per_mode(orders_csv, mode):
    future = f"{_days_from_today(2)} 09:00:00"
    batch = run(
        orders_csv(
            GOOD
            + f"SO-8,{future},R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,1,10.50\n"
            + "SO-9,1900-01-01 09:00:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,1,10.50\n"
        ),
        mode=mode,
    )

    issues = {i.line_number: i for i in ImportIssue.objects.filter(batch=batch)}
    assert set(issues) == {6, 7}
    assert issues[6].column == "ordered_at" and "future" in issues[6].reason
    assert issues[7].column == "ordered_at" and "before 1990-01-01" in issues[7].reason
    if mode == "all_or_nothing":
        assert batch.state == ImportState.REJECTED and not OrderLine.objects.exists()
    else:
        assert batch.state == ImportState.SUCCEEDED
        assert not OrderLine.objects.filter(placed_on__gt=timezone.localdate()).exists()


def test_an_order_dated_tomorrow_passes_the_time_zone_tolerance(orders_csv):
    batch = run(orders_csv(f"SO-1,{_days_from_today(1)} 01:00:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,1,1.00"))

    assert batch.state == ImportState.SUCCEEDED and batch.lines_accepted == 1
