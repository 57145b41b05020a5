"""Training jobs: one version per job, whatever happens to the worker that runs it."""

import datetime as dt
import hashlib
from typing import Any

import pandas as pd
from django.core.files.base import ContentFile
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.features import version_mismatch

from ..adapters import TrainingData, Tunable, adapter_for
from ..ml import drift, tuning
from ..models import Job, JobKind, JobState, ModelStatus, ModelVersion
from .jobs import JobCancelled, job_claim, job_finish, job_progress, job_record
from .versions import active_model_version, model_version_activate


def training_job_create(
    *,
    capability: str,
    user: User | None,
    segment: str = "",
    params: dict | None = None,
    idempotency_key: str | None = None,
    retry_cancelled: bool = False,
) -> Job:
    """Record the job and enqueue its task once the transaction commits. The same
    idempotency key returns the job already recorded instead of starting another."""
    from ..tasks import train_model

    adapter_for(capability)  # fail now, in the request, when nothing can train this capability
    return job_record(
        kind=JobKind.TRAIN,
        capability=capability,
        idempotency_key=idempotency_key,
        retry_cancelled=retry_cancelled,
        enqueue=train_model.delay,
        segment=segment,
        params=params or {},
        requested_by=user,
    )


def scheduled_training_create(*, capability: str, on: dt.date) -> Job:
    """Beat may fire twice for one slot (two beat processes, a restart): one job per day;
    a slot whose job was cancelled runs again when fired."""
    return training_job_create(
        capability=capability,
        user=None,
        idempotency_key=f"schedule:train:{capability}:{on.isoformat()}",
        retry_cancelled=True,
    )


def training_data_hash(data: TrainingData) -> str:
    """SHA-256 of the rows of `frame`, then of each extra frame under its name (in name order); with no extra
    frame it is the hash of `frame` alone, as versions recorded before extra frames existed."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(data.frame, index=False).values.tobytes())
    for name in sorted(data.extra_frames):
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(data.extra_frames[name], index=False).values.tobytes())
    return digest.hexdigest()


def _abandon_earlier_attempts(job_id: int) -> None:
    """A run that was taken over (its worker died) leaves a version in training; close it."""
    ModelVersion.objects.filter(jobs__pk=job_id, status=ModelStatus.TRAINING).update(
        status=ModelStatus.FAILED,
        error="The worker running this training stopped; the job was run again.",
        finished_at=timezone.now(),
    )


def _tune(adapter: Any, data: Any, params: dict[str, Any], progress: Any) -> dict[str, Any]:
    budget = float(params.get("tuning_seconds") or 0)
    if budget <= 0 or not isinstance(adapter, Tunable):
        return {}
    progress("tuning", 15, f"searching hyperparameters for up to {budget:.0f} s")
    return tuning.search(
        space=adapter.search_space,
        objective=lambda trial_params: adapter.tuning_objective(data, {**params, **trial_params}),
        timeout_seconds=budget,
        max_trials=int(params.get("tuning_trials") or 50),
    )


def training_job_run(*, job_id: int, worker: str) -> Job:
    """Train one version for the job. Whatever happens, the active version stays as it
    was unless this run succeeds and nothing was serving yet (or params ask to activate). A version whose feature
    set the code no longer computes serves nothing (serving and scoring refuse it), so a successful run replaces it."""
    if not job_claim(job_id=job_id, worker=worker):
        return Job.objects.get(pk=job_id)
    _abandon_earlier_attempts(job_id)
    job = Job.objects.get(pk=job_id)
    adapter = adapter_for(job.capability)
    version = ModelVersion.objects.create(
        capability=job.capability,
        segment=job.segment,
        algorithm="pending",
        status=ModelStatus.TRAINING,
        trained_by=job.requested_by,
        trigger=job.params.get("trigger") or ("manual" if job.requested_by_id else "schedule"),
        started_at=timezone.now(),
        params=job.params,
    )
    Job.objects.filter(pk=job_id).update(model_version=version)

    def progress(stage: str, percent: int, message: str = "") -> None:
        job_progress(job_id=job_id, stage=stage, percent=percent, message=message)

    try:
        progress("loading data", 5)
        data = adapter.load_training_data(segment=job.segment, params=job.params)
        found = _tune(adapter, data, job.params, progress)
        params = {**job.params, **found.get("best_params", {})}
        progress("training", 20, f"{len(data.frame):,} rows")
        trained = adapter.train(data, params=params, progress=progress)
        progress("saving", 95)
        version.algorithm, version.metrics, version.tuning = trained.algorithm, trained.metrics, found
        version.params, version.library_versions = {**params, **trained.params}, trained.library_versions
        version.data_start, version.data_end = data.data_start, data.data_end
        version.training_rows, version.training_data_hash = len(data.frame), training_data_hash(data)
        version.drift_reference = drift.reference_profile(data.features if data.features is not None else data.frame)
        version.artifact.save(trained.artifact_name, ContentFile(trained.artifact_bytes), save=False)
        version.status, version.finished_at = ModelStatus.READY, timezone.now()
        version.save()
    except JobCancelled:
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.FAILED, error="cancelled", finished_at=timezone.now()
        )
        job_finish(job_id, JobState.CANCELLED, message="Cancelled")
        return Job.objects.get(pk=job_id)
    except Exception as exc:  # the run failed; record why and leave serving untouched
        error = f"{type(exc).__name__}: {exc}"
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.FAILED, error=error, finished_at=timezone.now()
        )
        job_finish(job_id, JobState.FAILED, error=error, message="Training failed")
        return Job.objects.get(pk=job_id)
    serving = active_model_version(capability=job.capability, segment=job.segment)
    if job.params.get("activate") or serving is None or version_mismatch(serving.params) is not None:
        model_version_activate(version=version)
    job_finish(job_id, JobState.SUCCEEDED, percent=100, stage="done", message=f"Version {version.pk} is ready")
    return Job.objects.get(pk=job_id)
