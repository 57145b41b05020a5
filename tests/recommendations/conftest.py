"""A small marketplace with purchase habits for the recommendations service, API and page tests."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories as f


def buy(shop, product, days_ago: int, quantity: int = 5) -> None:
    order = f.OrderFactory(retailer=shop, placed_at=timezone.now() - dt.timedelta(days=days_ago))
    f.OrderLineFactory(order=order, product=product, quantity=quantity, unit_price=Decimal("40"), line_number=1)


@pytest.fixture
def habits(marketplace):
    """Shop A (rep A's) buys products 1 and 2; shop B (rep B's) products 1, 3 and 4; shop C (rep A's) products 2,
    3 and 4. So A would discover 3 and 4 (vendor 1's 3, vendor 2's 4), B would discover 2."""
    m = marketplace
    m.product_3 = f.ProductFactory(vendor=m.vendor_1, name="Sunrise Atta 10 kg")
    m.product_4 = f.ProductFactory(vendor=m.vendor_2, name="Bluecrest Soap 4-pack")
    m.shop_c = f.RetailerFactory(name="Charlie Stores", assigned_rep=m.rep_a)
    for k in range(6):
        buy(m.shop_a, m.product_1, 3 + 7 * k)
        buy(m.shop_a, m.product_2, 5 + 7 * k)
        buy(m.shop_b, m.product_1, 2 + 6 * k)
        buy(m.shop_b, m.product_3, 2 + 6 * k)
        buy(m.shop_b, m.product_4, 4 + 6 * k)
        buy(m.shop_c, m.product_2, 1 + 5 * k)
        buy(m.shop_c, m.product_3, 1 + 5 * k)
        buy(m.shop_c, m.product_4, 3 + 5 * k)
    return m
