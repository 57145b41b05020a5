"""Liveness and readiness checks for the web process, its database, its cache, the broker
and the Celery worker. Used by /healthz, /api/v1/health and docker-compose health checks.

Anyone may ask whether the process is alive: that answer costs nothing. The deep checks
(database, cache, broker, a worker's answer) are for the operator's token or staff: they
wait on other machines, so they are remembered for a few seconds and at most one worker
ping is in flight at a time, however many callers ask."""

import contextlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
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


PING_IN_FLIGHT = "health:worker-ping-in-flight"


def _worker(timeout: float) -> str:
    # One ping in flight across every web process; it expires unanswered, so a queue with
    # no worker never fills up with pings.
    try:
        claimed = cache.add(PING_IN_FLIGHT, 1, int(timeout) + 1)
    except Exception:  # the cache being down is the cache check's news, not a reason to ping freely
        claimed = False
    if not claimed:
        raise RuntimeError("another health check is waiting for a worker; ask again in a few seconds")
    try:
        return worker_ping.apply_async(expires=timeout).get(timeout=timeout)
    except CeleryTimeout as exc:
        raise RuntimeError(f"no worker answered within {timeout:.0f}s") from exc
    finally:
        with contextlib.suppress(Exception):
            cache.delete(PING_IN_FLIGHT)


def run_checks(
    *, include_worker: bool = False, include_broker: bool = False, worker_timeout: float = 10.0
) -> list[CheckResult]:
    results = [_timed("database", _database), _timed("cache", _cache)]
    if include_broker:
        results.append(_timed("broker", _broker))
    if include_worker:
        results.append(_timed("worker", lambda: _worker(worker_timeout)))
    return results


_memo: dict[tuple[bool, bool], tuple[float, list[CheckResult]]] = {}
_memo_lock = threading.Lock()


def deep_checks(*, include_worker: bool, include_broker: bool = True, worker_timeout: float = 3.0) -> list[CheckResult]:
    """run_checks(), remembered for RETAILIQ_HEALTH_CACHE_SECONDS; callers in this process
    arriving while one runs wait for it and read its answer instead of running their own."""
    key = (include_worker, include_broker)
    with _memo_lock:
        remembered = _memo.get(key)
        if remembered and remembered[0] > time.monotonic():
            return remembered[1]
        results = run_checks(
            include_worker=include_worker, include_broker=include_broker, worker_timeout=worker_timeout
        )
        _memo[key] = (time.monotonic() + settings.RETAILIQ_HEALTH_CACHE_SECONDS, results)
        return results


def forget_deep_checks() -> None:
    with _memo_lock:
        _memo.clear()


def deep_checks_allowed(request: Any) -> bool:
    """The operator's bearer token (RETAILIQ_HEALTH_TOKEN), or a signed-in analyst or admin."""
    token = settings.RETAILIQ_HEALTH_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and secrets.compare_digest(header[7:], token):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and getattr(user, "sees_everything", False))


def public_checks(results: list[CheckResult]) -> list[dict[str, Any]]:
    """What a check says to staff: name, ok and time; a failure's detail names its exception class only
    (a raw connection error names hosts and roles)."""
    return [
        {"name": r.name, "ok": r.ok, "detail": r.detail if r.ok else r.detail.split(":", 1)[0], "millis": r.millis}
        for r in results
    ]
