"""Readiness checks for the web process, its database, its cache and the Celery
worker. Used by /healthz and docker-compose health checks."""

import time
from dataclasses import dataclass

from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.cache import cache
from django.db import connection

from .tasks import worker_ping


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str
    millis: float


def _timed(name: str, probe) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = probe()
        ok = True
    except Exception as exc:  # a health check reports every failure, it never raises
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return CheckResult(name, ok, detail, round((time.perf_counter() - started) * 1000, 1))


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache() -> str:
    cache.set("healthcheck", "ok", 10)
    if cache.get("healthcheck") != "ok":
        raise RuntimeError("cache did not return what was stored")
    return type(cache).__name__


def _broker() -> str:
    from retailiq.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        return conn.transport.driver_type


def _worker(timeout: float) -> str:
    try:
        return worker_ping.delay().get(timeout=timeout)
    except CeleryTimeout as exc:
        raise RuntimeError(f"no worker answered within {timeout:.0f}s") from exc


def run_checks(
    *, include_worker: bool = False, include_broker: bool = False, worker_timeout: float = 10.0
) -> list[CheckResult]:
    results = [_timed("database", _database), _timed("cache", _cache)]
    if include_broker:
        results.append(_timed("broker", _broker))
    if include_worker:
        results.append(_timed("worker", lambda: _worker(worker_timeout)))
    return results
