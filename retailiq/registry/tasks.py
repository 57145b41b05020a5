from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import training_job_run


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def train_model(self, job_id: int) -> str:
    """Runs on the `training` queue. Safe to deliver twice: the job row is claimed first."""
    return training_job_run(job_id=job_id, worker=self.request.hostname or "worker").state
