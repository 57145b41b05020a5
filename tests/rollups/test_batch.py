"""An import's rollup rows as PostgreSQL writes them (retailiq.rollups.batch): one read of
the batch's lines, an UPDATE of the keys the tables hold and an INSERT of the others.
`rollups_check` compares every table with a recomputation from the order lines, so each
test fails if a path adds differently from `rollups_apply` (SQLite takes that path, and
the same assertions hold there)."""

import datetime as dt
import textwrap
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import connection

from retailiq.imports.services import import_batch_undo, import_file
from retailiq.orders.services import LineInput, order_create
from retailiq.rollups.models import (
    MarketplaceDailySales,
    ProductDailySales,
    ProductWarehouseDailySales,
    RetailerProductSales,
    RollupVersion,
    VendorRetailerDailySales,
)
from tests import factories as f

from .test_write_paths import assert_in_step

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL fast path")

HEADER = "order_id,ordered_at,retailer_id,retailer_name,city,sku,product_name,category,quantity,unit_price,warehouse"
# Two orders from a known warehouse, one without, a return, and a product bought twice in one order.
FILE = """
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50,WH-1
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,1,10.00,WH-1
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-B,Dal 1 kg,Staples,2,3.25,WH-1
SO-2,2025-03-02 11:00:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,10,10.00,
SO-3,2025-03-02 12:00:00,R2,Bala Mart,Pune,SKU-A,Rice 5 kg,Staples,6,10.00,WH-1
SO-4,2025-03-02 15:00:00,R2,Bala Mart,Pune,SKU-A,Rice 5 kg,Staples,-1,10.00,WH-1
"""


def _import(tmp_path, body: str = FILE, name: str = "orders.csv"):
    path = tmp_path / name
    path.write_text(f"{HEADER}\n{textwrap.dedent(body).strip()}\n", encoding="utf-8")
    batch = import_file(path=path, options={"default_vendor": "Sunrise Foods"})
    assert batch.state == "succeeded", batch.error
    return batch


def _rollup_constraints(kind: str) -> set[tuple[str, str]]:
    """(name, definition) of the rollup tables' constraints of one kind: 'u' unique, 'p' primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = %s AND conrelid::regclass::text LIKE 'rollups_%%'",
            [kind],
        )
        return set(cursor.fetchall())


def _unique_constraints() -> set[tuple[str, str]]:
    return _rollup_constraints("u")


def _primary_keys() -> set[tuple[str, str]]:
    return _rollup_constraints("p")


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename LIKE 'rollups_%%'")
        return {row[0] for row in cursor.fetchall()}


def test_an_import_into_empty_rollups_gives_what_a_recomputation_gives(tmp_path):
    f.WarehouseFactory(code="WH-1")
    version = RollupVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0

    _import(tmp_path)

    assert_in_step()
    assert RollupVersion.objects.get(pk=1).version > version
    # SO-1 counts once for SKU-A although it holds two of its lines.
    first_day = ProductDailySales.objects.get(product__sku="SKU-A", day=dt.date(2025, 3, 1))
    assert (first_day.lines, first_day.orders, first_day.sold_units) == (2, 1, 5)
    # SO-2 has no warehouse: in the product's day, not in the product x warehouse day.
    second_day = ProductDailySales.objects.get(product__sku="SKU-A", day=dt.date(2025, 3, 2))
    assert (second_day.orders, second_day.sale_orders, second_day.returned_units) == (3, 2, 1)
    assert ProductWarehouseDailySales.objects.get(product__sku="SKU-A", day=dt.date(2025, 3, 2)).orders == 2
    assert MarketplaceDailySales.objects.get(day=dt.date(2025, 3, 2)).orders == 3
    pair = RetailerProductSales.objects.get(retailer__code="R1", product__sku="SKU-A")
    assert (pair.orders, pair.order_days, pair.lines, pair.units) == (2, 2, 3, 15)


def test_a_file_without_warehouses_gives_each_products_day_once_and_each_order_once_per_key(tmp_path):
    """No line names a warehouse: the products' days are the days grouped per (absent)
    warehouse, taken as they are. An order with two lines of one product and a line of
    another, all from one vendor, is one order for the vendor's retailer day and for
    each product's day and pair."""
    _import(tmp_path, FILE.replace(",WH-1", ","))

    assert_in_step()
    assert not ProductWarehouseDailySales.objects.exists()
    rice = ProductDailySales.objects.get(product__sku="SKU-A", day=dt.date(2025, 3, 1))
    assert (rice.lines, rice.orders, rice.sold_units) == (2, 1, 5)
    assert ProductDailySales.objects.get(product__sku="SKU-B", day=dt.date(2025, 3, 1)).orders == 1
    vendor_day = VendorRetailerDailySales.objects.get(retailer__code="R1", day=dt.date(2025, 3, 1))
    assert (vendor_day.lines, vendor_day.orders, vendor_day.sale_orders) == (3, 1, 1)
    returns_day = VendorRetailerDailySales.objects.get(retailer__code="R2", day=dt.date(2025, 3, 2))
    assert (returns_day.orders, returns_day.sale_orders, returns_day.returned_units) == (2, 1, 1)


def test_an_import_onto_rollups_holding_its_keys_adds_to_them(tmp_path):
    """Every key of the batch is already held by an order written before it: the same
    retailer, product, warehouse and vendor on the same days. The pair's order days must
    not count a day twice."""
    warehouse = f.WarehouseFactory(code="WH-1")
    vendor = f.VendorFactory(code="sunrise-foods", name="Sunrise Foods")
    rice = f.ProductFactory(vendor=vendor, sku="SKU-A", name="Rice 5 kg")
    retailer = f.RetailerFactory(code="R1", name="Asha Stores")
    zone = ZoneInfo(django_settings.TIME_ZONE)
    for day in (1, 2, 20):
        order_create(
            external_id=f"API-{day}",
            retailer_id=retailer.pk,
            warehouse_id=warehouse.pk,
            placed_at=dt.datetime(2025, 3, day, 8, 0, tzinfo=zone),
            lines=[LineInput(rice.pk, 2, Decimal("9.00"), Decimal("0"))],
        )
    assert_in_step()

    _import(tmp_path)

    assert_in_step()
    pair = RetailerProductSales.objects.get(retailer=retailer, product=rice)
    assert (pair.first_order_on, pair.last_order_on) == (dt.date(2025, 3, 1), dt.date(2025, 3, 20))
    assert (pair.orders, pair.order_days, pair.units) == (5, 3, 21)
    assert VendorRetailerDailySales.objects.get(vendor=vendor, retailer=retailer, day=dt.date(2025, 3, 1)).orders == 2


def test_a_second_import_the_same_file_again_and_an_undo(tmp_path):
    f.WarehouseFactory(code="WH-1")
    _import(tmp_path)
    second = _import(tmp_path, FILE.replace("SO-", "SX-"), name="second.csv")
    assert_in_step()
    assert ProductDailySales.objects.get(product__sku="SKU-A", day=dt.date(2025, 3, 1)).orders == 2

    again = _import(tmp_path, FILE.replace("SO-", "SX-"), name="again.csv")
    assert again.lines_already_present == 6
    assert_in_step()

    import_batch_undo(batch=second)
    assert_in_step()
    assert ProductDailySales.objects.get(product__sku="SKU-A", day=dt.date(2025, 3, 1)).orders == 1


@postgres_only
def test_a_large_batch_rebuilds_the_rollup_keys_and_leaves_them_as_they_were(tmp_path, settings):
    settings.RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS = 1
    settings.RETAILIQ_IMPORT_REBUILD_INDEXES_TABLE_RATIO = 10.0
    f.WarehouseFactory(code="WH-1")
    constraints, primary_keys, indexes = _unique_constraints(), _primary_keys(), _indexes()

    batch = _import(tmp_path)

    assert "rebuild_indexes_rollups_vendorretailerdailysales" in batch.summary["seconds"]
    assert _unique_constraints() == constraints
    assert len(constraints) == 6
    assert _primary_keys() == primary_keys
    assert len(primary_keys) == 7  # the six tables and the version's row
    assert _indexes() == indexes
    assert_in_step()
    # The tables holding rows now, a batch of the same size updates and inserts without its keys.
    _import(tmp_path, FILE.replace("SO-", "SX-").replace("2025-03-02", "2025-03-05"), name="second.csv")
    assert _unique_constraints() == constraints
    assert _primary_keys() == primary_keys
    assert_in_step()


def test_line_values_too_large_for_whole_millionths_are_summed_as_exact_decimals(tmp_path):
    """1,000 units at 9,999,999,999.99 is a line worth about 10 trillion: in millionths it
    does not fit a bigint, so PostgreSQL reads the batch's lines again with exact decimals.
    The totals are the same either way, to the last digit."""
    f.WarehouseFactory(code="WH-1")
    _import(
        tmp_path, FILE + "SO-5,2025-03-03 10:00:00,R2,Bala Mart,Pune,SKU-B,Dal 1 kg,Staples,1000,9999999999.99,WH-1\n"
    )

    assert_in_step()
    day = ProductDailySales.objects.get(product__sku="SKU-B", day=dt.date(2025, 3, 3))
    assert day.revenue == Decimal("9999999999990.000000")
