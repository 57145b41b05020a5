"""Celery: a plan too large to solve inside a request runs here. Safe to deliver twice: the job row is claimed
first, and the plan's answer replaces its lines."""

import os

from celery import shared_task
from django.db import InterfaceError, OperationalError

from retailiq.registry.services.jobs import job_held_elsewhere, stale_after

from .services.plans import plan_job_run


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True, max_retries=3,
)  # fmt: skip
def run_plan(self, job_id: int) -> str:
    if job_held_elsewhere(job_id=job_id):
        raise self.retry(countdown=stale_after().total_seconds(), max_retries=None)
    worker = f"{self.request.hostname or 'worker'}:{os.getpid()}:{self.request.id}"
    return plan_job_run(job_id=job_id, worker=worker)
