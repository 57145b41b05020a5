"""Batch scoring, serving, tuning and monitoring through the forecasting adapter on a
small, known demand history."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from forecasting.models import DemandForecast
from retailiq.celery import app
from retailiq.core.errors import DomainError
from retailiq.core.metrics import PREDICTION_CACHE
from retailiq.registry.models import (
    AccuracyPoint,
    ChunkState,
    Job,
    JobChunk,
    JobState,
    ModelStatus,
    ModelVersion,
    Rollout,
)
from retailiq.registry.services import (
    model_performance,
    model_version_activate,
    model_version_set_rollout,
    monitoring_refresh,
    prediction_serve,
    scheduled_scoring_create,
    scoring_chunk_run,
    scoring_job_create,
    scoring_job_plan,
    scoring_job_run_here,
    training_job_run,
)
from tests.conftest import DEMAND_END

CAPABILITY = "forecasting"


def train(params=None, key="t"):
    job = Job.objects.create(kind="train", capability=CAPABILITY, idempotency_key=key, params=params or {})
    job = training_job_run(job_id=job.pk, worker="w")
    assert job.state == JobState.SUCCEEDED, job.error
    return job.model_version


def wait_for(job, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.state} after {seconds}s: {job.message}")


def test_training_backtests_records_the_data_and_a_drift_profile(demand_history):
    version = train()
    assert version.status == ModelStatus.ACTIVE and version.algorithm == "ensemble"
    assert version.data_end == DEMAND_END and version.training_rows == 2 * 730
    assert 0 <= version.metrics["coverage_80"] <= version.metrics["coverage_95"] <= 1
    backtest = version.metrics["backtest"]
    assert {"seasonal_naive", "moving_average", "ensemble"} <= set(backtest["models"])
    assert all(w >= 0 for w in backtest["weights"]["all"]) and sum(backtest["weights"]["all"]) > 0
    assert version.params["members"] == ["seasonal_naive", "moving_average", "lightgbm"]
    assert set(version.drift_reference) == {"units", "units_mean_7d", "units_mean_28d"}
    assert version.artifact.name.startswith(f"models/forecasting/{version.pk}/ensemble")


def test_tuning_searches_within_its_budget_and_is_recorded(demand_history):
    version = train({"tuning_seconds": 30, "tuning_trials": 2})
    assert 1 <= version.tuning["trials"] <= 2 and version.tuning["library"].startswith("optuna")
    assert set(version.tuning["best_params"]) == {"learning_rate", "num_leaves", "min_data_in_leaf", "rounds"}


def test_batch_scoring_writes_each_prediction_once_however_often_a_chunk_is_delivered(demand_history):
    version = train()
    job = scoring_job_create(capability=CAPABILITY, user=None, params={"chunk_size": 1})
    numbers = scoring_job_plan(job_id=job.pk, worker="w")
    assert numbers == [0, 1]
    assert scoring_job_plan(job_id=job.pk, worker="w2") == []  # a redelivered planner plans nothing
    written = scoring_chunk_run(job_id=job.pk, number=0)
    # One product's 14 days in total, at its warehouse and in its region.
    assert written == 42 and scoring_chunk_run(job_id=job.pk, number=0) == 0  # redelivered: nothing again
    # Even a chunk run a second time in full (its row reset) upserts the same rows.
    JobChunk.objects.filter(job=job, number=0).update(state=ChunkState.QUEUED)
    assert scoring_chunk_run(job_id=job.pk, number=0) == 42
    scoring_chunk_run(job_id=job.pk, number=1)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.percent == 100
    forecasts = DemandForecast.objects.filter(model_version=version, location_kind="all")
    assert forecasts.count() == 28  # 2 products x 14 days, no duplicates
    first = forecasts.filter(product=demand_history.product_1).order_by("target_date").first()
    assert first.target_date == DEMAND_END + dt.timedelta(days=1) and first.origin_date == DEMAND_END
    assert first.lower_95 <= first.lower_80 <= first.quantity <= first.upper_80 <= first.upper_95


def _times_analysed(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the statistics views are cached per transaction
        cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_a_finished_batch_refreshes_the_planner_statistics_of_its_prediction_table(demand_history):
    train()
    job = scoring_job_create(capability=CAPABILITY, user=None, params={"chunk_size": 1})
    scoring_job_plan(job_id=job.pk, worker="w")
    table = DemandForecast._meta.db_table
    before = _times_analysed(table)
    scoring_chunk_run(job_id=job.pk, number=0)
    assert _times_analysed(table) == before  # not after every chunk: once the batch is whole
    scoring_chunk_run(job_id=job.pk, number=1)
    assert _times_analysed(table) == before + 1


def test_batch_scoring_runs_as_a_group_through_a_real_worker(transactional_db, demand_history):
    train()
    with start_worker(
        app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10, queues=["default"]
    ):
        job = wait_for(scoring_job_create(capability=CAPABILITY, user=None, params={"chunk_size": 1}))
    assert job.state == JobState.SUCCEEDED, job.error
    assert job.chunks.filter(state=ChunkState.DONE).count() == 2
    assert DemandForecast.objects.filter(location_kind="all").count() == 28


def test_scoring_needs_a_trained_model(db):
    with pytest.raises(DomainError, match="train one before batch scoring"):
        scoring_job_create(capability=CAPABILITY, user=None)


def inputs(product):
    return {"product_id": product.pk, "horizon": 7, "as_of": DEMAND_END.isoformat()}


def cache_count(result):
    return PREDICTION_CACHE.labels(CAPABILITY, result)._value.get()


def test_serving_falls_back_to_the_baseline_and_says_so(demand_history):
    served = prediction_serve(capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key="r")
    assert served.model["fallback"] and served.model["version"] is None and "baseline" in served.model["note"]
    assert len(served.result["days"]) == 7


def test_predictions_are_cached_per_version_and_a_new_champion_is_served_at_once(demand_history):
    first = train(key="a")
    misses, hits = cache_count("miss"), cache_count("hit")
    one = prediction_serve(capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key="r")
    again = prediction_serve(capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key="r")
    assert (one.cached, again.cached) == (False, True) and one.result == again.result
    assert (cache_count("miss") - misses, cache_count("hit") - hits) == (1, 1)
    second = train({"method": "naive"}, key="b")
    model_version_activate(version=second)
    after = prediction_serve(capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key="r")
    assert after.model["version"] == second.pk != first.pk and not after.cached


def test_a_challenger_serves_its_share_and_a_shadow_is_scored_but_never_shown(demand_history):
    champion = train(key="a")
    challenger = train({"method": "naive"}, key="b")
    model_version_set_rollout(version=challenger, rollout=Rollout.SHARE, traffic_share=0.5)
    roles = {
        prediction_serve(
            capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key=f"retailer-{n}"
        ).model["role"]
        for n in range(40)
    }
    assert roles == {"champion", "challenger"}
    same_caller = {
        prediction_serve(capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key="shop-7").model[
            "version"
        ]
        for _ in range(5)
    }
    assert len(same_caller) == 1  # one caller keeps seeing one model
    model_version_set_rollout(version=challenger, rollout=Rollout.SHADOW)
    served = prediction_serve(capability=CAPABILITY, inputs=inputs(demand_history.product_1), routing_key="x")
    assert served.model["version"] == champion.pk and served.shadow is not None
    with pytest.raises(DomainError, match="not serving can be a challenger"):
        model_version_set_rollout(version=champion, rollout=Rollout.SHADOW)


def test_live_accuracy_compares_forecasts_with_what_was_sold_and_drift_is_reported(demand_history):
    version = train({"as_of": (DEMAND_END - dt.timedelta(days=14)).isoformat()})
    job = scoring_job_create(
        capability=CAPABILITY, user=None, params={"as_of": (DEMAND_END - dt.timedelta(days=14)).isoformat()}
    )
    for number in scoring_job_plan(job_id=job.pk, worker="w"):
        scoring_chunk_run(job_id=job.pk, number=number)
    summary = monitoring_refresh(capability=CAPABILITY, since=DEMAND_END - dt.timedelta(days=30))
    assert summary["accuracy_points"] == 28  # 14 days x (mae, wape)
    wape = AccuracyPoint.objects.filter(model_version=version, metric="wape")
    assert wape.count() == 14 and all(0 <= p.value < 1 for p in wape)
    performance = model_performance(capability=CAPABILITY)[0]
    assert performance["model_version"] == version.pk and len(performance["live_accuracy"]) == 28
    assert performance["drift"] is not None and set(performance["drift"]["psi"]) == {
        "units",
        "units_mean_7d",
        "units_mean_28d",
    }
    assert timezone.now() - performance["drift"]["computed_at"] < dt.timedelta(minutes=1)


def test_a_fast_training_keeps_the_members_fitted_at_the_last_origin(demand_history):
    version = train({"refit": "false", "backtest_origins": 2}, key="fast")
    assert version.params["refit"] is False and version.params["backtest_origins"] == 2
    served = prediction_serve(
        capability=CAPABILITY,
        inputs={"product_id": demand_history.product_1.pk, "horizon": 7, "as_of": DEMAND_END.isoformat()},
        routing_key="r",
    )
    assert served.model["version"] == version.pk and len(served.result["days"]) == 7


STALE_SET = {"feature_set": {"name": "retired.set", "version": "1.0"}}


def test_batch_scoring_refuses_a_version_trained_on_features_the_code_no_longer_computes(demand_history):
    version = train()
    scoring_job_run_here(job_id=scoring_job_create(capability=CAPABILITY, user=None, enqueue=False).pk, worker="w")
    kept = DemandForecast.objects.filter(model_version=version).count()
    assert kept > 0
    queued = scoring_job_create(capability=CAPABILITY, user=None, enqueue=False, idempotency_key="queued")
    ModelVersion.objects.filter(pk=version.pk).update(params={**version.params, **STALE_SET})

    with pytest.raises(DomainError, match="no longer registered") as refused:
        scoring_job_create(capability=CAPABILITY, user=None, enqueue=False)
    assert refused.value.code == "stale_feature_set"
    # A job queued before the features changed fails when it runs, and the earlier predictions stay.
    assert scoring_job_plan(job_id=queued.pk, worker="w") == []
    queued.refresh_from_db()
    assert queued.state == JobState.FAILED and "retired.set" in queued.error
    assert DemandForecast.objects.filter(model_version=version).count() == kept
    assert scheduled_scoring_create(capability=CAPABILITY, on=DEMAND_END) == []


def test_a_new_training_replaces_a_champion_trained_on_other_features(demand_history):
    stale = train(key="first")
    assert train(key="second").status != ModelStatus.ACTIVE  # a champion that serves stays
    ModelVersion.objects.filter(pk=stale.pk).update(params={**stale.params, **STALE_SET})
    fresh = train(key="third")
    fresh.refresh_from_db()
    assert fresh.status == ModelStatus.ACTIVE
    assert scoring_job_create(capability=CAPABILITY, user=None, enqueue=False).model_version_id == fresh.pk


def test_train_models_if_missing_trains_again_when_the_champion_cannot_serve(demand_history):
    from io import StringIO

    from django.core.management import call_command

    served = train()
    out = StringIO()
    call_command("train_models", capability=[CAPABILITY], if_missing=True, stdout=out)
    assert "a model already serves; skipped" in out.getvalue()
    ModelVersion.objects.filter(pk=served.pk).update(params={**served.params, **STALE_SET})
    out = StringIO()
    call_command("train_models", capability=[CAPABILITY], if_missing=True, stdout=out)
    assert f"version {served.pk} cannot serve" in out.getvalue() and "trained" in out.getvalue()
    assert ModelVersion.objects.get(status=ModelStatus.ACTIVE, capability=CAPABILITY).pk != served.pk
