"""Beat schedules, scheduled jobs that run once per slot, and the models page's views."""

import datetime as dt

import environ
import pytest
from celery.schedules import crontab
from django.test import Client

from retailiq.registry import adapters
from retailiq.registry.adapters import registered_capabilities
from retailiq.registry.models import Job, JobKind, JobState, ModelStatus, ModelVersion
from retailiq.registry.schedules import beat_schedule, registered_beat_schedule
from retailiq.registry.services import (
    job_cancel,
    scheduled_scoring_create,
    scheduled_training_create,
    training_job_create,
)
from retailiq.registry.services.jobs import job_record
from retailiq.registry.tasks import scheduled_training


def test_each_capability_gets_train_score_and_monitor_slots_overridable_by_environment(monkeypatch):
    monkeypatch.setenv("RETAILIQ_SCHEDULE_FORECASTING_TRAIN", "15 3 * * 1")
    monkeypatch.setenv("RETAILIQ_SCHEDULE_REORDER_SCORE", "off")
    schedule = beat_schedule(environ.Env(), ["forecasting", "reorder", "stockout_risk"])
    assert schedule["forecasting-train"]["schedule"] == crontab(minute="15", hour="3", day_of_week="1")
    assert schedule["forecasting-train"]["task"] == "retailiq.registry.tasks.scheduled_training"
    assert schedule["forecasting-train"]["args"] == ("forecasting",)
    assert "reorder-score" not in schedule and "reorder-train" in schedule
    assert {"forecasting-score", "forecasting-monitor", "stockout_risk-train"} <= set(schedule)


def test_the_slots_are_the_registered_capabilities_and_a_new_one_gets_its_own(monkeypatch):
    monkeypatch.setenv("RETAILIQ_SCHEDULE_REORDER_MONITOR", "off")
    expected = {f"{c}-{a}" for c in registered_capabilities() for a in ("train", "score", "monitor")}
    assert set(registered_beat_schedule()) == expected - {"reorder-monitor"} | {"resend-lost-chunks"}
    assert (
        {"forecasting-train", "reorder-train"} <= expected
        and "recommendations-train" in expected
        and "churn-train" not in expected
    )

    from tests.registry.slow_adapter import CAPABILITY, SlowAdapter

    adapters.register_adapter(SlowAdapter())
    try:
        assert {f"{CAPABILITY}-train", f"{CAPABILITY}-score"} <= set(registered_beat_schedule())
    finally:
        adapters._ADAPTERS.pop(CAPABILITY, None)


def test_the_celery_app_builds_the_beat_schedule_when_a_worker_or_beat_loads_its_modules(monkeypatch):
    from celery import signals

    from retailiq.celery import app

    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    monkeypatch.setenv("RETAILIQ_SCHEDULE_FORECASTING_SCORE", "5 2 * * *")
    before = app.conf.beat_schedule
    app.conf.beat_schedule = {}
    try:
        signals.import_modules.send(sender=app)
        assert app.conf.beat_schedule["forecasting-score"]["schedule"] == crontab(minute="5", hour="2")
        assert set(app.conf.beat_schedule) == set(registered_beat_schedule())
    finally:
        app.conf.beat_schedule = before


def test_a_slot_fired_twice_makes_one_job(db, django_capture_on_commit_callbacks):
    day = dt.date(2026, 11, 22)
    with django_capture_on_commit_callbacks() as callbacks:
        first = scheduled_training_create(capability="forecasting", on=day)
        again = scheduled_training_create(capability="forecasting", on=day)
    assert first.pk == again.pk and len(callbacks) == 1 and first.requested_by is None
    assert scheduled_scoring_create(capability="forecasting", on=day) == []  # nothing serves yet


def test_a_cancelled_slot_runs_again_when_fired_and_a_users_key_stays_its_job(db, django_capture_on_commit_callbacks):
    day = dt.date(2026, 11, 22)
    first = scheduled_training_create(capability="forecasting", on=day)
    job_cancel(job=first)
    with django_capture_on_commit_callbacks() as callbacks:
        retry = scheduled_training_create(capability="forecasting", on=day)
        again = scheduled_training_create(capability="forecasting", on=day)
    assert retry.pk != first.pk and again.pk == retry.pk and len(callbacks) == 1
    assert retry.state == JobState.QUEUED

    mine = training_job_create(capability="forecasting", user=None, idempotency_key="mine")
    job_cancel(job=mine)
    assert training_job_create(capability="forecasting", user=None, idempotency_key="mine").pk == mine.pk


def test_keys_are_scoped_by_kind_and_capability(db):
    train = job_record(kind=JobKind.TRAIN, capability="forecasting", idempotency_key="shared", enqueue=None)
    score = job_record(kind=JobKind.SCORE, capability="forecasting", idempotency_key="shared", enqueue=None)
    other = job_record(kind=JobKind.TRAIN, capability="reorder", idempotency_key="shared", enqueue=None)
    assert len({train.pk, score.pk, other.pk}) == 3
    assert (score.kind, other.capability) == (JobKind.SCORE, "reorder")
    assert job_record(kind=JobKind.SCORE, capability="forecasting", idempotency_key="shared", enqueue=None) == score


def test_a_capability_without_model_code_is_skipped_by_the_schedule(db):
    assert scheduled_training.apply(args=("churn",)).get() is None
    assert not Job.objects.filter(kind=JobKind.TRAIN).exists()


def test_models_page_is_for_analysts_and_job_progress_for_the_jobs_owner(marketplace):
    client = Client()
    client.force_login(marketplace.vendor_user_1)
    assert client.get("/analyst/models/").status_code == 403
    job = Job.objects.create(
        kind="train", capability="forecasting", idempotency_key="p", requested_by=marketplace.analyst
    )
    assert client.get(f"/analyst/models/jobs/{job.pk}/").status_code == 404
    client.force_login(marketplace.analyst)
    page = client.get("/analyst/models/")
    assert page.status_code == 200 and b"Demand forecasting" in page.content
    polled = client.get(f"/analyst/models/jobs/{job.pk}/")
    assert b'hx-trigger="every 1s"' in polled.content  # still queued: keeps polling


def test_a_refused_action_is_a_message_not_an_error(marketplace):
    client = Client()
    client.force_login(marketplace.analyst)
    response = client.post("/analyst/models/rollback/", {"capability": "forecasting"}, follow=True)
    assert response.status_code == 200 and b"nothing to roll back" in response.content
    response = client.post("/analyst/models/train/", {"capability": "weather"}, follow=True)
    assert b"capability: choose one of" in response.content


@pytest.mark.parametrize("value", ["abc", "nan", "inf", "1e999"])
def test_numbers_that_are_not_numbers_are_refused_naming_the_field(marketplace, value):
    client = Client()
    client.force_login(marketplace.analyst)
    version = ModelVersion.objects.create(capability="forecasting", algorithm="mean", status=ModelStatus.READY)
    train = client.post("/analyst/models/train/", {"capability": "forecasting", "tuning_seconds": value}, follow=True)
    assert train.status_code == 200 and b"tuning_seconds: give a number." in train.content
    form = {"rollout": "share", "traffic_share": value}
    rollout = client.post(f"/analyst/models/{version.pk}/rollout/", form, follow=True)
    assert rollout.status_code == 200 and b"traffic_share: give a number." in rollout.content
    for ids in ({"first": "1" + "0" * 30, "second": "1"}, {"first": "abc", "second": "\u00b2"}):
        assert client.get("/analyst/models/compare/", ids).status_code == 200


def test_a_refused_action_by_htmx_is_an_alert_in_place(marketplace):
    client = Client()
    client.force_login(marketplace.analyst)
    response = client.post("/analyst/models/train/", {"capability": "weather"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().startswith('<p class="error" role="alert">capability: choose one of')


def test_the_train_form_starts_one_job_however_often_it_is_submitted(marketplace, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(marketplace.analyst)
    form = {"capability": "forecasting", "tuning_seconds": "30", "form_key": "abc"}
    with django_capture_on_commit_callbacks():
        first = client.post("/analyst/models/train/", form, HTTP_HX_REQUEST="true")
        client.post("/analyst/models/train/", form, HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and b'class="progress"' in first.content
    job = Job.objects.get()
    assert job.params == {"tuning_seconds": 30, "trigger": "manual"} and job.requested_by == marketplace.analyst


def test_a_running_job_can_be_cancelled_from_its_progress_component(marketplace):
    client = Client()
    client.force_login(marketplace.analyst)
    job = Job.objects.create(
        kind="train", capability="forecasting", idempotency_key="x", requested_by=marketplace.analyst
    )
    assert b"Cancel</button>" in client.get(f"/analyst/models/jobs/{job.pk}/").content
    response = client.post(f"/analyst/models/jobs/{job.pk}/cancel/", HTTP_HX_REQUEST="true")
    job.refresh_from_db()
    assert job.state == "cancelled" and b"Cancelled" in response.content


def test_the_models_page_breaks_the_serving_backtest_down_by_model_and_class(client, demand_history):
    from retailiq.registry.models import Job
    from retailiq.registry.services import training_job_run

    job = Job.objects.create(kind="train", capability="forecasting", idempotency_key="page-breakdown")
    version = training_job_run(job_id=job.pk, worker="w").model_version
    client.force_login(demand_history.analyst)
    page = client.get("/analyst/models/").content.decode()
    assert "per model and per demand class" in page and "RMSSE" in page
    for member in version.metrics["backtest"]["models"]:
        assert f'<th scope="row">{member}</th>' in page


def test_models_page_says_tuning_and_comparing_in_plain_words(marketplace):
    client = Client()
    client.force_login(marketplace.analyst)
    page = client.get("/analyst/models/").content.decode()
    assert "Search for better settings" in page and "no, use the defaults" in page and "for up to 30 seconds" in page
    assert "up to 30 s<" not in page and ">none<" not in page
    assert "scored forecasts meet actual sales" not in page  # reorder predicts orders, not sales
    # With one version there is nothing to compare: no "Compare v1 with v1".
    ModelVersion.objects.create(capability="forecasting", algorithm="mean", status=ModelStatus.READY)
    page = client.get("/analyst/models/").content.decode()
    assert 'name="second"' not in page and "Train a second version to compare" in page
    ModelVersion.objects.create(capability="forecasting", algorithm="mean", status=ModelStatus.READY)
    assert 'name="second"' in client.get("/analyst/models/").content.decode()
