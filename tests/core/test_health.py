import pytest
from celery.contrib.testing.worker import start_worker

from retailiq.celery import app
from retailiq.core.health import run_checks


def test_health_endpoint_reports_database_and_cache(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert {c["name"] for c in body["checks"]} == {"database", "cache"}


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
