"""Thin Celery wrappers around the registry services. Each is safe to deliver twice:
the job (or chunk) row is claimed first, and a run still held by a live worker is
tried again once that worker's heartbeat would have gone stale."""

import datetime as dt
import logging
from typing import Any

from celery import group, shared_task
from django.utils import timezone

from retailiq.core.claims import worker_name
from retailiq.core.retries import DATABASE_ERRORS, DATABASE_RETRIES, RETRY_ON_DATABASE_OUTAGE, database_retry_countdown

from .adapters import adapter_for, registered_capabilities
from .models import JobKind
from .services import jobs, monitoring, scoring, training

logger = logging.getLogger(__name__)

_COMMON = {"bind": True, "acks_late": True, "reject_on_worker_lost": True}


def _retry_later(task, job_id: int):
    # Unbounded on purpose: the run we wait for either finishes (and the retry exits)
    # or stops beating (and the retry takes it over).
    return task.retry(countdown=jobs.stale_after().total_seconds(), max_retries=None)


@shared_task(**_COMMON, **RETRY_ON_DATABASE_OUTAGE)
def train_model(self, job_id: int) -> str:
    """Runs on the `training` queue."""
    worker = worker_name(self)
    if jobs.job_held_elsewhere(job_id=job_id):
        raise _retry_later(self, job_id)
    with jobs.job_heartbeat(job_id):
        return training.training_job_run(job_id=job_id, worker=worker).state


@shared_task(**_COMMON, **RETRY_ON_DATABASE_OUTAGE)
def score_batch(self, job_id: int) -> int:
    """Plan the chunks and fan them out as a group; returns how many were sent."""
    if jobs.job_held_elsewhere(job_id=job_id):
        raise _retry_later(self, job_id)
    numbers = scoring.scoring_job_plan(job_id=job_id, worker=worker_name(self))
    if numbers:
        group(score_chunk.s(job_id, n) for n in numbers).apply_async()
    return len(numbers)


@shared_task(**_COMMON, max_retries=3)
def score_chunk(self, job_id: int, number: int) -> int:
    try:
        written = scoring.scoring_chunk_run(job_id=job_id, number=number)
    except DATABASE_ERRORS as exc:
        countdown = database_retry_countdown(self.request.retries)
        raise self.retry(exc=exc, countdown=countdown, max_retries=DATABASE_RETRIES) from exc
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            scoring.scoring_chunk_give_up(job_id=job_id, number=number, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    if written is None:
        raise _retry_later(self, job_id)
    return written


def _messages_waiting(queue: str) -> int:
    from celery import current_app
    from kombu.exceptions import ChannelError

    with current_app.connection_for_write() as connection:
        try:
            return connection.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # a queue nothing was ever sent to, or one emptied (Redis drops an empty list)
            return 0


def _queue_of(task) -> str:
    return task.app.amqp.router.route({}, task.name)["queue"].name


@shared_task(**_COMMON, **RETRY_ON_DATABASE_OUTAGE)
def resend_lost_chunks(self) -> int:
    """Beat, every few minutes. A broker that comes back without its data (Redis run without its append-only file)
    has lost the messages still queued, and those a dead worker held; their work would wait for ever. While a
    queue holds no message at all, none of the quiet work routed to it can be waiting there, so it is sent again:
    a scoring job's unfinished chunks, training and scoring jobs, the jobs of kinds a capability runs itself (an
    optimization plan) and sales-history imports. Each task claims its row first, so one sent twice runs once.
    Returns how many messages were sent."""
    from retailiq.imports.services import import_batches_to_resend
    from retailiq.imports.tasks import run_import

    quiet_for = jobs.stale_after()
    sent = 0
    if not _messages_waiting(_queue_of(score_chunk)):
        for job_id, number in scoring.scoring_chunks_to_resend(quiet_for=quiet_for):
            logger.warning("Sending chunk %s of scoring job %s again: its job has been quiet.", number, job_id)
            score_chunk.delay(job_id, number)
            sent += 1
    for kind, task in ((JobKind.TRAIN, train_model), (JobKind.SCORE, score_batch), *_capability_job_tasks()):
        if _messages_waiting(_queue_of(task)):
            continue
        for job_id in jobs.jobs_to_resend(kind=kind, quiet_for=quiet_for):
            logger.warning("Sending %s job %s again: it has been quiet.", kind, job_id)
            task.delay(job_id)
            sent += 1
    if not _messages_waiting(_queue_of(run_import)):
        for batch_id in import_batches_to_resend(quiet_for=quiet_for):
            logger.warning("Sending import %s again: it has been quiet.", batch_id)
            run_import.delay(batch_id)
            sent += 1
    return sent


def _capability_job_tasks() -> list[tuple[str, Any]]:
    """(kind, task) for each job kind a registered capability runs with a task of its own."""
    from django.utils.module_loading import import_string

    return [
        (spec.value, import_string(spec.task))
        for capability in registered_capabilities()
        for spec in adapter_for(capability).job_kinds
        if spec.task is not None
    ]


def _built(capability: str) -> bool:
    """The beat schedule names every capability; those not built yet are skipped."""
    if capability in registered_capabilities():
        return True
    logger.info("No model is registered for %s yet; skipping its scheduled run.", capability)
    return False


@shared_task(**_COMMON)
def scheduled_training(self, capability: str) -> int | None:
    if not _built(capability):
        return None
    return training.scheduled_training_create(capability=capability, on=timezone.localdate()).pk


@shared_task(**_COMMON)
def scheduled_scoring(self, capability: str) -> list[int]:
    if not _built(capability):
        return []
    return [job.pk for job in scoring.scheduled_scoring_create(capability=capability, on=timezone.localdate())]


@shared_task(**_COMMON, **RETRY_ON_DATABASE_OUTAGE)
def monitor_models(self, capability: str, days: int = 28) -> dict:
    """Refresh live accuracy and drift for the capability's serving versions."""
    if not _built(capability):
        return {}
    return monitoring.monitoring_refresh(capability=capability, since=timezone.localdate() - dt.timedelta(days=days))
