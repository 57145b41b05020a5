"""Job rows: claimed by compare-and-set, kept alive by a heartbeat, cancelled by a flag.

Celery on Redis delivers at least once. A task whose worker is killed is delivered
again (acks_late + reject_on_worker_lost), possibly while the first run's row still
looks alive; a run is only taken over once its heartbeat has stopped for a while."""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from retailiq.core.heartbeat import row_heartbeat

from ..models import Job, JobState


class JobCancelled(Exception):
    pass


def stale_after() -> dt.timedelta:
    """A running job whose heartbeat is older than this is taken to be dead."""
    return dt.timedelta(seconds=settings.RETAILIQ_JOB_STALE_AFTER_SECONDS)


def job_record(
    *,
    kind: str,
    capability: str,
    idempotency_key: str | None,
    enqueue: Callable[[int], Any] | None,
    **fields: Any,
) -> Job:
    """Record a job in the caller's transaction and enqueue its task once that commits.
    The same idempotency key returns the job already recorded and enqueues nothing."""
    key = idempotency_key or f"{kind}:{capability}:{fields.get('segment', '')}:{uuid.uuid4()}"
    with transaction.atomic():
        job, created = Job.objects.get_or_create(
            idempotency_key=key, defaults={"kind": kind, "capability": capability, **fields}
        )
        if created and enqueue is not None:
            transaction.on_commit(lambda: enqueue(job.pk))
    return job


def job_claim(*, job_id: int, worker: str) -> bool:
    """Compare-and-set: only one delivery of a task gets to run the job."""
    now = timezone.now()
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, heartbeat_at__lt=now - stale_after())
    claimed = Job.objects.filter(claimable, pk=job_id, cancel_requested=False).update(
        state=JobState.RUNNING, claimed_by=worker[:200], started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def job_held_elsewhere(*, job_id: int) -> bool:
    """True while another live run holds the job (the caller should try again later)."""
    return Job.objects.filter(
        pk=job_id, state=JobState.RUNNING, heartbeat_at__gte=timezone.now() - stale_after()
    ).exists()


def job_progress(*, job_id: int, stage: str, percent: int, message: str = "") -> None:
    updated = Job.objects.filter(pk=job_id, cancel_requested=False).update(
        stage=stage[:64], percent=max(0, min(percent, 100)), message=message[:500], heartbeat_at=timezone.now()
    )
    if not updated:
        raise JobCancelled


def job_cancel(*, job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(state=JobState.CANCELLED, finished_at=timezone.now())


def job_finish(job_id: int, state: JobState, **fields: Any) -> None:
    Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(state=state, finished_at=timezone.now(), **fields)


@contextmanager
def job_heartbeat(job_id: int) -> Iterator[None]:
    """Touch the job row while the work runs; a killed worker stops beating."""
    rows = Job.objects.filter(pk=job_id, state=JobState.RUNNING)
    with row_heartbeat(rows, interval=settings.RETAILIQ_JOB_HEARTBEAT_SECONDS, name=f"job-{job_id}-heartbeat"):
        yield
