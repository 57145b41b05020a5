"""A throwaway redis-server on 127.0.0.1 (its own port, never the shared one) that a test may stop and start
again, and the switch that makes it this process's broker."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from retailiq.celery import app

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throwaway redis-server on 127.0.0.1 that a test may stop and start again on the same port."""

    def __init__(self, workdir, *, persistent: bool = False) -> None:
        self.port = _free_port()
        self.workdir = workdir
        # As the compose file runs it (append-only file): a stop and start keeps what was queued.
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(self.workdir),
        ]
        command += ["--appendonly", "yes" if self.persistent else "no"]
        self.process = subprocess.Popen(command, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(self._answers, 10, "the private Redis to start")

    def stop(self) -> None:
        """SIGTERM, as `docker stop` sends: with the append-only file on, what was queued is on disk."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


def wait_until(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


@contextmanager
def broker_of_this_process(url: str) -> Iterator[None]:
    """Point this process's Celery app (what enqueues and what the health check asks) at ``url``: its connection
    and producer pools are made afresh from the new URL, and again from the old one afterwards."""
    saved = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url = saved
        app._pool = app.amqp._producer_pool = None
