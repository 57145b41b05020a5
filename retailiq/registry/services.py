"""Model versions and the jobs that train them. Every rule about which version serves
lives here, so pages, API and tasks share it."""

import datetime as dt
import hashlib
import uuid
from typing import Any

import pandas as pd
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.core.errors import DomainError

from .adapters import adapter_for
from .models import Job, JobKind, JobState, ModelStatus, ModelVersion

# A running job whose worker has not reported for this long is taken to be dead (for
# example killed with -9) and may be claimed again by the redelivered task.
STALE_AFTER = dt.timedelta(minutes=10)


class JobCancelled(Exception):
    pass


def active_model_version(*, capability: str, segment: str = "") -> ModelVersion | None:
    return ModelVersion.objects.filter(capability=capability, segment=segment, status=ModelStatus.ACTIVE).first()


@transaction.atomic
def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in (ModelStatus.READY, ModelStatus.RETIRED, ModelStatus.ACTIVE):
        raise DomainError(
            f"Version {version.pk} is {version.status}; only a trained version can serve.", code="not_ready"
        )
    ModelVersion.objects.filter(
        capability=version.capability, segment=version.segment, status=ModelStatus.ACTIVE
    ).exclude(pk=version.pk).update(status=ModelStatus.RETIRED)
    version.status, version.activated_at = ModelStatus.ACTIVE, timezone.now()
    version.save(update_fields=["status", "activated_at"])
    return version


def model_version_rollback(*, capability: str, segment: str = "") -> ModelVersion:
    """Serve again the version that was active before the current one."""
    current = active_model_version(capability=capability, segment=segment)
    previous = (
        ModelVersion.objects.filter(capability=capability, segment=segment, status=ModelStatus.RETIRED)
        .exclude(activated_at=None)
        .exclude(pk=getattr(current, "pk", None))
        .order_by("-activated_at")
        .first()
    )
    if previous is None:
        raise DomainError(
            f"No earlier {capability} version has served; there is nothing to roll back to.",
            code="nothing_to_roll_back",
        )
    return model_version_activate(version=previous)


def model_versions_compare(*, first: ModelVersion, second: ModelVersion) -> list[dict[str, Any]]:
    """Metric by metric, side by side; a metric one version lacks shows as None."""
    names = sorted(set(first.metrics) | set(second.metrics))
    return [{"metric": n, "first": first.metrics.get(n), "second": second.metrics.get(n)} for n in names]


def training_job_create(
    *,
    capability: str,
    user: User | None,
    segment: str = "",
    params: dict | None = None,
    idempotency_key: str | None = None,
) -> Job:
    """Record the job and enqueue its task once the transaction commits. The same
    idempotency key returns the job already recorded instead of starting another."""
    from .tasks import train_model

    adapter_for(capability)  # fail now, in the request, when nothing can train this capability
    key = idempotency_key or f"train:{capability}:{segment}:{uuid.uuid4()}"
    with transaction.atomic():
        job, created = Job.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "kind": JobKind.TRAIN,
                "capability": capability,
                "segment": segment,
                "params": params or {},
                "requested_by": user,
            },
        )
        if created:
            transaction.on_commit(lambda: train_model.delay(job.pk))
    return job


def job_claim(*, job_id: int, worker: str) -> bool:
    """Compare-and-set: only one delivery of a task gets to run the job."""
    now = timezone.now()
    claimable = Q(state=JobState.QUEUED) | Q(state=JobState.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING, claimed_by=worker, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def job_progress(*, job_id: int, stage: str, percent: int, message: str = "") -> None:
    updated = Job.objects.filter(pk=job_id, cancel_requested=False).update(
        stage=stage[:64], percent=max(0, min(percent, 100)), message=message[:500], heartbeat_at=timezone.now()
    )
    if not updated:
        raise JobCancelled


def job_cancel(*, job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(state=JobState.CANCELLED, finished_at=timezone.now())


def _frame_hash(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).values.tobytes()).hexdigest()


def _finish(job_id: int, state: JobState, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(state=state, finished_at=timezone.now(), **fields)


def training_job_run(*, job_id: int, worker: str) -> Job:
    """Train one version for the job. Whatever happens, the active version stays as it
    was unless this run succeeds and nothing was serving yet (or params ask to activate)."""
    if not job_claim(job_id=job_id, worker=worker):
        return Job.objects.get(pk=job_id)
    job = Job.objects.get(pk=job_id)
    adapter = adapter_for(job.capability)
    trigger = "manual" if job.requested_by_id else "schedule"
    version = ModelVersion.objects.create(
        capability=job.capability,
        segment=job.segment,
        algorithm="pending",
        status=ModelStatus.TRAINING,
        trained_by=job.requested_by,
        trigger=trigger,
        started_at=timezone.now(),
        params=job.params,
    )
    Job.objects.filter(pk=job_id).update(model_version=version)

    def progress(stage: str, percent: int, message: str = "") -> None:
        job_progress(job_id=job_id, stage=stage, percent=percent, message=message)

    try:
        progress("loading data", 5)
        data = adapter.load_training_data(segment=job.segment, params=job.params)
        progress("training", 20, f"{len(data.frame):,} rows")
        trained = adapter.train(data, params=job.params, progress=progress)
        progress("saving", 95)
        version.algorithm, version.metrics = trained.algorithm, trained.metrics
        version.params, version.library_versions = {**job.params, **trained.params}, trained.library_versions
        version.data_start, version.data_end = data.data_start, data.data_end
        version.training_rows, version.training_data_hash = len(data.frame), _frame_hash(data.frame)
        version.artifact.save(trained.artifact_name, ContentFile(trained.artifact_bytes), save=False)
        version.status, version.finished_at = ModelStatus.READY, timezone.now()
        version.save()
    except JobCancelled:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.FAILED, error="cancelled", finished_at=timezone.now()
        )
        _finish(job_id, JobState.CANCELLED, message="Cancelled")
        return Job.objects.get(pk=job_id)
    except Exception as exc:  # the run failed; record why and leave serving untouched
        error = f"{type(exc).__name__}: {exc}"
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.FAILED, error=error, finished_at=timezone.now()
        )
        _finish(job_id, JobState.FAILED, error=error, message="Training failed")
        return Job.objects.get(pk=job_id)
    if job.params.get("activate") or active_model_version(capability=job.capability, segment=job.segment) is None:
        model_version_activate(version=version)
    _finish(job_id, JobState.SUCCEEDED, percent=100, stage="done", message=f"Version {version.pk} is ready")
    return Job.objects.get(pk=job_id)
