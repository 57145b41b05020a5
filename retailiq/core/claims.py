"""Claimable work: the services every long-running row (`ClaimableWork`) goes through.

Celery on Redis delivers at least once. A task whose worker is killed is delivered
again (acks_late + reject_on_worker_lost), possibly while the first run's row still
looks alive; a run is only taken over once its heartbeat has stopped for a while.

    if work_held_elsewhere(Model, pk=pk):       # another live run has it: retry later
        raise task.retry(countdown=stale_after().total_seconds())
    if work_claim(Model, pk=pk, worker=worker_name(task)):
        with work_heartbeat(Model, pk=pk):
            ... work_progress(Model, pk=pk, stage=..., percent=...) ...
            work_finish(Model, pk=pk, state=...)
"""

import contextlib
import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import ClaimableWork
from .retries import DATABASE_ERRORS

Work = type[ClaimableWork]


class WorkCancelled(Exception):
    """The work is no longer wanted (cancelled, or its row is gone): stop at this step."""


def stale_after() -> dt.timedelta:
    """A running row whose heartbeat is older than this is taken to be dead."""
    return dt.timedelta(seconds=settings.RETAILIQ_JOB_STALE_AFTER_SECONDS)


def worker_name(task: Any) -> str:
    """Host, process and delivery: enough for an operator to find the process holding a row."""
    return f"{task.request.hostname or 'worker'}:{os.getpid()}:{task.request.id}"


def work_claim(model: Work, *, pk: int, worker: str, **fields: Any) -> bool:
    """Compare-and-set: only one delivery gets to run the work, a queued row or a running
    one whose worker died. `fields` are set with the claim (a first stage, say)."""
    now = timezone.now()
    claimable = Q(state=model.QUEUED) | Q(state=model.RUNNING, heartbeat_at__lt=now - stale_after())
    claimed = model.objects.filter(claimable, model.still_wanted(), pk=pk).update(
        state=model.RUNNING,
        claimed_by=worker[:200],
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        **fields,
    )
    return claimed == 1


def work_quiet(model: Work, *, quiet_for: dt.timedelta) -> QuerySet:
    """Rows still wanted, queued or running, with no sign of life for `quiet_for`: their task message may have been
    lost (a broker back without its data forgets both what was queued and what a dead worker held). A row's
    `heartbeat_at` is set when it is queued, claimed and while it runs. Sending such a row's task again is safe
    whether or not the message was lost: a delivery claims the row first."""
    cutoff = timezone.now() - quiet_for
    return model.objects.filter(
        model.still_wanted(), state__in=[model.QUEUED, model.RUNNING], heartbeat_at__lt=cutoff
    ).order_by("pk")


def work_held_elsewhere(model: Work, *, pk: int) -> bool:
    """True while another live run holds the work (the caller should try again later)."""
    return model.objects.filter(pk=pk, state=model.RUNNING, heartbeat_at__gte=timezone.now() - stale_after()).exists()


def work_progress(model: Work, *, pk: int, **fields: Any) -> None:
    """Record how far the work is (stage, percent, message, counts) and beat. Raises
    WorkCancelled once the work is no longer wanted."""
    if "stage" in fields:
        fields["stage"] = fields["stage"][:64]
    if "message" in fields:
        fields["message"] = fields["message"][:500]
    if "percent" in fields:
        fields["percent"] = max(0, min(fields["percent"], 100))
    updated = model.objects.filter(model.still_wanted(), pk=pk).update(heartbeat_at=timezone.now(), **fields)
    if not updated:
        raise WorkCancelled


def work_finish(model: Work, *, pk: int, state: str, **fields: Any) -> None:
    """End a running row in `state`; a row another run already finished is left as it is."""
    model.objects.filter(pk=pk, state=model.RUNNING).update(state=state, finished_at=timezone.now(), **fields)


@contextmanager
def work_heartbeat(model: Work, *, pk: int) -> Iterator[None]:
    """Touch the row while the work runs, so a long step with no progress report is not
    mistaken for a dead worker; a killed worker stops beating."""
    rows = model.objects.filter(pk=pk, state=model.RUNNING)
    name = f"{model._meta.model_name}-{pk}-heartbeat"
    with _row_heartbeat(rows, interval=settings.RETAILIQ_JOB_HEARTBEAT_SECONDS, name=name):
        yield


@contextmanager
def _row_heartbeat(rows: QuerySet, *, interval: float, name: str) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    rows.update(heartbeat_at=timezone.now())
                except DATABASE_ERRORS:
                    # The database is away for a moment: a missed beat is not a dead worker. Drop the broken
                    # connection and beat on a fresh one once it is back.
                    with contextlib.suppress(*DATABASE_ERRORS):
                        connection.close()
        finally:
            with contextlib.suppress(*DATABASE_ERRORS):
                connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
