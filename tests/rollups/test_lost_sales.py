"""Lost sales (units refused for want of stock) in the per-product rollups: every write path keeps `lost_units`
equal to a recomputation, in the same transaction, and `rollups_check` finds and repairs a drift."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from retailiq.core.errors import InvalidInput
from retailiq.orders.models import LostSale, Order
from retailiq.orders.services import (
    LineInput,
    RefusedLineInput,
    lost_sale_create,
    order_cancel,
    order_create,
)
from retailiq.rollups.checks import rollups_compare
from retailiq.rollups.models import ProductDailySales, ProductWarehouseDailySales, RetailerDailySales
from retailiq.rollups.services import rollups_apply_lost_sales
from tests import factories as f

pytestmark = pytest.mark.django_db


def assert_in_step() -> None:
    out = StringIO()
    call_command("rollups_check", stdout=out)
    assert "Nothing to repair." in out.getvalue(), out.getvalue()


def _order(*, retailer, warehouse, lines=(), refused=(), days_ago=2):
    return order_create(
        external_id=f"API-{Order.objects.count() + 1}",
        retailer_id=retailer.pk,
        warehouse_id=warehouse.pk if warehouse else None,
        placed_at=timezone.now() - dt.timedelta(days=days_ago),
        lines=list(lines),
        refused=list(refused),
    )


def test_refused_lines_of_an_order_are_lost_units_beside_its_sales():
    retailer, warehouse = f.RetailerFactory(), f.WarehouseFactory()
    rice, dal = f.ProductFactory(), f.ProductFactory()
    order = _order(
        retailer=retailer,
        warehouse=warehouse,
        lines=[LineInput(rice.pk, 4, Decimal("10"))],
        refused=[RefusedLineInput(rice.pk, 6), RefusedLineInput(dal.pk, 12)],
    )
    day = order.lines.get().placed_on
    lost = LostSale.objects.filter(order=order)
    assert sorted(lost.values_list("product_id", "quantity", "warehouse_id", "retailer_id", "lost_on")) == sorted(
        [(rice.pk, 6, warehouse.pk, retailer.pk, day), (dal.pk, 12, warehouse.pk, retailer.pk, day)]
    )
    row = ProductDailySales.objects.get(product=rice, day=day)
    assert (row.sold_units, row.lost_units, row.demand_units) == (4, 6, 10)
    # Dal was refused whole: a row of lost units and no line, in total and at the warehouse.
    dal_day = ProductDailySales.objects.get(product=dal, day=day)
    assert (dal_day.lines, dal_day.sold_units, dal_day.lost_units) == (0, 0, 12)
    assert ProductWarehouseDailySales.objects.get(product=dal, warehouse=warehouse, day=day).lost_units == 12
    # The retailer's days count what moved, not what was refused.
    assert RetailerDailySales.objects.get(retailer=retailer, day=day).sold_units == 4
    assert_in_step()


def test_an_order_refused_whole_and_then_cancelled_leaves_nothing():
    retailer, product = f.RetailerFactory(), f.ProductFactory()
    order = _order(retailer=retailer, warehouse=f.WarehouseFactory(), refused=[RefusedLineInput(product.pk, 8)])
    assert ProductDailySales.objects.get(product=product).lost_units == 8
    assert_in_step()

    order_cancel(order=order)
    # A cancelled order asked for nothing in the end: its refusals stay on record but count nowhere.
    assert LostSale.objects.filter(order=order).exists()
    assert not ProductDailySales.objects.filter(product=product).exists()
    assert not ProductWarehouseDailySales.objects.filter(product=product).exists()
    assert_in_step()


def test_cancelling_keeps_other_orders_lost_units():
    retailer, warehouse, product = f.RetailerFactory(), f.WarehouseFactory(), f.ProductFactory()
    kept = _order(retailer=retailer, warehouse=warehouse, refused=[RefusedLineInput(product.pk, 5)])
    cancelled = _order(
        retailer=retailer,
        warehouse=warehouse,
        lines=[LineInput(product.pk, 2, Decimal("3"))],
        refused=[RefusedLineInput(product.pk, 7)],
    )
    assert kept.placed_at.date() == cancelled.placed_at.date()
    assert ProductDailySales.objects.get(product=product).lost_units == 12
    order_cancel(order=cancelled)
    row = ProductDailySales.objects.get(product=product)
    assert (row.lines, row.sold_units, row.lost_units) == (0, 0, 5)
    assert_in_step()


def test_a_lost_sale_on_no_order_is_added_and_taken_away():
    retailer, warehouse, product = f.RetailerFactory(), f.WarehouseFactory(), f.ProductFactory()
    day = timezone.localdate() - dt.timedelta(days=3)
    lost = lost_sale_create(
        retailer_id=retailer.pk, product_id=product.pk, warehouse_id=warehouse.pk, lost_on=day, quantity=9
    )
    lost_sale_create(retailer_id=retailer.pk, product_id=product.pk, lost_on=day, quantity=1)  # no warehouse
    assert ProductDailySales.objects.get(product=product, day=day).lost_units == 10
    assert ProductWarehouseDailySales.objects.get(product=product, day=day).lost_units == 9
    assert_in_step()

    one = LostSale.objects.filter(pk=lost.pk)
    rollups_apply_lost_sales(lost_sales=one, sign=-1)
    one.delete()
    assert ProductDailySales.objects.get(product=product, day=day).lost_units == 1
    assert not ProductWarehouseDailySales.objects.filter(product=product).exists()
    assert_in_step()


@pytest.mark.parametrize(
    ("refused", "field"),
    [
        (RefusedLineInput(product_id=0, quantity=0), "refused.quantity"),
        (RefusedLineInput(product_id=0, quantity=2, reason="weather"), "refused.reason"),
    ],
)
def test_a_bad_refused_line_is_refused_naming_the_field_and_writes_nothing(refused, field):
    retailer, product = f.RetailerFactory(), f.ProductFactory()
    refused = RefusedLineInput(product.pk, refused.quantity, refused.reason)
    with pytest.raises(InvalidInput) as raised:
        _order(retailer=retailer, warehouse=None, lines=[LineInput(product.pk, 1, Decimal("1"))], refused=[refused])
    assert field in raised.value.fields
    assert not Order.objects.exists() and not LostSale.objects.exists()


def test_a_return_cannot_carry_refused_lines():
    retailer, product = f.RetailerFactory(), f.ProductFactory()
    with pytest.raises(InvalidInput):
        order_create(
            external_id="RET-X",
            retailer_id=retailer.pk,
            placed_at=timezone.now(),
            lines=[LineInput(product.pk, 1, Decimal("1"))],
            refused=[RefusedLineInput(product.pk, 1)],
            kind="return",
        )


def test_check_finds_and_repairs_drifted_lost_units():
    retailer, warehouse, product = f.RetailerFactory(), f.WarehouseFactory(), f.ProductFactory()
    _order(
        retailer=retailer,
        warehouse=warehouse,
        lines=[LineInput(product.pk, 1, Decimal("1"))],
        refused=[RefusedLineInput(product.pk, 4)],
    )
    ProductDailySales.objects.update(lost_units=99)
    ProductWarehouseDailySales.objects.update(lost_units=0)
    differing = {d.table for d in rollups_compare() if d.differs}
    assert differing == {ProductDailySales._meta.db_table, ProductWarehouseDailySales._meta.db_table}

    out = StringIO()
    call_command("rollups_check", "--dry-run", stdout=out)
    assert ProductDailySales.objects.get().lost_units == 99  # a dry run repairs nothing
    call_command("rollups_check", stdout=out)
    assert ProductDailySales.objects.get().lost_units == 4
    assert ProductWarehouseDailySales.objects.get().lost_units == 4
    assert_in_step()


def test_check_finds_a_lost_only_row_the_rollup_lacks():
    retailer, product = f.RetailerFactory(), f.ProductFactory()
    lost_sale_create(retailer_id=retailer.pk, product_id=product.pk, lost_on=timezone.localdate(), quantity=3)
    ProductDailySales.objects.all().delete()
    found = {d.table: d for d in rollups_compare()}[ProductDailySales._meta.db_table]
    assert (found.stale, found.missing) == (0, 1)
    call_command("rollups_check", stdout=StringIO())
    assert ProductDailySales.objects.get().lost_units == 3


def test_an_admin_edit_and_delete_go_through_the_rollups(client):
    retailer, warehouse, product = f.RetailerFactory(), f.WarehouseFactory(), f.ProductFactory()
    day = timezone.localdate() - dt.timedelta(days=1)
    lost = lost_sale_create(
        retailer_id=retailer.pk, product_id=product.pk, warehouse_id=warehouse.pk, lost_on=day, quantity=4
    )
    client.force_login(f.AdminUserFactory(is_staff=True, is_superuser=True))
    form = {
        "order": "",
        "retailer": retailer.pk,
        "product": product.pk,
        "warehouse": warehouse.pk,
        "lost_on": day.isoformat(),
        "quantity": 11,
        "reason": "stockout",
    }
    response = client.post(f"/admin/orders/lostsale/{lost.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProductDailySales.objects.get(product=product).lost_units == 11
    assert_in_step()
    response = client.post(f"/admin/orders/lostsale/{lost.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ProductDailySales.objects.filter(product=product).exists()
    assert_in_step()
