"""Guessing passwords and tokens is slowed down: a locked-out sign-in (django-axes), bad tokens
throttled per address before they are looked up, tokens that expire and rotate with the password."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db


def _address() -> str:
    """A fresh client address per test: counters live in the shared cache."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _sign_in(client, username: str, password: str, address: str):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_username_out_with_a_clear_message(client, settings):
    user = f.AnalystFactory(username="asha")
    user.set_password("right-password")
    user.save()
    address = _address()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "asha", "wrong", address).status_code == 200

    locked = _sign_in(client, "asha", "wrong", address)
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    assert "paused for 15 minutes" in locked.content.decode()
    # Locked out even with the right password, until the cool-off ends.
    assert _sign_in(client, "asha", "right-password", address).status_code == 429
    # Another username from the same address is not.
    other = f.AnalystFactory(username="bala")
    other.set_password("pw-bala")
    other.save()
    assert _sign_in(client, "bala", "pw-bala", address).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, settings):
    user = f.AnalystFactory(username="chitra")
    user.set_password("pw")
    user.save()
    address = _address()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "chitra", "wrong", address)
    assert _sign_in(client, "chitra", "pw", address).status_code == 302
    client.logout()
    assert _sign_in(client, "chitra", "wrong", address).status_code == 200


def test_bad_tokens_are_throttled_per_address_before_they_are_looked_up(settings):
    api = APIClient()
    address = _address()
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["bad_token"].split("/")[0])
    for _ in range(limit):
        response = api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope", REMOTE_ADDR=address)
        assert response.status_code in (401, 403)
    throttled = api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token nope", REMOTE_ADDR=address)
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert throttled.json()["error"]["message"].startswith("Too many calls with a bad token")
    # A good token from another address is unaffected.
    token = Token.objects.create(user=f.AnalystFactory())
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR=_address()).status_code == 200


def test_an_expired_token_is_refused(settings):
    settings.RETAILIQ_API_TOKEN_MAX_AGE_DAYS = 30
    token = Token.objects.create(user=f.AnalystFactory())
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=31))

    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}", REMOTE_ADDR=_address())
    assert response.status_code in (401, 403) and "older than 30 days" in response.json()["error"]["message"]


def test_a_password_change_rotates_the_token():
    user = f.AnalystFactory()
    old = Token.objects.create(user=user).key
    user.set_password("a new password")
    user.save()

    new = Token.objects.get(user=user).key
    assert new != old
    api = APIClient()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old}", REMOTE_ADDR=_address()).status_code in (401, 403)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {new}", REMOTE_ADDR=_address()).status_code == 200


def test_a_sign_in_without_a_request_still_checks_the_password():
    from django.contrib.auth import authenticate

    user = f.AnalystFactory(username="dev")
    user.set_password("pw")
    user.save()
    assert authenticate(username="dev", password="pw") == user
    assert authenticate(username="dev", password="wrong") is None
