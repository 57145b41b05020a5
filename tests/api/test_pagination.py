"""API pages are capped, with the cap in the schema, and a bad limit or offset is a 400 naming it."""

import pytest
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_api():
    api = APIClient()
    api.force_authenticate(f.AnalystFactory())
    return api


def test_a_huge_limit_is_capped(analyst_api, settings):
    settings.RETAILIQ_API_MAX_PAGE_SIZE = 2
    for _ in range(3):
        f.OrderLineFactory()

    body = analyst_api.get("/api/v1/sales-lines/?limit=1000000").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=-5", "limit"),
        ("limit=" + "9" * 30, "limit"),
        ("offset=-1", "offset"),
        ("offset=" + "9" * 30, "offset"),
        ("offset=1.5", "offset"),
        ("limit=%D9%A3", "limit"),
    ],
)
def test_a_bad_limit_or_offset_is_a_400_naming_it(analyst_api, query, field):
    response = analyst_api.get(f"/api/v1/orders/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_the_cap_is_in_the_schema(analyst_api, settings):
    schema = analyst_api.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/sales-lines/"]["get"]["parameters"]}
    assert parameters["limit"]["schema"]["maximum"] == settings.RETAILIQ_API_MAX_PAGE_SIZE


def test_sales_lines_are_counted_once_per_data_version(analyst_api):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        f.OrderLineFactory()

    def page(offset: int) -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as captured:
            body = analyst_api.get(f"/api/v1/sales-lines/?limit=1&offset={offset}").json()
        return body, sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)

    first, counted = page(0)
    assert first["count"] == 3 and counted == 1
    second, counted = page(1)
    assert second["count"] == 3 and counted == 0 and second["results"] != first["results"]
    f.OrderLineFactory()  # a new order moves the data version (read afresh once its short memo is gone)
    cache.delete("dashboards:data-version")
    after, counted = page(0)
    assert after["count"] == 4 and counted == 1
