"""The sweep that sends again the scoring chunks a broker forgot: which chunks it picks, and that it sends nothing
while the queue still holds messages (one of them may be the chunk's). The broker losing them for real is
tests/faults/test_broker_outage_mid_scoring.py's."""

import datetime as dt

import pytest
from django.utils import timezone

from retailiq.registry import tasks
from retailiq.registry.models import ChunkState, Job, JobChunk, JobKind, JobState
from retailiq.registry.services.scoring import scoring_chunks_to_resend

pytestmark = pytest.mark.django_db
QUIET = dt.timedelta(minutes=2)


def _job(key: str, *, kind=JobKind.SCORE, state=JobState.RUNNING, quiet_for=dt.timedelta(minutes=5)) -> Job:
    job = Job.objects.create(kind=kind, capability="forecasting", idempotency_key=key, state=state)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - quiet_for)
    return job


def _chunks(job: Job, *states: str, started_ago=dt.timedelta(minutes=5)) -> None:
    for number, state in enumerate(states):
        started = timezone.now() - started_ago if state != ChunkState.QUEUED else None
        JobChunk.objects.create(job=job, number=number, state=state, started_at=started)


def test_only_the_unfinished_chunks_of_a_quiet_running_scoring_job_are_picked():
    quiet = _job("quiet")
    _chunks(quiet, ChunkState.DONE, ChunkState.QUEUED, ChunkState.FAILED, ChunkState.RUNNING)
    busy = _job("busy", quiet_for=dt.timedelta(seconds=5))
    _chunks(busy, ChunkState.QUEUED)
    live_chunk = _job("live chunk")
    _chunks(live_chunk, ChunkState.RUNNING, started_ago=dt.timedelta(seconds=5))
    _chunks(_job("finished", state=JobState.SUCCEEDED), ChunkState.QUEUED)
    _chunks(_job("training", kind=JobKind.TRAIN), ChunkState.QUEUED)
    assert scoring_chunks_to_resend(quiet_for=QUIET) == [(quiet.pk, 1), (quiet.pk, 2), (quiet.pk, 3)]


def test_nothing_is_sent_while_the_queue_holds_messages(monkeypatch, settings):
    settings.RETAILIQ_JOB_STALE_AFTER_SECONDS = 120
    quiet = _job("quiet")
    _chunks(quiet, ChunkState.DONE, ChunkState.QUEUED)
    sent = []
    monkeypatch.setattr(tasks.score_chunk, "delay", lambda job_id, number: sent.append((job_id, number)))
    monkeypatch.setattr(tasks, "_messages_waiting", lambda queue: 3)
    assert tasks.resend_lost_chunks.apply().get() == 0 and sent == []
    monkeypatch.setattr(tasks, "_messages_waiting", lambda queue: 0)
    assert tasks.resend_lost_chunks.apply().get() == 1 and sent == [(quiet.pk, 1)]


def test_quiet_training_and_unplanned_scoring_jobs_are_picked_not_live_finished_or_cancelled_ones():
    from retailiq.registry.services.jobs import jobs_to_resend

    queued = _job("queued", kind=JobKind.TRAIN, state=JobState.QUEUED)
    dead = _job("dead", kind=JobKind.TRAIN)
    _job("fresh", kind=JobKind.TRAIN, state=JobState.QUEUED, quiet_for=dt.timedelta(seconds=5))
    _job("done", kind=JobKind.TRAIN, state=JobState.SUCCEEDED)
    cancelling = _job("cancelling", kind=JobKind.TRAIN)
    Job.objects.filter(pk=cancelling.pk).update(cancel_requested=True)
    unplanned = _job("unplanned", state=JobState.QUEUED)
    _chunks(_job("planned"), ChunkState.QUEUED)  # its chunks are sent again, not the job
    assert jobs_to_resend(kind=JobKind.TRAIN, quiet_for=QUIET) == [queued.pk, dead.pk]
    assert jobs_to_resend(kind=JobKind.SCORE, quiet_for=QUIET) == [unplanned.pk]


def test_a_recorded_job_is_stamped_as_queued_so_the_sweep_waits_before_sending_it_again():
    from retailiq.registry.services.jobs import job_record, jobs_to_resend

    job = job_record(kind=JobKind.TRAIN, capability="forecasting", idempotency_key="new", enqueue=None)
    assert job.heartbeat_at is not None
    assert jobs_to_resend(kind=JobKind.TRAIN, quiet_for=QUIET) == []
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - 2 * QUIET)
    assert jobs_to_resend(kind=JobKind.TRAIN, quiet_for=QUIET) == [job.pk]


def test_quiet_imports_are_picked(tmp_path):
    from retailiq.imports.models import ImportBatch, ImportState
    from retailiq.imports.services import (
        import_batch_configure,
        import_batch_create_from_path,
        import_batch_start,
        import_batches_to_resend,
    )
    from tests.imports.conftest import ORDERS_HEADER

    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_HEADER + "\nO-1,2025-03-01 10:00:00,R1,Shop,Pune,SKU-1,Rice,Staples,2,10.50\n")
    batch = import_batch_create_from_path(path=path)
    import_batch_configure(batch=batch, options={"default_vendor": "Sunrise Foods"})
    uploaded = import_batch_create_from_path(path=path)  # never started: nothing was sent for it
    ImportBatch.objects.filter(pk=uploaded.pk).update(heartbeat_at=timezone.now() - 2 * QUIET)
    import_batch_start(batch=batch)
    assert import_batches_to_resend(quiet_for=QUIET) == []  # just queued
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - 2 * QUIET)
    assert import_batches_to_resend(quiet_for=QUIET) == [batch.pk]
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.SUCCEEDED)
    assert import_batches_to_resend(quiet_for=QUIET) == []


def test_jobs_and_imports_are_sent_only_to_an_empty_queue(monkeypatch, settings):
    settings.RETAILIQ_JOB_STALE_AFTER_SECONDS = 120
    lost = _job("lost training", kind=JobKind.TRAIN, state=JobState.QUEUED)
    sent = []
    monkeypatch.setattr(tasks.train_model, "delay", lambda job_id: sent.append(("train", job_id)))
    monkeypatch.setattr(tasks.score_batch, "delay", lambda job_id: sent.append(("score", job_id)))
    monkeypatch.setattr(tasks, "_messages_waiting", lambda queue: 1 if queue == "training" else 0)
    assert tasks.resend_lost_chunks.apply().get() == 0 and sent == []
    monkeypatch.setattr(tasks, "_messages_waiting", lambda queue: 0)
    assert tasks.resend_lost_chunks.apply().get() == 1 and sent == [("train", lost.pk)]


def test_a_quiet_optimization_plan_is_sent_again_by_its_own_task_not_a_live_one(monkeypatch, settings):
    """A kind a capability runs itself names its task on the adapter (JobKindSpec.task): the sweep sends it too."""
    from optimization import tasks as optimization_tasks

    settings.RETAILIQ_JOB_STALE_AFTER_SECONDS = 120
    lost = _job("plan:1", kind="plan", state=JobState.QUEUED)
    Job.objects.filter(pk=lost.pk).update(capability="optimization")
    live = _job("plan:2", kind="plan", state=JobState.RUNNING, quiet_for=dt.timedelta(seconds=5))
    Job.objects.filter(pk=live.pk).update(capability="optimization")
    sent = []
    monkeypatch.setattr(optimization_tasks.run_plan, "delay", lambda job_id: sent.append(("plan", job_id)))
    monkeypatch.setattr(tasks, "_messages_waiting", lambda queue: 0)
    assert tasks.resend_lost_chunks.apply().get() == 1 and sent == [("plan", lost.pk)]
