"""The lost-sales endpoint beside the sales lines: scoped as they are (a shop sees its own refusals, a vendor those
of its products, a rep its retailers'), with a cancelled order's refusals counted nowhere."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from retailiq.orders.models import LostSale
from retailiq.orders.services import lost_sale_create, order_cancel
from retailiq.rollups.models import ProductDailySales
from retailiq.rollups.services import rollups_apply_lost_sales

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def refusals(marketplace):
    """Shop A was refused 5 of product 1 and 2 of product 2; shop B 7 of product 1 (on its order, cancelled
    afterwards) and 4 of product 2."""
    m = marketplace
    for shop, product, quantity in [(m.shop_a, m.product_1, 5), (m.shop_a, m.product_2, 2), (m.shop_b, m.product_2, 4)]:
        lost_sale_create(retailer_id=shop.pk, product_id=product.pk, lost_on=DAY, quantity=quantity)
    on_order = LostSale.objects.create(
        order=m.order_b, retailer=m.shop_b, product=m.product_1, warehouse=m.order_b.warehouse, lost_on=DAY, quantity=7
    )
    rollups_apply_lost_sales(lost_sales=LostSale.objects.filter(pk=on_order.pk), sign=+1)
    return m


def _listed(user) -> list[tuple[str, str, int]]:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/v1/lost-sales/")
    assert response.status_code == 200
    return sorted((row["retailer"], row["sku"], row["quantity"]) for row in response.json()["results"])


def test_each_caller_sees_only_the_refusals_it_may_analyse(refusals):
    m = refusals
    a, b, p1, p2 = m.shop_a.code, m.shop_b.code, m.product_1.sku, m.product_2.sku
    assert _listed(m.retailer_user_a) == sorted([(a, p1, 5), (a, p2, 2)])
    assert _listed(m.vendor_user_1) == sorted([(a, p1, 5), (b, p1, 7)])
    assert _listed(m.vendor_user_2) == sorted([(a, p2, 2), (b, p2, 4)])
    assert _listed(m.rep_b) == sorted([(b, p1, 7), (b, p2, 4)])
    assert len(_listed(m.analyst)) == 4


def test_another_shops_refusal_is_not_found(refusals):
    api = APIClient()
    api.force_authenticate(refusals.retailer_user_a)
    theirs = LostSale.objects.filter(retailer=refusals.shop_b).first()
    assert api.get(f"/api/v1/lost-sales/{theirs.pk}/").status_code == 404


def test_a_cancelled_orders_refusals_leave_the_list_and_the_rollups(refusals):
    m = refusals
    assert ProductDailySales.objects.get(product=m.product_1, day=DAY).lost_units == 12
    order_cancel(order=m.order_b)
    assert _listed(m.vendor_user_1) == [(m.shop_a.code, m.product_1.sku, 5)]
    assert ProductDailySales.objects.get(product=m.product_1, day=DAY).lost_units == 5


def test_a_bad_date_filter_names_the_field(refusals):
    api = APIClient()
    api.force_authenticate(refusals.analyst)
    response = api.get("/api/v1/lost-sales/", {"placed_after": "yesterday"})
    assert response.status_code == 400 and "placed_after" in response.content.decode()
