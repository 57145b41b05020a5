"""A real Celery worker process for tests that go through the broker, sharing the
test's PostgreSQL database (SQLite cannot be shared with another process)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


@contextmanager
def celery_worker_process(
    *, redis_url: str, log_path: Path, queue: str, pool: str, name: str, extra_env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share with the test: PostgreSQL")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retailiq.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_url,
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "retailiq", "worker", "-Q", queue, "--pool", pool]
    if pool == "prefork":
        command += ["--concurrency", "1"]
    command += ["--hostname", f"{name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until(predicate, seconds: float, what: str, *, every: float = 0.1) -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")
