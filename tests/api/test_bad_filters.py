"""Filters the database cannot hold answer 400 naming the parameter, on both databases."""

import pytest
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db
HUGE = "1" + "0" * 30


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(f.AnalystFactory())
    return client


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/orders/?placed_after=2026-01-01T00:00:00%2B20:00", "placed_after"),
        ("/api/v1/orders/?placed_before=2026-01-01T00:00:00-16:30", "placed_before"),
        ("/api/v1/reorder/call-outcomes?called_at__gte=2026-01-01T00:00:00-16:30", "called_at__gte"),
        ("/api/v1/orders/?placed_after=9999-12-31T23:59:59-15:59", "placed_after"),
        ("/api/v1/orders/?placed_before=0001-01-01T00:00:00%2B10:00", "placed_before"),
        ("/api/v1/reorder/call-outcomes?called_at__gte=9999-12-31T23:00:00-05:00", "called_at__gte"),
        (f"/api/v1/reorder/call-outcomes?retailer={HUGE}", "retailer"),
        (f"/api/v1/products/?category={HUGE}", "category"),
        ("/api/v1/products/?category=abc", "category"),
        (f"/api/v1/reorder/predictions?retailer={HUGE}", "retailer"),
        (f"/api/v1/reorder/predictions?retailer=1&product={HUGE}", "product"),
        (f"/api/v1/reorder/call-list?rep={HUGE}", "rep"),
        (f"/api/v1/reorder/call-list?category={HUGE}", "category"),
        (f"/api/v1/models/compare/?first={HUGE}&second=1", "first"),
        ("/api/v1/sales-lines/?on_promotion=banana", "on_promotion"),
        ("/api/v1/reorder/predictions?retailer=1&min_probability=nan", "min_probability"),
        ("/api/v1/reorder/predictions?retailer=1&min_probability=-inf", "min_probability"),
    ],
)
def test_filters_beyond_the_database_are_a_400_naming_the_parameter(api, url, field):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "body, field",
    [({"retailer_id": int(HUGE)}, "retailer_id"), ({"retailer_id": 1, "product_ids": [int(HUGE)]}, "product_ids")],
)
def test_ids_beyond_a_64_bit_integer_in_a_body_are_a_400_naming_the_field(api, body, field):
    response = api.post("/api/v1/predictions/reorder", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True", ""])
def test_yes_or_no_filters_still_filter(api, value):
    assert api.get("/api/v1/sales-lines/", {"on_promotion": value}).status_code == 200


def test_offsets_within_the_range_still_filter(api):
    assert api.get("/api/v1/orders/?placed_after=2026-01-01T00:00:00%2B05:30").status_code == 200


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/reorder/call-list?limit=abc", "limit"),
        ("/api/v1/reorder/call-list?limit=10", "limit"),
        ("/api/v1/reorder/call-list?offset=5", "offset"),
        ("/api/v1/models/performance/?limit=abc", "limit"),
        ("/api/v1/models/performance/?capability=forecasting&page=2", "page"),
    ],
)
def test_a_parameter_an_endpoint_does_not_take_is_a_400_naming_it(api, url, field):
    response = api.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_the_parameters_an_endpoint_takes_still_work(api):
    assert api.get("/api/v1/models/performance/", {"capability": "forecasting"}).status_code == 200
    assert api.get("/api/v1/reorder/call-list", {"capacity": 5, "format": "json"}).status_code == 200
