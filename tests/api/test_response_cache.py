"""Whole answers cached for the hot read endpoints (retailiq/api/response_cache.py): a second caller asking the very
same URL never receives the first one's body, whoever asked first; a repeated request asks the database nothing;
whatever a cached call list depends on (a recorded call, a shop reassigned, a new batch of predictions) shows at
once."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reorder.services.batch import predictions_write
from retailiq.registry.models import ModelStatus, ModelVersion
from tests import factories as f
from tests.reorder.test_services_call_list import _row

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


@pytest.mark.parametrize(("url", "login"), [(SALES_LINES, "vendor_user_1"), (CALL_LIST, "rep_a")])
def test_a_repeated_request_asks_the_database_nothing(habits, url, login, django_assert_num_queries):
    client = _client(getattr(habits, login))
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == first.content


def test_a_shop_reassigned_moves_between_the_cached_call_lists_at_once(habits):
    rep_a, rep_b = _client(habits.rep_a), _client(habits.rep_b)
    assert [e["retailer_id"] for e in rep_a.get(CALL_LIST).json()["entries"]] == [habits.shop_a.pk]
    assert [e["retailer_id"] for e in rep_b.get(CALL_LIST).json()["entries"]] == [habits.shop_b.pk]
    habits.shop_a.assigned_rep = habits.rep_b
    habits.shop_a.save()
    assert rep_a.get(CALL_LIST).json()["entries"] == []
    assert {e["retailer_id"] for e in rep_b.get(CALL_LIST).json()["entries"]} == {habits.shop_a.pk, habits.shop_b.pk}


def test_a_new_batch_of_predictions_shows_on_the_cached_call_list_at_once(habits):
    rep = _client(habits.rep_a)
    before = rep.get(CALL_LIST).json()
    assert before["model_version"] is None and rep.get(CALL_LIST).json() == before  # the baseline, cached
    version = ModelVersion.objects.create(capability="reorder", algorithm="retailiq_ensemble", status=ModelStatus.READY)
    as_of = timezone.localdate()
    row = _row(habits.shop_a.pk, habits.product_2.pk, as_of, {"7": 0.6, "14": 0.9, "30": 0.95}, value=1000.0)
    predictions_write(model_version_id=version.pk, rows=pd.DataFrame([row]))
    after = rep.get(CALL_LIST).json()
    assert after["model_version"] == version.pk
    assert [p["product_id"] for p in after["entries"][0]["products"]] == [habits.product_2.pk]


def test_a_product_moved_to_another_vendor_leaves_the_first_vendors_cached_lists_at_once(habits):
    first, second = _client(habits.vendor_user_1), _client(habits.vendor_user_2)
    assert _products(first.get(SALES_LINES).json()) == {habits.product_1.pk}
    assert habits.product_1.pk not in _products(second.get(SALES_LINES).json())
    habits.product_1.vendor = habits.vendor_user_2.vendor
    habits.product_1.save()
    assert first.get(SALES_LINES).json()["count"] == 0
    assert habits.product_1.pk in _products(second.get(SALES_LINES).json())
