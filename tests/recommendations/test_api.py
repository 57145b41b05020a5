"""The recommendations API: a shop's lists per role (nobody reads another's shop), bad input answers 400 naming
the field, and feedback (a dismissal keeps the product off that shop's list)."""

import pytest
from rest_framework.test import APIClient

LIST = "/api/v1/recommendations"
FEEDBACK = "/api/v1/recommendations/feedback"

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_retailer_gets_its_list_with_product_vendor_price_score_and_reason(habits):
    response = _client(habits.retailer_user_a).get(LIST, {"kind": "discover", "k": 5})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["retailer_id"] == habits.shop_a.pk and body["kind"] == "discover"
    items = body["items"]
    assert {i["product_id"] for i in items} == {habits.product_3.pk, habits.product_4.pk}
    first = items[0]
    assert {"vendor_name", "price", "score", "reason", "pack_size", "rank"} <= set(first)
    assert first["reason"]


def test_retailer_a_never_sees_shop_bs_list(habits):
    response = _client(habits.retailer_user_a).get(LIST, {"retailer": habits.shop_b.pk})
    assert response.json()["retailer_id"] == habits.shop_a.pk


@pytest.mark.parametrize(
    ("user", "shop", "status"),
    [("rep_a", "shop_a", 200), ("rep_a", "shop_b", 404), ("vendor_user_1", "shop_a", 404), ("analyst", "shop_b", 200)],
)
def test_scope_per_role(habits, user, shop, status):
    response = _client(getattr(habits, user)).get(LIST, {"retailer": getattr(habits, shop).pk})
    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "soon"}, "kind"),
        ({"k": 0}, "k"),
        ({"k": "ten"}, "k"),
        ({"retailer": "x"}, "retailer"),
        ({"kind": "discover", "product": 1}, "product"),
    ],
)
def test_bad_input_answers_400_naming_the_field(habits, params, field):
    response = _client(habits.analyst).get(LIST, {"retailer": habits.shop_a.pk, **params})
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_rep_must_name_the_shop(habits):
    response = _client(habits.rep_a).get(LIST)
    assert response.status_code == 400 and "retailer" in response.content.decode()


def test_feedback_dismissal_keeps_the_product_off_that_shops_list(habits):
    client = _client(habits.retailer_user_a)
    response = client.post(FEEDBACK, {"product": habits.product_3.pk, "action": "dismissed", "kind": "discover"})
    assert response.status_code == 201, response.content
    assert response.json()["retailer_id"] == habits.shop_a.pk
    items = client.get(LIST, {"kind": "discover"}).json()["items"]
    assert [i["product_id"] for i in items] == [habits.product_4.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"product": 1, "action": "loved"}, "action"), ({"action": "shown"}, "product")],
)
def test_bad_feedback_answers_400_naming_the_field(habits, body, field):
    response = _client(habits.retailer_user_a).post(FEEDBACK, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_rep_cannot_leave_feedback_for_a_colleagues_shop(habits):
    body = {"retailer": habits.shop_b.pk, "product": habits.product_1.pk, "action": "clicked"}
    assert _client(habits.rep_a).post(FEEDBACK, body).status_code == 404
