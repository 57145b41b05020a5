"""Every write path keeps the rollups equal to a recomputation from the order lines, in
the same transaction: after each one `rollups_check` finds nothing to repair."""

import datetime as dt
import textwrap
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from retailiq.imports.services import import_batch_undo, import_file
from retailiq.orders.models import Order, OrderLine
from retailiq.orders.services import LineInput, order_cancel, order_create, order_return_create
from retailiq.rollups.checks import rollups_compare
from retailiq.rollups.models import (
    ProductDailySales,
    ProductWarehouseDailySales,
    RetailerDailySales,
    RetailerProductSales,
    RollupVersion,
    VendorRetailerDailySales,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "order_id,ordered_at,retailer_id,retailer_name,city,sku,product_name,category,quantity,unit_price"
FILE = """
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-B,Dal 1 kg,Staples,2,3.25
SO-2,2025-03-02 11:00:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,10,10.00
SO-3,2025-03-02 12:00:00,R2,Bala Mart,Pune,SKU-A,Rice 5 kg,Staples,6,10.00
SO-3,2025-03-02 12:00:00,R2,Bala Mart,Pune,SKU-A,Rice 5 kg,Staples,-1,10.00
"""


def assert_in_step() -> None:
    out = StringIO()
    call_command("rollups_check", stdout=out)
    assert "Nothing to repair." in out.getvalue(), out.getvalue()


def _import(tmp_path, body: str = FILE):
    path = tmp_path / "orders.csv"
    path.write_text(f"{HEADER}\n{textwrap.dedent(body).strip()}\n", encoding="utf-8")
    batch = import_file(path=path, options={"default_vendor": "Sunrise Foods"})
    assert batch.state == "succeeded", batch.error
    return batch


def _sale(*, retailer, product, warehouse=None, quantity=3, price="20.00", days_ago=2, discount="0"):
    return order_create(
        external_id=f"API-{Order.objects.count() + 1}",
        retailer_id=retailer.pk,
        warehouse_id=warehouse.pk if warehouse else None,
        placed_at=timezone.now() - dt.timedelta(days=days_ago),
        lines=[LineInput(product.pk, quantity, Decimal(price), Decimal(discount))],
    )


def test_order_created_adds_to_every_rollup():
    retailer, product, warehouse = f.RetailerFactory(), f.ProductFactory(), f.WarehouseFactory()
    order = _sale(retailer=retailer, product=product, warehouse=warehouse, quantity=3, discount="0.1")
    _sale(retailer=retailer, product=product, warehouse=warehouse, quantity=2, days_ago=9)
    _sale(retailer=retailer, product=product, quantity=1, days_ago=9)  # no warehouse

    day = order.lines.get().placed_on
    row = ProductDailySales.objects.get(product=product, day=day)
    assert (row.lines, row.orders, row.units, row.revenue) == (1, 1, 3, Decimal("54"))
    assert (row.sale_revenue, row.regular_units, row.regular_revenue) == (Decimal("54"), 3, Decimal("54"))
    warehouse_day = ProductWarehouseDailySales.objects.get(product=product, warehouse=warehouse, day=day)
    assert (warehouse_day.sold_units, warehouse_day.sale_revenue) == (3, Decimal("54"))
    assert RetailerDailySales.objects.get(retailer=retailer, day=day).sold_units == 3
    assert ProductWarehouseDailySales.objects.filter(product=product).count() == 2
    vendor_day = VendorRetailerDailySales.objects.get(vendor=product.vendor, retailer=retailer, day=day)
    assert (vendor_day.orders, vendor_day.units, vendor_day.revenue) == (1, 3, Decimal("54"))
    pair = RetailerProductSales.objects.get(retailer=retailer, product=product)
    assert (pair.orders, pair.order_days, pair.units, pair.last_order_on) == (3, 2, 6, day)
    assert pair.mean_interval_days == 7
    assert_in_step()


def test_return_and_cancel_keep_rollups_in_step():
    retailer, product = f.RetailerFactory(), f.ProductFactory()
    sale = _sale(retailer=retailer, product=product, warehouse=f.WarehouseFactory(), quantity=5)
    version = RollupVersion.objects.get().version
    order_return_create(
        sale=sale, external_id="RET-1", placed_at=timezone.now(), lines=[LineInput(product.pk, 2, Decimal("20"))]
    )
    assert RollupVersion.objects.get().version > version
    assert_in_step()
    units = sum(r.units for r in ProductDailySales.objects.filter(product=product))
    assert units == 3
    # Prices are what the sale lines were paid: a return moves revenue, not them.
    sold = ProductDailySales.objects.get(product=product, sold_units__gt=0)
    assert (sold.sale_revenue, sold.regular_units, sold.regular_revenue) == (Decimal("100"), 5, Decimal("100"))
    assert sum(r.revenue for r in ProductDailySales.objects.filter(product=product)) == Decimal("60")
    assert RetailerProductSales.objects.get(retailer=retailer, product=product).units == 5  # returns are not purchases

    order_cancel(order=sale)
    assert_in_step()
    assert not RetailerProductSales.objects.filter(retailer=retailer, product=product).exists()
    assert list(ProductDailySales.objects.filter(product=product).values_list("returned_units", flat=True)) == [2]


def test_import_merged_and_undone(tmp_path):
    earlier = _sale(retailer=f.RetailerFactory(code="R1"), product=f.ProductFactory(), quantity=1)
    batch = _import(tmp_path)
    assert_in_step()
    assert RetailerProductSales.objects.filter(retailer__code="R2").get().units == 6
    assert ProductDailySales.objects.filter(product__sku="SKU-A").count() == 2

    import_batch_undo(batch=batch)
    assert_in_step()
    assert not ProductDailySales.objects.filter(product__sku="SKU-A").exists()
    assert RetailerProductSales.objects.get().product_id == earlier.lines.get().product_id


def test_undo_of_a_second_import_keeps_the_first(tmp_path):
    _import(tmp_path)
    second = _import(tmp_path, FILE.replace("SO-", "SX-").replace("2025-03-0", "2025-03-1"))
    import_batch_undo(batch=second)
    assert_in_step()
    assert sorted(ProductDailySales.objects.filter(product__sku="SKU-A").values_list("lines", flat=True)) == [1, 3]


def test_check_command_repairs_what_drifted():
    retailer, product = f.RetailerFactory(), f.ProductFactory()
    _sale(retailer=retailer, product=product, warehouse=f.WarehouseFactory())
    ProductDailySales.objects.update(sold_units=99)
    ProductWarehouseDailySales.objects.update(regular_revenue=Decimal("1.23"))  # a price drifted
    RetailerProductSales.objects.all().delete()
    stray = f.OrderFactory(placed_at=timezone.now() - dt.timedelta(days=10))
    OrderLine.objects.create(  # written past the services
        order=stray, line_number=1, product=product, quantity=1, unit_price=Decimal("5"),
        retailer=stray.retailer, placed_on=timezone.localdate(stray.placed_at),
    )  # fmt: skip

    out = StringIO()
    call_command("rollups_check", "--dry-run", stdout=out)
    assert "rollups_productdailysales: 1 stale row(s), 2 missing row(s)" in out.getvalue()
    assert "rollups_retailerproductsales: 0 stale row(s), 2 missing row(s)" in out.getvalue()
    assert "rollups_vendorretailerdailysales: 0 stale row(s), 1 missing row(s)" in out.getvalue()
    assert "rollups_productwarehousedailysales: 1 stale row(s), 2 missing row(s)" in out.getvalue()
    assert ProductDailySales.objects.get(sold_units=99)

    out = StringIO()
    call_command("rollups_check", stdout=out)
    assert "Repaired 6 table(s)" in out.getvalue()  # the stray line reaches every table
    assert not any(d.differs for d in rollups_compare())
    assert_in_step()


def test_a_cancellation_moves_the_cache_data_version():
    from django.core.cache import cache

    from retailiq.web.cache import data_version

    sale = _sale(retailer=f.RetailerFactory(), product=f.ProductFactory())
    before = data_version()
    cache.clear()  # the version is remembered for a few seconds
    order_cancel(order=sale)
    assert data_version() != before


def test_a_product_moved_to_another_vendor_moves_the_cache_data_version():
    """Dashboards cache per vendor under the data version: a moved product's sales change vendor with it."""
    from django.core.cache import cache

    from retailiq.web.cache import DATA_VERSION_KEY, data_version

    product = f.ProductFactory()
    _sale(retailer=f.RetailerFactory(), product=product)
    before = data_version()
    cache.delete(DATA_VERSION_KEY)  # the version is remembered for a few seconds
    assert data_version() == before  # nothing changed: the same version, recomputed
    cache.delete(DATA_VERSION_KEY)
    product.vendor = f.VendorFactory()
    product.save()
    assert data_version() != before
