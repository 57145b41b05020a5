"""Celery wrapper around the import service; safe to deliver twice (the batch row is
claimed by compare-and-set, and a rerun clears what a killed run left)."""

from celery import shared_task

from retailiq.core.claims import stale_after, worker_name
from retailiq.core.retries import RETRY_ON_DATABASE_OUTAGE

from .services import import_batch_held_elsewhere, import_batch_run


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    **RETRY_ON_DATABASE_OUTAGE,
)
def run_import(self, batch_id: int) -> str:
    if import_batch_held_elsewhere(batch_id=batch_id):
        # The first delivery still runs it; look again once its heartbeat would be stale.
        raise self.retry(countdown=stale_after().total_seconds(), max_retries=None)
    return import_batch_run(batch_id=batch_id, worker=worker_name(self)).state
