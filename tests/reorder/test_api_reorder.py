"""The reorder API: call list, stored predictions, on-demand predictions and call outcomes, per role; every bad
input answers 400 naming the field, and nobody reads another's shops or products."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reorder.models import CallOutcome
from tests import factories as f

CALL_LIST = "/api/v1/reorder/call-list"
PREDICTIONS = "/api/v1/reorder/predictions"
PREDICT = "/api/v1/predictions/reorder"
OUTCOMES = "/api/v1/reorder/call-outcomes"


def _buy(shop, product, days_ago: int, quantity: int = 10) -> None:
    order = f.OrderFactory(retailer=shop, placed_at=timezone.now() - dt.timedelta(days=days_ago))
    f.OrderLineFactory(order=order, product=product, quantity=quantity, unit_price=Decimal("40"), line_number=1)


@pytest.fixture
def habits(marketplace):
    """Shop A buys both products weekly; shop B (rep B's) buys product 1 every 5 days."""
    m = marketplace
    for k in range(8):
        _buy(m.shop_a, m.product_1, 6 + 7 * k, quantity=20)
        _buy(m.shop_a, m.product_2, 9 + 7 * k, quantity=4)
        _buy(m.shop_b, m.product_1, 4 + 5 * k, quantity=8)
    return m


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rep_call_list_holds_only_its_shops_with_products_and_reasons(habits):
    response = _client(habits.rep_a).get(CALL_LIST, {"horizon": 14, "capacity": 5})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["horizon_days"] == 14 and body["capacity"] == 5
    assert [e["retailer_id"] for e in body["entries"]] == [habits.shop_a.pk]
    entry = body["entries"][0]
    assert 0 < entry["probability"] <= 1
    assert entry["priority"] > 0
    assert {p["product_id"] for p in entry["products"]} == {habits.product_1.pk, habits.product_2.pk}
    assert any("orders every 7 days" in reason for p in entry["products"] for reason in p["reasons"]), entry


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"horizon": 11}, "horizon"),
        ({"capacity": 0}, "capacity"),
        ({"segment": "casino"}, "segment"),
        ({"category": "x"}, "category"),
    ],
)
def test_call_list_names_the_bad_parameter(habits, params, field):
    response = _client(habits.rep_a).get(CALL_LIST, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_rep_cannot_read_another_reps_book_but_analysts_can(habits):
    assert _client(habits.rep_a).get(CALL_LIST, {"rep": habits.rep_b.pk}).status_code == 400
    analyst = _client(habits.analyst).get(CALL_LIST, {"rep": habits.rep_b.pk})
    assert [e["retailer_id"] for e in analyst.json()["entries"]] == [habits.shop_b.pk]


@pytest.mark.parametrize("who", ["retailer_user_a", "vendor_user_1"])
def test_shops_and_vendors_have_no_call_list(habits, who):
    assert _client(getattr(habits, who)).get(CALL_LIST).status_code == 403


def test_predictions_are_scoped_by_role(habits):
    # a retailer always gets its own shop, whatever it asks for
    own = _client(habits.retailer_user_a).get(PREDICTIONS, {"retailer": habits.shop_b.pk}).json()
    assert {p["retailer_id"] for p in own["predictions"]} == {habits.shop_a.pk}
    # a rep only its assigned shops
    other = _client(habits.rep_a).get(PREDICTIONS, {"retailer": habits.shop_b.pk})
    assert other.status_code == 404 and "retailer" in other.json()["error"]["fields"]  # as on the cart page
    # a vendor only its own products, in any shop
    vendor = _client(habits.vendor_user_1).get(PREDICTIONS, {"retailer": habits.shop_a.pk}).json()
    assert {p["product_id"] for p in vendor["predictions"]} == {habits.product_1.pk}
    analyst = _client(habits.analyst).get(PREDICTIONS, {"retailer": habits.shop_a.pk, "horizon": 30}).json()
    assert analyst["horizon_days"] == 30
    assert {p["product_id"] for p in analyst["predictions"]} == {habits.product_1.pk, habits.product_2.pk}
    assert all(set(p["probabilities"]) == {"7", "14", "30"} for p in analyst["predictions"])


def test_predictions_need_a_shop_for_everyone_but_retailers(habits):
    response = _client(habits.analyst).get(PREDICTIONS)
    assert response.status_code == 400 and "retailer" in response.json()["error"]["fields"]


def test_on_demand_prediction_for_a_shop_and_its_products(habits):
    client = _client(habits.rep_a)
    response = client.post(
        PREDICT, {"retailer_id": habits.shop_a.pk, "product_ids": [habits.product_1.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    predictions = response.json()["predictions"]
    assert [p["product_id"] for p in predictions] == [habits.product_1.pk]
    assert predictions[0]["expected_quantity"] >= 1
    assert predictions[0]["reasons"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "retailer_id"),
        ({"retailer_id": "one"}, "retailer_id"),
        ({"product_ids": []}, "product_ids"),
        ({"horizon_days": 9}, "horizon_days"),
        ({"product_ids": [999999]}, "product_ids"),
    ],
)
def test_on_demand_prediction_names_the_bad_field(habits, payload, field):
    body = {"retailer_id": habits.shop_a.pk, **payload} if "retailer_id" not in payload else payload
    if payload == {}:
        body = {}
    response = _client(habits.rep_a).post(PREDICT, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_on_demand_prediction_refuses_another_reps_shop(habits):
    response = _client(habits.rep_a).post(PREDICT, {"retailer_id": habits.shop_b.pk}, format="json")
    assert response.status_code == 404 and "retailer_id" in response.json()["error"]["fields"]


def test_rep_records_and_lists_call_outcomes_of_its_own_shops_only(habits):
    client = _client(habits.rep_a)
    created = client.post(
        OUTCOMES,
        {
            "retailer_id": habits.shop_a.pk,
            "outcome": "not_now",
            "note": "back next week",
            "product_ids": [habits.product_1.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["products"] == [habits.product_1.pk]
    assert created.json()["probability"] is not None  # the call list's view of the shop, kept for the hit rate
    refused = client.post(OUTCOMES, {"retailer_id": habits.shop_b.pk, "outcome": "ordered"}, format="json")
    assert refused.status_code == 404 and "retailer_id" in refused.json()["error"]["fields"]  # as on the page
    assert CallOutcome.objects.count() == 1
    assert [c["retailer_id"] for c in client.get(OUTCOMES).json()["results"]] == [habits.shop_a.pk]
    assert _client(habits.rep_b).get(OUTCOMES).json()["results"] == []
    assert _client(habits.vendor_user_1).get(OUTCOMES).json()["results"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "note", "note": ""}, "note"),
        ({"outcome": "ordered", "product_ids": [999999]}, "product_ids"),
    ],
)
def test_call_outcome_names_the_bad_field_and_stores_nothing(habits, payload, field):
    response = _client(habits.rep_a).post(OUTCOMES, {"retailer_id": habits.shop_a.pk, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not CallOutcome.objects.exists()
