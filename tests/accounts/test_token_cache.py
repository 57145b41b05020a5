"""A good API token is remembered for a few seconds (no query for the token or its user), and forgotten the moment
anything that would change the answer happens: the token deleted or rotated, its user deactivated, changed or
deleted."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from retailiq.accounts.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)  # the forgetting also runs on commit, as in production


def _me(key: str):
    address = f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"  # bad-token counts are per address
    return APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR=address)


def _token_queries(key: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert _me(key).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "authtoken_token" in q["sql"]]


def test_a_good_token_is_looked_up_once_then_remembered():
    token = Token.objects.create(user=f.AnalystFactory())
    assert _token_queries(token.key)  # the first call reads it
    assert _token_queries(token.key) == []  # the next ones do not


def test_a_deleted_token_is_refused_at_once():
    token = Token.objects.create(user=f.AnalystFactory())
    assert _me(token.key).status_code == 200
    token.delete()
    assert _me(token.key).status_code in (401, 403)


def test_a_rotated_token_is_refused_at_once_and_the_new_one_works():
    user = f.AnalystFactory()
    old = Token.objects.create(user=user).key
    assert _me(old).status_code == 200
    user.set_password("another password")
    user.save()
    assert _me(old).status_code in (401, 403)
    assert _me(Token.objects.get(user=user).key).status_code == 200


def test_a_deactivated_user_is_refused_at_once():
    user = f.AnalystFactory()
    token = Token.objects.create(user=user)
    assert _me(token.key).status_code == 200
    user.is_active = False
    user.save()
    assert _me(token.key).status_code in (401, 403)


def test_a_changed_role_shows_at_once():
    user = f.AnalystFactory()
    token = Token.objects.create(user=user)
    assert _me(token.key).json()["role"] == Role.ANALYST
    user.role = Role.SALES_REP
    user.save()
    assert _me(token.key).json()["role"] == Role.SALES_REP


def test_a_deleted_user_is_refused_at_once():
    user = f.AnalystFactory()
    token = Token.objects.create(user=user)
    assert _me(token.key).status_code == 200
    user.delete()
    assert _me(token.key).status_code in (401, 403)


def test_a_sign_in_does_not_forget_the_token(client):
    user = f.AnalystFactory()
    user.set_password("pw")
    user.save()
    token = Token.objects.create(user=user)
    assert _me(token.key).status_code == 200
    client.force_login(user)  # saves last_login only
    assert _token_queries(token.key) == []
