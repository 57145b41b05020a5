"""A database, cache or broker outage met while answering: 503 naming the service, with Retry-After, in the API's
JSON error shape and as a page of its own, never the 500 page and never the driver's message (hosts, roles)."""

from unittest import mock

import pytest
import redis
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError
from rest_framework.test import APIClient

from retailiq.core.outages import unavailable_service

pytestmark = pytest.mark.django_db

DRIVER_MESSAGE = 'connection to server at "10.0.0.5", port 5432 failed: role "retailiq" does not exist'


@pytest.mark.parametrize(
    ("exc", "service"),
    [
        (OperationalError(DRIVER_MESSAGE), "database"),
        (redis.exceptions.ConnectionError("Error 111 connecting to 10.0.0.6:6379"), "cache"),
        (BrokerError("[Errno 111] Connection refused"), "broker"),
        (ValueError("no"), None),
    ],
)
def test_each_outage_names_its_service(exc, service):
    assert unavailable_service(exc) == service


@pytest.mark.parametrize(
    ("exc", "code"),
    [(OperationalError(DRIVER_MESSAGE), "database_unavailable"), (BrokerError("x"), "broker_unavailable")],
)
def test_the_api_answers_503_with_the_reason(marketplace, exc, code):
    client = APIClient()
    client.force_authenticate(marketplace.vendor_user_1)
    with mock.patch("retailiq.catalog.api.product_list_for_user", side_effect=exc):
        response = client.get("/api/v1/products/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    error = response.json()["error"]
    assert error["code"] == code and "unavailable" in error["message"] and "10.0.0.5" not in error["message"]


def test_a_page_says_the_database_is_unavailable(marketplace, client):
    client.force_login(marketplace.retailer_user_a)
    with mock.patch("retailiq.dashboards.views.retailer.home_panels", side_effect=OperationalError(DRIVER_MESSAGE)):
        response = client.get("/retailer/")
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "the database is unavailable" in body and "Try again" in body and "10.0.0.5" not in body


def test_other_errors_stay_500(marketplace, client):
    client.raise_request_exception = False
    client.force_login(marketplace.retailer_user_a)
    with mock.patch("retailiq.dashboards.views.retailer.home_panels", side_effect=ValueError("bug")):
        response = client.get("/retailer/")
    assert response.status_code == 500
