"""The API's throttles count fixed windows in one cache operation: past the rate a 429 in the error shape with a
Retry-After of the window's rest, per user and per scope, and a new window lets the caller in again."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from retailiq.api.throttling import window_hit
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = 1_800_000_000.0  # a window's start for a one-minute rate: 1.8e9 is a multiple of 60


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": NOW + 10}
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: moment["now"])
    return moment


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_past_the_user_rate_a_429_with_the_rest_of_the_window_then_a_new_window(monkeypatch, clock):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {**UserRateThrottle.THROTTLE_RATES, "user": "3/min"})
    api = _client(f.AnalystFactory())
    assert [api.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == "50"  # 10 s into a one-minute window
    # Another user has a count of its own.
    assert _client(f.AnalystFactory()).get("/api/v1/me/").status_code == 200
    clock["now"] = NOW + 60  # the next window
    assert api.get("/api/v1/me/").status_code == 200


def test_a_scope_counts_apart_from_the_user_rate(monkeypatch, clock):
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "model_admin": "1/min"}
    )
    api = _client(f.AnalystFactory())
    rollback = {"capability": "forecasting"}
    assert api.post("/api/v1/models/rollback/", rollback, format="json").status_code != 429
    assert api.post("/api/v1/models/rollback/", rollback, format="json").status_code == 429
    assert api.get("/api/v1/me/").status_code == 200  # the user rate is not spent


def test_a_window_counts_every_hit_and_expires():
    key = "throttle-test:window"
    assert [window_hit(key, 60) for _ in range(4)] == [1, 2, 3, 4]
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        assert 0 < cache._cache.get_client(full_key).ttl(full_key) <= 60
