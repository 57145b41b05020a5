import threading
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError

from retailiq.celery import app
from retailiq.core import health as health_module
from retailiq.core.health import deep_checks, forget_deep_checks, run_checks
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_memo():
    forget_deep_checks()
    yield
    forget_deep_checks()


def test_anonymous_liveness_answers_from_the_process_without_a_query(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"ok": True, "checks": []}


@pytest.mark.parametrize("query", ["deep=1", "worker=1"])
def test_anonymous_deep_checks_are_refused_without_queueing_a_ping(db, client, query):
    with mock.patch.object(health_module.worker_ping, "apply_async") as ping:
        response = client.get(f"/healthz?{query}")
    assert response.status_code == 403 and "health token" in response.json()["detail"]
    ping.assert_not_called()


def test_deep_checks_for_staff_and_the_health_token(db, client, settings):
    settings.RETAILIQ_HEALTH_TOKEN = "s3cret"
    response = client.get("/healthz?deep=1", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 200
    assert {c["name"] for c in response.json()["checks"]} == {"database", "cache"}
    assert client.get("/healthz?deep=1", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403

    client.force_login(f.AnalystFactory())
    assert client.get("/healthz?deep=1").status_code == 200
    client.force_login(f.RetailerUserFactory())
    assert client.get("/healthz?deep=1").status_code == 403


def test_deep_checks_are_remembered_for_a_few_seconds(db, settings):
    settings.RETAILIQ_HEALTH_CACHE_SECONDS = 60
    with mock.patch.object(health_module, "run_checks", wraps=run_checks) as checks:
        for _ in range(5):
            deep_checks(include_worker=False)
    assert checks.call_count == 1


def test_only_one_worker_ping_is_in_flight_however_many_ask(db, settings):
    settings.RETAILIQ_HEALTH_CACHE_SECONDS = 0
    started, release = threading.Event(), threading.Event()

    class SlowResult:
        def get(self, timeout):
            started.set()
            release.wait(5)
            return "pong"

    with mock.patch.object(health_module.worker_ping, "apply_async", return_value=SlowResult()) as ping:
        first = threading.Thread(target=lambda: health_module._timed("worker", lambda: health_module._worker(2)))
        first.start()
        started.wait(5)
        second = health_module._timed("worker", lambda: health_module._worker(2))
        release.set()
        first.join(5)
    assert ping.call_count == 1
    assert not second.ok and "another health check" in second.detail
    assert ping.call_args.kwargs["expires"] == 2


def test_a_failing_database_is_named_without_its_connection_details(db, client, settings):
    settings.RETAILIQ_HEALTH_TOKEN = "s3cret"
    refused = OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: role "retailiq"')
    with mock.patch.object(health_module, "_database", side_effect=refused):
        response = client.get("/healthz?deep=1", HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 503
    database = next(c for c in response.json()["checks"] if c["name"] == "database")
    assert database == {"name": "database", "ok": False, "detail": "OperationalError", "millis": database["millis"]}
    assert "db.internal" not in response.content.decode()


def test_health_reports_a_missing_worker_instead_of_hanging(db, settings):
    results = {r.name: r for r in run_checks(include_worker=True, worker_timeout=0.5)}
    # No worker consumes in this test; the check must say so within its timeout.
    assert results["worker"].ok is False
    assert "no worker answered" in results["worker"].detail or "Error" in results["worker"].detail


@pytest.mark.services
def test_a_real_worker_on_the_redis_broker_answers(transactional_db, redis_url):
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            results = {r.name: r for r in run_checks(include_worker=True, worker_timeout=20)}
    finally:
        app.conf.broker_url = app.conf.result_backend = None
        from django.conf import settings

        app.config_from_object(settings, namespace="CELERY", force=True)
    assert results["worker"].ok, results["worker"].detail
    assert results["worker"].detail.startswith("pong from ")


def test_a_real_worker_answers_on_the_configured_broker(transactional_db):
    """Embedded mode (filesystem broker) in the SQLite pass, Redis in the PostgreSQL pass."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        results = {r.name: r for r in run_checks(include_worker=True, worker_timeout=20)}
    assert results["worker"].ok, results["worker"].detail
