"""Job rows: recorded with their task, claimed, kept alive and finished through the
claimable-work services (retailiq.core.claims), cancelled by a flag."""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from retailiq.core.claims import (
    WorkCancelled,
    stale_after,
    work_claim,
    work_finish,
    work_heartbeat,
    work_held_elsewhere,
    work_progress,
    work_quiet,
)
from retailiq.core.outages import unavailable_service

from ..models import Job, JobKind, JobState

JobCancelled = WorkCancelled

__all__ = [
    "JobCancelled",
    "job_cancel",
    "job_claim",
    "job_finish",
    "job_heartbeat",
    "job_held_elsewhere",
    "job_progress",
    "job_record",
    "jobs_to_resend",
    "stale_after",
]


def job_record(
    *,
    kind: str,
    capability: str,
    idempotency_key: str | None,
    enqueue: Callable[[int], Any] | None,
    retry_cancelled: bool = False,
    **fields: Any,
) -> Job:
    """Record a job in the caller's transaction and enqueue its task once that commits.
    The same idempotency key, for the same kind and capability, returns the job already
    recorded and enqueues nothing; with `retry_cancelled` (a schedule's slot) a cancelled
    job under the key is run again as a new job."""
    key = idempotency_key or f"{kind}:{capability}:{fields.get('segment', '')}:{uuid.uuid4()}"
    same_key = Job.objects.filter(kind=kind, capability=capability, idempotency_key=key)
    with transaction.atomic():
        found = same_key.exclude(state=JobState.CANCELLED).first()
        if found is None and not retry_cancelled:
            found = same_key.order_by("-pk").first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                # The heartbeat says when it was queued, until a worker claims it (see jobs_to_resend).
                job = Job.objects.create(
                    kind=kind, capability=capability, idempotency_key=key, heartbeat_at=timezone.now(), **fields
                )
        except IntegrityError:  # recorded meanwhile by a concurrent request with the same key
            return same_key.exclude(state=JobState.CANCELLED).get()
        if enqueue is not None:
            transaction.on_commit(lambda: _enqueue_or_fail(enqueue, job.pk))
    return job


def _enqueue_or_fail(enqueue: Callable[[int], Any], job_id: int) -> None:
    """A job whose message never reached the broker would wait as queued forever: it is recorded as failed,
    saying why, and the error goes on up (the API answers 503 naming the broker)."""
    try:
        enqueue(job_id)
    except Exception as exc:
        if unavailable_service(exc) != "broker":
            raise
        Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.FAILED,
            finished_at=timezone.now(),
            error="The task queue was unavailable, so the job was never queued; ask again.",
        )
        raise


def jobs_to_resend(*, kind: str, quiet_for: dt.timedelta) -> list[int]:
    """Training or scoring jobs whose task message the broker may have lost: queued or running, and quiet for
    `quiet_for` (see work_quiet). A scoring job already planned into chunks is left to its chunks' own sweep
    (scoring_chunks_to_resend)."""
    quiet = work_quiet(Job, quiet_for=quiet_for).filter(kind=kind)
    if kind == JobKind.SCORE:
        quiet = quiet.filter(chunks__isnull=True)
    return list(quiet.values_list("pk", flat=True))


def job_claim(*, job_id: int, worker: str) -> bool:
    """Only one delivery of a task gets to run the job; a cancelled job is never claimed."""
    return work_claim(Job, pk=job_id, worker=worker)


def job_held_elsewhere(*, job_id: int) -> bool:
    return work_held_elsewhere(Job, pk=job_id)


def job_progress(*, job_id: int, stage: str, percent: int, message: str = "") -> None:
    """Raises JobCancelled once a cancel was asked for."""
    work_progress(Job, pk=job_id, stage=stage, percent=percent, message=message)


def job_cancel(*, job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(state=JobState.CANCELLED, finished_at=timezone.now())


def job_finish(job_id: int, state: JobState, **fields: Any) -> None:
    work_finish(Job, pk=job_id, state=state, **fields)


@contextmanager
def job_heartbeat(job_id: int) -> Iterator[None]:
    with work_heartbeat(Job, pk=job_id):
        yield
