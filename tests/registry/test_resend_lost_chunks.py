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
