"""How fast a batch reads its file and how long it has left, from its counters: the
share of bytes read so far against the time since it started."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .models import ImportBatch, ImportState


@dataclass(frozen=True)
class ImportPace:
    elapsed_seconds: float | None
    lines_per_second: float | None
    seconds_left: float | None

    @property
    def time_left(self) -> str:
        return duration_text(self.seconds_left) if self.seconds_left is not None else ""

    @property
    def elapsed(self) -> str:
        return duration_text(self.elapsed_seconds) if self.elapsed_seconds is not None else ""


def import_pace(batch: ImportBatch, *, now: dt.datetime | None = None) -> ImportPace:
    if batch.started_at is None:
        return ImportPace(None, None, None)
    end = batch.finished_at or now or timezone.now()
    elapsed = max((end - batch.started_at).total_seconds(), 0.0)
    rate = batch.lines_read / elapsed if elapsed > 0 and batch.lines_read else None
    left = None
    if batch.state == ImportState.RUNNING and batch.bytes_read and batch.size_bytes and elapsed > 0:
        remaining = max(batch.size_bytes - batch.bytes_read, 0)
        left = elapsed * remaining / batch.bytes_read
    return ImportPace(elapsed, rate, left)


def duration_text(seconds: float) -> str:
    """'under 1 s', '45 s', '3 min 20 s', '1 h 05 min'."""
    if seconds < 1:
        return "under 1 s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
