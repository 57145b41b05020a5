"""A shop's reorder cart and on-demand predictions: a retailer gets only its own shop, a vendor only its own
products, and the CSV takes the quantities the shop adjusted."""

import datetime as dt

import pytest
from django.utils import timezone

from reorder.services.predictions import predict_reorder
from reorder.services.suggestions import reorder_suggestions, suggestion_csv_rows
from retailiq.core.errors import DomainError, InvalidInput, NotFound
from tests.reorder.orders import buy


@pytest.fixture
def habits(marketplace):
    today = timezone.localdate()
    for k in range(6):
        buy(marketplace.shop_a, marketplace.product_1, today - dt.timedelta(days=7 + 7 * k), quantity=12)
        buy(marketplace.shop_a, marketplace.product_2, today - dt.timedelta(days=1 + 30 * k), quantity=3)
        buy(marketplace.shop_b, marketplace.product_1, today - dt.timedelta(days=2 + 5 * k), quantity=8)
    return marketplace


def test_a_retailer_always_gets_its_own_cart_most_likely_first(habits):
    cart = reorder_suggestions(user=habits.retailer_user_a, retailer_id=habits.shop_b.pk, min_probability=0.0)
    assert [s.product for s in cart] == [habits.product_1, habits.product_2]
    assert cart[0].probability > cart[1].probability and cart[0].expected_quantity == 12
    likely = reorder_suggestions(user=habits.retailer_user_a, min_probability=0.5)
    assert [s.product for s in likely] == [habits.product_1]


def test_reps_get_their_shops_carts_and_vendors_only_their_products(habits):
    assert reorder_suggestions(user=habits.rep_a, retailer_id=habits.shop_a.pk, min_probability=0)
    with pytest.raises(DomainError) as raised:
        reorder_suggestions(user=habits.rep_a, retailer_id=habits.shop_b.pk)
    assert isinstance(raised.value, NotFound)
    vendor = reorder_suggestions(user=habits.vendor_user_2, retailer_id=habits.shop_a.pk, min_probability=0)
    assert [s.product for s in vendor] == [habits.product_2]
    with pytest.raises(InvalidInput):
        reorder_suggestions(user=habits.analyst)


def test_the_cart_csv_takes_adjusted_quantities_and_drops_zeros(habits):
    cart = reorder_suggestions(user=habits.retailer_user_a, min_probability=0.0)
    rows = list(suggestion_csv_rows(cart, {habits.product_1.pk: 20, habits.product_2.pk: 0}))
    assert rows[0][:3] == ["sku", "product", "quantity"]
    assert len(rows) == 2 and rows[1][1] == habits.product_1.name and rows[1][2] == 20
    assert float(rows[1][4]) == pytest.approx(20 * cart[0].unit_price)


def test_on_demand_predictions_by_the_baseline_for_a_vendors_products(habits):
    answer = predict_reorder(user=habits.vendor_user_1, retailer_id=habits.shop_a.pk, horizon_days=7)
    assert answer["model"]["role"] == "baseline" and answer["as_of"] == timezone.localdate().isoformat()
    assert [p["product_id"] for p in answer["predictions"]] == [habits.product_1.pk]
    first = answer["predictions"][0]
    assert first["probability"] == first["probabilities"]["7"] and first["reasons"]
    asked = predict_reorder(user=habits.analyst, retailer_id=habits.shop_b.pk, product_ids=[habits.product_2.pk])
    assert asked["predictions"] == [] and asked["not_predicted"] == [habits.product_2.pk]


@pytest.mark.parametrize(
    ("who", "kwargs", "field"),
    [
        ("rep_a", {"retailer_id": "shop_b"}, "retailer_id"),
        ("retailer_user_a", {"retailer_id": "shop_b"}, "retailer_id"),
        ("vendor_user_1", {"product_ids": "product_2"}, "product_ids"),
        ("analyst", {"horizon_days": 3}, "horizon_days"),
        ("analyst", {"product_ids": []}, "product_ids"),
    ],
)
def test_on_demand_predictions_refuse_what_is_not_yours(habits, who, kwargs, field):
    resolved = {"retailer_id": habits.shop_a.pk}
    for name, value in kwargs.items():
        if name == "retailer_id":
            resolved[name] = getattr(habits, value).pk
        elif name == "product_ids":
            resolved[name] = [getattr(habits, value).pk] if value else []
        else:
            resolved[name] = value
    with pytest.raises(DomainError) as raised:
        predict_reorder(user=getattr(habits, who), **resolved)
    assert field in raised.value.fields
    # Another rep's or retailer's shop reads as not existing; a bad value as invalid.
    assert isinstance(raised.value, NotFound if field == "retailer_id" else InvalidInput)
