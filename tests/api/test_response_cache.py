"""Whole answers cached for the hot read endpoints (retailiq/api/response_cache.py): a second caller asking the very
same URL never receives the first one's body, whoever asked first; a call recorded shows on the call list at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db
SALES_LINES = "/api/v1/sales-lines/?limit=50"
ORDERS = "/api/v1/orders/?limit=50"
CALL_LIST = "/api/v1/reorder/call-list?horizon=14"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _products(body: dict) -> set[int]:
    return {line["product"] for line in body["results"]}


@pytest.mark.parametrize(
    ("url", "owner", "peer"),
    [
        (SALES_LINES, "vendor_user_1", "vendor_user_2"),
        (SALES_LINES, "retailer_user_a", "retailer_user_b"),
        (ORDERS, "retailer_user_a", "retailer_user_b"),
    ],
)
def test_a_peer_never_receives_another_tenants_cached_list(marketplace, url, owner, peer):
    first = _client(getattr(marketplace, owner)).get(url)
    again = _client(getattr(marketplace, owner)).get(url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content  # the second from the cache
    assert first.json()["count"] > 0
    theirs = _client(getattr(marketplace, peer)).get(url)
    assert theirs.status_code == 200 and theirs.json()["count"] > 0
    mine_ids = {row["id"] for row in first.json()["results"]}
    assert mine_ids.isdisjoint(row["id"] for row in theirs.json()["results"])
    if owner == "vendor_user_1":
        assert _products(first.json()) == {marketplace.product_1.pk}
        assert _products(theirs.json()) == {marketplace.product_2.pk}


def test_the_browsable_api_is_rendered_as_before(marketplace):
    response = _client(marketplace.vendor_user_1).get(SALES_LINES, HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def _buy(shop, product, days_ago: int) -> None:
    order = f.OrderFactory(retailer=shop, placed_at=timezone.now() - dt.timedelta(days=days_ago))
    f.OrderLineFactory(order=order, product=product, quantity=10, unit_price=Decimal("40"), line_number=1)


@pytest.fixture
def habits(marketplace):
    m = marketplace
    for k in range(6):
        _buy(m.shop_a, m.product_1, 6 + 7 * k)
        _buy(m.shop_b, m.product_1, 4 + 5 * k)
    return m


def test_each_rep_gets_its_own_call_list_from_the_cache(habits):
    for _ in range(2):
        mine = _client(habits.rep_a).get(CALL_LIST).json()
        theirs = _client(habits.rep_b).get(CALL_LIST).json()
        assert [e["retailer_id"] for e in mine["entries"]] == [habits.shop_a.pk]
        assert [e["retailer_id"] for e in theirs["entries"]] == [habits.shop_b.pk]


def test_a_recorded_call_shows_on_the_cached_call_list_at_once(habits):
    rep = _client(habits.rep_a)
    assert rep.get(CALL_LIST).json()["entries"][0]["last_outcome"] is None
    assert rep.get(CALL_LIST).json()["entries"][0]["last_outcome"] is None  # cached
    recorded = rep.post(
        "/api/v1/reorder/call-outcomes",
        {"retailer_id": habits.shop_a.pk, "outcome": "not_now", "note": "next week"},
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    last = rep.get(CALL_LIST).json()["entries"][0]["last_outcome"]
    assert last is not None and last["outcome"] == "not_now" and last["note"] == "next week"
