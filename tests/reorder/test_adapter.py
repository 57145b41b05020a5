"""The reorder adapter in the model lifecycle: history read from the order lines (returns and cancellations
left out), a LightGBM model trained and activated, every active shop scored once however often it runs, serving
reads the scored day, and live accuracy is measured once the next 14 days are known."""

import datetime as dt
import uuid

import pandas as pd
import pytest
from django.utils import timezone

from reorder.adapter import ReorderAdapter, training_params
from reorder.conf import reorder_settings
from reorder.ml.pipeline import BaselineReorderModel
from reorder.ml.training import TrainingResult
from reorder.models import CallOutcome, ReorderPrediction
from reorder.selectors import HISTORY_COLUMNS, call_outcomes_frame, order_history_frame, reorder_batch_serving
from reorder.services.call_list import build_call_list
from reorder.services.predictions import predict_reorder
from retailiq.registry.adapters import adapter_for
from retailiq.registry.models import Job, JobState
from retailiq.registry.services import scoring_job_create, scoring_job_run_here, training_job_run
from tests import factories as f
from tests.reorder.orders import buy, move_fixture_orders, periodic_history

END = dt.date(2026, 3, 31)
FAST = {"members": "lightgbm", "n_cutoffs": "10", "step_days": "7", "refit": "false"}


def test_the_adapter_is_registered():
    assert isinstance(adapter_for("reorder"), ReorderAdapter)


def test_history_frame_is_the_ml_long_format_without_returns_or_cancellations(marketplace):
    move_fixture_orders(marketplace, END - dt.timedelta(days=30))
    buy(marketplace.shop_a, marketplace.product_1, END, quantity=5)
    buy(marketplace.shop_a, marketplace.product_1, END, quantity=2, kind="return")
    buy(marketplace.shop_b, marketplace.product_2, END, quantity=9, status="cancelled")
    frame = order_history_frame(start=END - dt.timedelta(days=60), end=END)
    assert list(frame.columns) == HISTORY_COLUMNS
    assert len(frame) == 4 and (frame["quantity"] > 0).all()
    assert sorted(frame["quantity"]) == [5.0, 7.0, 10.0, 10.0]
    row = frame[frame["quantity"] == 5].iloc[0]
    assert row["date"] == pd.Timestamp(END) and row["segment"] == "kirana" and row["city"] == "Pune"
    assert row["vendor_id"] == marketplace.vendor_1.pk and row["category_id"] == marketplace.product_1.category_id
    only_b = order_history_frame(retailer_ids=[marketplace.shop_b.pk])
    assert set(only_b["retailer_id"]) == {marketplace.shop_b.pk}
    assert order_history_frame(start=END + dt.timedelta(days=1)).empty


def test_call_outcomes_become_one_row_per_product_discussed(marketplace):
    first = CallOutcome.objects.create(rep=marketplace.rep_a, retailer=marketplace.shop_a, outcome="not_now")
    first.products.set([marketplace.product_1, marketplace.product_2])
    CallOutcome.objects.create(rep=marketplace.rep_a, retailer=marketplace.shop_a, outcome="unreachable")
    frame = call_outcomes_frame()
    assert list(frame.columns) == ["retailer_id", "product_id", "date", "outcome"]
    assert len(frame) == 3 and frame["product_id"].isna().sum() == 1


def test_command_line_parameters_reach_the_ml_typed():
    assert training_params({"members": "lightgbm, ffn", "epochs": "3", "refit": "false", "as_of": "2026-01-01"}) == {
        "members": ["lightgbm", "ffn"],
        "epochs": 3,
        "refit": False,
        "horizon_features": True,  # the app's default: the market context carries what they need
    }
    assert training_params({"horizon_features": "false"})["horizon_features"] is False


@pytest.fixture
def history(marketplace):
    move_fixture_orders(marketplace, END - dt.timedelta(days=230))
    shops = [marketplace.shop_a, marketplace.shop_b, *(f.RetailerFactory() for _ in range(10))]
    products = [marketplace.product_1, marketplace.product_2, *(f.ProductFactory() for _ in range(4))]
    periodic_history(shops, products, end=END, days=220, seed=3)
    return marketplace


def _train(params: dict) -> Job:
    job = Job.objects.create(kind="train", capability="reorder", idempotency_key=f"test:{uuid.uuid4()}", params=params)
    return training_job_run(job_id=job.pk, worker="test")


def _score(as_of: dt.date | None = None) -> Job:
    params = {"as_of": as_of.isoformat()} if as_of else {}
    scoring = scoring_job_create(capability="reorder", user=None, params=params, enqueue=False)
    return scoring_job_run_here(job_id=scoring.pk, worker="test")


def test_train_score_twice_serve_and_monitor(history):
    job = _train(FAST)
    assert job.state == JobState.SUCCEEDED, job.error
    version = job.model_version
    assert version.status == "active" and version.data_end == END and version.artifact.name.endswith("reorder.zip")
    assert version.params["members"] == ["lightgbm"] and version.metrics

    first = _score()
    assert first.state == JobState.SUCCEEDED, first.error
    rows = ReorderPrediction.objects.filter(model_version=version, as_of=END + dt.timedelta(days=1))
    written = rows.count()
    assert written > 10 and rows.filter(retailer=history.shop_a).exists()
    row = rows.first()
    assert set(row.probabilities) == {"7", "14", "30"} and 0 <= row.probability <= 1
    assert row.priority == pytest.approx(row.probability * row.expected_value, rel=1e-6)
    assert _score().state == JobState.SUCCEEDED
    assert rows.count() == written  # scoring the same day again overwrites in place

    batch = reorder_batch_serving()
    assert batch.version == version and batch.stored
    calls = build_call_list(user=history.rep_a)
    assert calls.model_label == f"{version.algorithm} v{version.pk}"
    assert [e.retailer for e in calls.entries] == [history.shop_a]

    answer = predict_reorder(user=history.analyst, retailer_id=history.shop_a.pk)
    assert answer["model"]["version"] == version.pk and answer["predictions"]

    earlier = END - dt.timedelta(days=20)
    assert _score(earlier).state == JobState.SUCCEEDED
    accuracy = ReorderAdapter().live_accuracy(model_version_ids=[version.pk], since=END - dt.timedelta(days=60))
    assert set(accuracy["metric"]) == {"brier_14", "roc_auc_14"}
    assert (accuracy["day"] == earlier).all()  # a given day is the as_of itself
    assert accuracy["value"].between(0, 1).all() and (accuracy["observations"] > 10).all()


def test_recorded_call_outcomes_are_training_data_and_change_the_recorded_hash(history, monkeypatch):
    # The model learns from reps' call outcomes, so a new one is new training data: the version's hash says so.
    handed = []

    def train_reorder_model(frame, *, horizons, params, progress, calls):
        handed.append(calls)
        return TrainingResult(model=BaselineReorderModel(horizons=tuple(horizons)), algorithm="baseline")

    monkeypatch.setattr("reorder.ml.pipeline.train_reorder_model", train_reorder_model)
    first, again = _train({}), _train({})
    assert first.state == again.state == JobState.SUCCEEDED, first.error
    assert first.model_version.training_data_hash == again.model_version.training_data_hash
    assert handed[-1].empty

    called_at = timezone.make_aware(dt.datetime.combine(END - dt.timedelta(days=3), dt.time(11)))
    call = CallOutcome.objects.create(
        rep=history.rep_a, retailer=history.shop_a, outcome="not_now", called_at=called_at
    )
    call.products.set([history.product_1])
    after = _train({})
    assert after.state == JobState.SUCCEEDED, after.error
    assert after.model_version.training_data_hash != first.model_version.training_data_hash
    assert after.model_version.training_rows == first.model_version.training_rows  # the orders did not change
    assert handed[-1][["retailer_id", "product_id", "outcome"]].values.tolist() == [
        [history.shop_a.pk, history.product_1.pk, "not_now"]
    ]


def test_settings_give_defaults_that_a_runs_own_parameters_override(monkeypatch):
    monkeypatch.setenv("RETAILIQ_REORDER_TRAIN_PARAMS", "members=lightgbm;ffn,epochs=3,n_cutoffs=6")
    reorder_settings.cache_clear()
    try:
        assert training_params({"epochs": 5}) == {
            "members": ["lightgbm", "ffn"],
            "epochs": 5,
            "n_cutoffs": 6,
            "horizon_features": True,
        }
    finally:
        reorder_settings.cache_clear()
