"""Batch scoring: the entities are split into chunks, each chunk is one task of a
Celery group (more worker processes or machines, shorter wall time), and each chunk's
predictions are upserted against (version, entity, date), so a chunk delivered twice
writes the same rows once."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.core.errors import DomainError
from retailiq.features import version_mismatch

from ..adapters import BatchScoring, adapter_for
from ..models import ChunkState, Job, JobChunk, JobKind, JobState, ModelStatus, ModelVersion, Rollout
from .jobs import job_claim, job_finish, job_record, stale_after
from .versions import active_model_version


def _scoring_adapter(capability: str) -> Any:
    adapter = adapter_for(capability)
    if not isinstance(adapter, BatchScoring):
        raise DomainError(f"{capability} has no batch scoring.", code="no_batch_scoring")
    return adapter


def scoring_job_create(
    *,
    capability: str,
    user: User | None,
    segment: str = "",
    model_version: ModelVersion | None = None,
    params: dict | None = None,
    idempotency_key: str | None = None,
    enqueue: bool = True,
    retry_cancelled: bool = False,
) -> Job:
    """Score every entity with one version (the active one unless given). With
    enqueue=False the caller runs it itself (see scoring_job_run_here)."""
    from ..tasks import score_batch

    _scoring_adapter(capability)
    version = model_version or active_model_version(capability=capability, segment=segment)
    if version is None:
        raise DomainError(
            f"No {capability} model is active yet; train one before batch scoring.", code="no_active_model"
        )
    if (refused := version_mismatch(version.params)) is not None:
        raise DomainError(f"Version {version.pk} cannot be scored: {refused}.", code="stale_feature_set")
    return job_record(
        kind=JobKind.SCORE,
        capability=capability,
        idempotency_key=idempotency_key,
        retry_cancelled=retry_cancelled,
        enqueue=score_batch.delay if enqueue else None,
        segment=segment,
        params=params or {},
        requested_by=user,
        model_version=version,
    )


def scheduled_scoring_create(*, capability: str, on: dt.date) -> list[Job]:
    """Nightly scoring of the champion and of any challenger (a shadow version is
    scored too, so its live accuracy can be compared before it is promoted). One job
    per version and day however often beat fires. A version whose feature set the code no longer computes is
    left out (its predictions would be computed from other features than it learned from); on-demand serving
    refuses it too, with a note naming both sets."""
    versions = [
        version
        for version in ModelVersion.objects.filter(capability=capability).filter(
            Q(status=ModelStatus.ACTIVE) | ~Q(rollout=Rollout.NONE)
        )
        if version_mismatch(version.params) is None
    ]
    return [
        scoring_job_create(
            capability=capability,
            user=None,
            segment=version.segment,
            model_version=version,
            idempotency_key=f"schedule:score:{capability}:{version.pk}:{on.isoformat()}",
            retry_cancelled=True,
        )
        for version in versions
    ]


def scoring_job_plan(*, job_id: int, worker: str) -> list[int]:
    """Claim the job and record its chunks; returns the chunk numbers still to score.
    A redelivered planning task finds the job held and plans nothing; one that takes
    over a dead planner finds the chunks already recorded and sends only the unfinished."""
    if not job_claim(job_id=job_id, worker=worker):
        return []
    job = Job.objects.select_related("model_version").get(pk=job_id)
    # Checked again here: the code may have changed the feature set between the request and the run (a deploy
    # while the job waited in the queue). Failing keeps the version's earlier predictions as they are.
    refused = version_mismatch(job.model_version.params) if job.model_version is not None else None
    if refused is not None:
        job_finish(
            job_id, JobState.FAILED, error=f"Version {job.model_version_id}: {refused}", message="Scoring refused"
        )
        return []
    try:
        adapter = _scoring_adapter(job.capability)
        params = adapter.scoring_params(job.params)
        Job.objects.filter(pk=job_id).update(params=params)
        job.params = params
        entity_ids = sorted(adapter.scoring_entities(segment=job.segment, params=params))
    except Exception as exc:
        job_finish(job_id, JobState.FAILED, error=f"{type(exc).__name__}: {exc}", message="Scoring failed")
        return []
    size = int(job.params.get("chunk_size") or settings.RETAILIQ_SCORING_CHUNK_SIZE)
    chunks = [
        JobChunk(job=job, number=n, entity_ids=entity_ids[start : start + size])
        for n, start in enumerate(range(0, len(entity_ids), size))
    ]
    JobChunk.objects.bulk_create(chunks, ignore_conflicts=True)
    Job.objects.filter(pk=job_id).update(
        stage="scoring", message=f"{len(entity_ids):,} entities in {len(chunks)} chunks"
    )
    if not chunks:
        job_finish(job_id, JobState.SUCCEEDED, percent=100, stage="done", message="Nothing to score")
        return []
    return list(job.chunks.exclude(state=ChunkState.DONE).values_list("number", flat=True))


def chunk_held_elsewhere(*, job_id: int, number: int) -> bool:
    """True while another delivery may still be scoring the chunk (try again later)."""
    return JobChunk.objects.filter(
        job_id=job_id, number=number, state=ChunkState.RUNNING, job__state=JobState.RUNNING
    ).exists()


def _claim_chunk(job_id: int, number: int) -> bool:
    now = timezone.now()
    claimable = Q(state__in=[ChunkState.QUEUED, ChunkState.FAILED]) | Q(
        state=ChunkState.RUNNING, started_at__lt=now - stale_after()
    )
    return (
        JobChunk.objects.filter(claimable, job_id=job_id, number=number, job__state=JobState.RUNNING).update(
            state=ChunkState.RUNNING, started_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


_loaded_models: dict[tuple, Any] = {}


def loaded_model(version: ModelVersion) -> Any:
    """Load a version's artifact once per process; versions never change once saved. The key carries more than
    the id, because a database whose ids restart (a test database, a restored backup) reuses them."""
    key = (version.pk, version.capability, version.algorithm, version.created_at)
    if key not in _loaded_models:
        with version.artifact.open("rb") as handle:
            _loaded_models[key] = adapter_for(version.capability).load(handle.read(), algorithm=version.algorithm)
    return _loaded_models[key]


def scoring_chunk_run(*, job_id: int, number: int) -> int | None:
    """Score one chunk; returns the rows written, 0 when another delivery already did
    it, None while another delivery may still be doing it (the caller tries later)."""
    if not _claim_chunk(job_id, number):
        return None if chunk_held_elsewhere(job_id=job_id, number=number) else 0
    job = Job.objects.select_related("model_version").get(pk=job_id)
    chunk = JobChunk.objects.get(job_id=job_id, number=number)
    try:
        adapter = _scoring_adapter(job.capability)
        predictions = adapter.score(loaded_model(job.model_version), chunk.entity_ids, params=job.params)
        written = adapter.write_predictions(model_version_id=job.model_version_id, predictions=predictions)
    except Exception as exc:
        JobChunk.objects.filter(pk=chunk.pk).update(
            state=ChunkState.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    JobChunk.objects.filter(pk=chunk.pk).update(state=ChunkState.DONE, rows_written=written, finished_at=timezone.now())
    _record_chunk_progress(job_id)
    return written


def scoring_chunks_to_resend(*, quiet_for: dt.timedelta) -> list[tuple[int, int]]:
    """(job, chunk) pairs whose message the broker may have lost: the unfinished chunks of a running scoring job
    that has shown no progress for `quiet_for`, and not held by a live run. Sending one again is safe whether or not
    it was lost: a chunk is claimed before it is scored."""
    cutoff = timezone.now() - quiet_for
    waiting = Q(state__in=[ChunkState.QUEUED, ChunkState.FAILED]) | Q(state=ChunkState.RUNNING, started_at__lt=cutoff)
    chunks = JobChunk.objects.filter(
        waiting, job__kind=JobKind.SCORE, job__state=JobState.RUNNING, job__heartbeat_at__lt=cutoff
    )
    return list(chunks.order_by("job_id", "number").values_list("job_id", "number"))


def scoring_chunk_give_up(*, job_id: int, number: int, error: str) -> None:
    """A chunk failed for good (retries spent): the job fails and says which chunk."""
    job_finish(job_id, JobState.FAILED, error=f"Chunk {number}: {error}", message="Scoring failed")


def _record_chunk_progress(job_id: int) -> None:
    chunks = JobChunk.objects.filter(job_id=job_id)
    total, done = chunks.count(), chunks.filter(state=ChunkState.DONE).count()
    Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        percent=int(100 * done / max(total, 1)), message=f"{done} of {total} chunks scored", heartbeat_at=timezone.now()
    )
    if done == total:
        rows = sum(chunks.values_list("rows_written", flat=True))
        _refresh_prediction_statistics(Job.objects.values_list("capability", flat=True).get(pk=job_id))
        job_finish(job_id, JobState.SUCCEEDED, percent=100, stage="done", message=f"{rows:,} predictions written")


def _refresh_prediction_statistics(capability: str) -> None:
    """A batch rewrites much of its capability's prediction table at once: the planner's
    statistics of it are stale until autovacuum comes round (hours on a busy database, never
    where it is off), and the dashboards' reads of the new batch then plan for the old one
    (on the `demo` marketplace the vendor demand page's cold p95 was 516 ms before the table
    was analysed, 153 ms after). ANALYZE samples the table in well under a second."""
    if connection.vendor != "postgresql":
        return  # the embedded database gathers no statistics here, so it has none to go stale
    table = _scoring_adapter(capability).prediction_table().model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def scoring_job_run_here(*, job_id: int, worker: str) -> Job:
    """Plan and score every chunk in this process (set-up commands, tests); the same
    claims and upserts as the Celery path."""
    for number in scoring_job_plan(job_id=job_id, worker=worker):
        scoring_chunk_run(job_id=job_id, number=number)
    return Job.objects.get(pk=job_id)
