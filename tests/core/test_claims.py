"""A running row's heartbeat rides out a database that is away for a moment instead of stopping for good, which
would make a live run look dead and let another delivery take it over."""

import threading

from django.db import OperationalError

from retailiq.core.claims import _row_heartbeat


class FlakyRows:
    """Stands in for the queryset the heartbeat touches: the first two beats meet a database that is away."""

    def __init__(self) -> None:
        self.calls = 0
        self.beats = 0
        self.enough = threading.Event()

    def update(self, **fields) -> int:
        self.calls += 1
        if self.calls <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        self.beats += 1
        if self.beats >= 2:
            self.enough.set()
        return 1


def test_the_heartbeat_beats_again_once_the_database_is_back():
    rows = FlakyRows()
    with _row_heartbeat(rows, interval=0.01, name="test-heartbeat"):
        assert rows.enough.wait(timeout=10), f"{rows.beats} beats after {rows.calls} tries"
    assert rows.calls >= 4
