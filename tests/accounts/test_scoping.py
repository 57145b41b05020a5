import pytest
from django.db import IntegrityError

from retailiq.accounts.models import Role, User
from retailiq.catalog.selectors import product_list_for_user
from retailiq.inventory.selectors import stock_level_list_for_user
from retailiq.orders.selectors import order_line_list_for_user, order_list_for_user, sales_totals_for_user
from retailiq.retailers.selectors import retailer_list_for_user
from tests import factories as f


def test_retailer_sees_only_its_own_orders_and_purchases(marketplace):
    user = marketplace.retailer_user_a
    assert list(order_list_for_user(user=user)) == [marketplace.order_a]
    assert {line.retailer_id for line in order_line_list_for_user(user=user)} == {marketplace.shop_a.id}
    assert list(retailer_list_for_user(user=user)) == [marketplace.shop_a]


def test_vendor_sees_only_its_own_products_and_their_sales(marketplace):
    user = marketplace.vendor_user_1
    assert list(product_list_for_user(user=user)) == [marketplace.product_1]
    lines = order_line_list_for_user(user=user)
    assert {line.product_id for line in lines} == {marketplace.product_1.id}
    assert {line.retailer_id for line in lines} == {marketplace.shop_a.id, marketplace.shop_b.id}
    assert sales_totals_for_user(user=user).units == 17
    assert not order_list_for_user(user=user).exists()


def test_vendor_sees_only_its_own_stock(marketplace):
    f.StockLevelFactory(product=marketplace.product_1)
    f.StockLevelFactory(product=marketplace.product_2)
    assert {s.product_id for s in stock_level_list_for_user(user=marketplace.vendor_user_1)} == {
        marketplace.product_1.id
    }
    assert not stock_level_list_for_user(user=marketplace.retailer_user_a).exists()


def test_sales_rep_sees_only_assigned_retailers(marketplace):
    user = marketplace.rep_a
    assert list(retailer_list_for_user(user=user)) == [marketplace.shop_a]
    assert list(order_list_for_user(user=user)) == [marketplace.order_a]
    assert {line.retailer_id for line in order_line_list_for_user(user=user)} == {marketplace.shop_a.id}


def test_analyst_sees_the_whole_marketplace(marketplace):
    user = marketplace.analyst
    assert retailer_list_for_user(user=user).count() == 2
    assert order_list_for_user(user=user).count() == 2
    assert product_list_for_user(user=user).count() == 2
    assert sales_totals_for_user(user=user).units == 27


def test_returns_reduce_and_cancellations_do_not_count_as_demand(marketplace):
    from retailiq.orders.models import OrderKind, OrderStatus

    user = marketplace.analyst
    ret = f.OrderFactory(retailer=marketplace.shop_a, kind=OrderKind.RETURN, returns_order=marketplace.order_a)
    f.OrderLineFactory(order=ret, product=marketplace.product_1, quantity=3, line_number=1)
    cancelled = f.OrderFactory(retailer=marketplace.shop_b, status=OrderStatus.CANCELLED)
    f.OrderLineFactory(order=cancelled, product=marketplace.product_1, quantity=100, line_number=1)
    totals = sales_totals_for_user(user=user)
    assert totals.units == 27 - 3
    assert totals.revenue == pytest.approx(2400.0)


@pytest.mark.parametrize(
    "role, with_retailer, with_vendor",
    [
        (Role.RETAILER, False, False),
        (Role.VENDOR, False, False),
        (Role.ANALYST, True, False),
        (Role.SALES_REP, False, True),
    ],
)
def test_database_rejects_a_role_without_its_organisation(db, role, with_retailer, with_vendor):
    kwargs = {
        "retailer": f.RetailerFactory() if with_retailer else None,
        "vendor": f.VendorFactory() if with_vendor else None,
    }
    with pytest.raises(IntegrityError):
        User.objects.create(username="broken", role=role, **kwargs)
