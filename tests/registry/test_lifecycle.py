"""The model lifecycle with a stand-in capability: versions, activation, rollback, and
training jobs that run once however often their task is delivered."""

import datetime as dt
import hashlib
import json
import time

import pandas as pd
import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from retailiq.celery import app
from retailiq.core.errors import DomainError
from retailiq.registry.adapters import TrainingData
from retailiq.registry.models import Job, JobState, ModelStatus, ModelVersion
from retailiq.registry.services import (
    active_model_version,
    job_claim,
    model_version_activate,
    model_version_rollback,
    model_versions_compare,
    stale_after,
    training_job_create,
    training_job_run,
)
from retailiq.registry.services.training import training_data_hash
from tests import factories as f
from tests.registry.conftest import CAPABILITY


def version(status=ModelStatus.READY, **kwargs):
    return ModelVersion.objects.create(capability=CAPABILITY, algorithm="mean", status=status, **kwargs)


def test_one_version_serves_and_rollback_restores_the_previous(db):
    first, second = version(), version()
    model_version_activate(version=first)
    model_version_activate(version=second)
    first.refresh_from_db()
    assert first.status == ModelStatus.RETIRED and active_model_version(capability=CAPABILITY) == second
    assert model_version_rollback(capability=CAPABILITY) == first
    assert ModelVersion.objects.filter(capability=CAPABILITY, status=ModelStatus.ACTIVE).count() == 1


def test_a_failed_version_cannot_serve(db):
    with pytest.raises(DomainError, match="only a trained version"):
        model_version_activate(version=version(status=ModelStatus.FAILED))


def test_rollback_without_history_says_so(db):
    model_version_activate(version=version())
    with pytest.raises(DomainError, match="nothing to roll back"):
        model_version_rollback(capability=CAPABILITY)


def test_compare_lines_up_metrics(db):
    rows = model_versions_compare(
        first=version(metrics={"mae": 2.0, "rmse": 3.0}), second=version(metrics={"mae": 1.5})
    )
    assert rows == [{"metric": "mae", "first": 2.0, "second": 1.5}, {"metric": "rmse", "first": 3.0, "second": None}]


def test_training_succeeds_and_first_version_starts_serving(db, adapter):
    job = Job.objects.create(kind="train", capability=CAPABILITY, idempotency_key="k1", requested_by=f.UserFactory())
    job = training_job_run(job_id=job.pk, worker="w1")
    assert job.state == JobState.SUCCEEDED and job.percent == 100
    trained = job.model_version
    assert trained.status == ModelStatus.ACTIVE and trained.training_rows == 3 and len(trained.training_data_hash) == 64
    assert json.loads(trained.artifact.read()) == {"1": 5.0, "2": 3.0}
    assert trained.library_versions["pandas"] == pd.__version__


def test_the_training_data_hash_covers_every_frame_training_reads():
    orders = pd.DataFrame({"id": [1, 2], "units": [5.0, 3.0]})
    alone = training_data_hash(TrainingData(frame=orders))
    assert alone == hashlib.sha256(pd.util.hash_pandas_object(orders, index=False).values.tobytes()).hexdigest()
    calls = pd.DataFrame({"id": [1], "outcome": ["not_now"]})
    with_calls = training_data_hash(TrainingData(frame=orders, extra_frames={"calls": calls}))
    assert with_calls != alone
    assert with_calls == training_data_hash(TrainingData(frame=orders, extra_frames={"calls": calls.copy()}))
    other = calls.assign(outcome=["ordered"])
    assert training_data_hash(TrainingData(frame=orders, extra_frames={"calls": other})) != with_calls


def test_a_failed_training_run_leaves_the_active_model_serving(db, adapter):
    serving = model_version_activate(version=version())
    adapter.fail_with = ValueError("not enough history")
    job = Job.objects.create(kind="train", capability=CAPABILITY, idempotency_key="k2")
    job = training_job_run(job_id=job.pk, worker="w1")
    assert job.state == JobState.FAILED and "not enough history" in job.error
    assert job.model_version.status == ModelStatus.FAILED
    assert active_model_version(capability=CAPABILITY) == serving


def test_a_redelivered_task_does_not_train_twice(db, adapter):
    job = Job.objects.create(kind="train", capability=CAPABILITY, idempotency_key="k3")
    training_job_run(job_id=job.pk, worker="w1")
    training_job_run(job_id=job.pk, worker="w2")
    assert ModelVersion.objects.filter(jobs=job).count() == 1
    assert not job_claim(job_id=job.pk, worker="w3")


def test_a_job_whose_worker_died_is_claimed_again(db, adapter):
    job = Job.objects.create(
        kind="train",
        capability=CAPABILITY,
        idempotency_key="k4",
        state=JobState.RUNNING,
        heartbeat_at=timezone.now() - stale_after() - dt.timedelta(seconds=1),
    )
    assert job_claim(job_id=job.pk, worker="w2")
    fresh = Job.objects.create(
        kind="train", capability=CAPABILITY, idempotency_key="k5", state=JobState.RUNNING, heartbeat_at=timezone.now()
    )
    assert not job_claim(job_id=fresh.pk, worker="w2")


def test_unknown_capability_is_refused_before_anything_is_queued(db):
    with pytest.raises(DomainError, match="No trainable model"):
        training_job_create(capability="churn", user=None)
    assert not Job.objects.exists()


def test_training_end_to_end_through_a_real_worker(transactional_db, adapter):
    user = f.UserFactory()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=["training"]):
        job = training_job_create(capability=CAPABILITY, user=user, idempotency_key="e2e")
        assert training_job_create(capability=CAPABILITY, user=user, idempotency_key="e2e").pk == job.pk
        deadline = timezone.now() + dt.timedelta(seconds=30)
        while timezone.now() < deadline:
            job.refresh_from_db()
            if job.is_finished:
                break
            time.sleep(0.2)
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.attempts == 1 and job.model_version.status == ModelStatus.ACTIVE
