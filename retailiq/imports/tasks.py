"""Celery wrapper around the import service; safe to deliver twice (the batch row is
claimed by compare-and-set, and a rerun clears what a killed run left)."""

import os

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import import_batch_held_elsewhere, import_batch_run


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def run_import(self, batch_id: int) -> str:
    if import_batch_held_elsewhere(batch_id=batch_id):
        # The first delivery still runs it; look again once its heartbeat would be stale.
        from django.conf import settings

        raise self.retry(countdown=settings.RETAILIQ_JOB_STALE_AFTER_SECONDS, max_retries=None)
    worker = f"{self.request.hostname or 'worker'}:{os.getpid()}:{self.request.id}"
    return import_batch_run(batch_id=batch_id, worker=worker).state
