"""Keep a long-running row alive while its work runs.

A side thread touches the row's `heartbeat_at` so a long step with no progress report
is not mistaken for a dead worker; a killed worker stops beating, and a redelivered task
may then take the row over."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone


@contextmanager
def row_heartbeat(rows: QuerySet, *, interval: float, name: str) -> Iterator[None]:
    """`rows` selects the row(s) to touch, filtered to the states that still run."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                rows.update(heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
