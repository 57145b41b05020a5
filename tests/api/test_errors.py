"""API errors are JSON in the one shape, even a bug's, and a body nested too deeply is a 400."""

import pytest
from rest_framework.test import APIClient

from retailiq.accounts.api import MeApi
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(f.AnalystFactory())
    return client


def test_a_deeply_nested_body_is_a_400(api):
    body = "[" * 100_000 + "]" * 100_000
    response = api.post("/api/v1/models/train/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]["message"]


def test_a_bug_answers_500_in_the_json_shape_without_details(api, monkeypatch):
    def broken(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(MeApi, "get", broken)
    response = api.get("/api/v1/me/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
    assert "secret" not in response.content.decode()


def test_an_address_no_endpoint_answers_is_the_json_404_and_names_a_missing_slash(db):
    client = APIClient()
    client.force_authenticate(f.AnalystFactory())
    for method in (client.get, client.post):
        response = method("/api/v1/no-such-thing/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert "/api/v1/me/" in client.get("/api/v1/me").json()["error"]["message"]
