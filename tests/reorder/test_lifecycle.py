"""The reorder capability through the model lifecycle: train on the database's orders, serve, batch-score, and
feed the call list from the stored predictions; a failed training leaves the serving model in place."""

import datetime as dt

import pytest
from django.core.management import call_command

from reorder.models import ReorderPrediction
from reorder.services.call_list import build_call_list
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace
from retailiq.registry.adapters import adapter_for
from retailiq.registry.models import ModelStatus, ModelVersion
from retailiq.registry.services.scoring import loaded_model

END = dt.date(2026, 3, 1)
# Small enough for a test: LightGBM only, few cutoffs; the nets have their own tests.
PARAMS = ["members=lightgbm", "n_cutoffs=6", "step_days=14", "validation_cutoffs=1", "gap_days=0"]


@pytest.fixture
def tiny_market(db):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=END))


def test_history_frame_follows_the_ml_long_format(tiny_market):
    frame = adapter_for("reorder").load_training_data(segment="", params={}).frame
    assert {"retailer_id", "product_id", "date", "quantity", "unit_price", "discount_rate", "segment"} <= set(
        frame.columns
    )
    assert (frame["quantity"] > 0).all()  # returns are not purchases
    assert frame["date"].max().date() <= END


def test_train_and_score_through_the_command_then_the_call_list_reads_stored_rows(tiny_market):
    call_command("train_models", capability=["reorder"], param=PARAMS)
    version = ModelVersion.objects.get(capability="reorder", status=ModelStatus.ACTIVE)
    # Whichever beat the other on validation serves, and the version says which.
    served = {
        "retailiq_ensemble": "reorder_ensemble:lightgbm",
        "baseline_logreg_strong": "reorder_logit:baseline_logreg_strong",
    }
    assert version.algorithm == served[version.metrics["served_model"]]
    assert 0.5 < version.metrics["roc_auc"] <= 1
    assert "baseline_overdue" in version.metrics["evaluation"]["horizons"]["14"]["models"]
    stored = ReorderPrediction.objects.filter(model_version=version)
    assert stored.exists()
    assert all(set(p) == {"7", "14", "30"} for p in stored.values_list("probabilities", flat=True)[:20])

    # scoring the same day again replaces the rows rather than adding to them
    count = stored.count()
    adapter = adapter_for("reorder")
    model = loaded_model(version)
    params = adapter.scoring_params({})
    rows = adapter.score(model, adapter.scoring_entities(segment="", params=params), params=params)
    adapter.write_predictions(model_version_id=version.pk, predictions=rows)
    assert stored.count() == count

    from retailiq.accounts.models import User

    analyst = User.objects.get(username="analyst")
    call_list = build_call_list(user=analyst, capacity=5)
    assert call_list.model_version_id == version.pk
    assert len(call_list.entries) == 5
    priorities = [entry.priority for entry in call_list.entries]
    assert priorities == sorted(priorities, reverse=True)


def test_scoring_in_chunks_of_shops_equals_one_pass_over_the_marketplace(tiny_market):
    import pandas as pd
    from django.core.cache import cache

    from reorder.adapter import scoring_context
    from reorder.ml.horizon_features import uses_horizon_features
    from retailiq.registry.models import JobState
    from retailiq.registry.services import scoring_job_create
    from retailiq.registry.services.scoring import scoring_job_run_here

    call_command("train_models", capability=["reorder"], param=PARAMS)
    version = ModelVersion.objects.get(capability="reorder", status=ModelStatus.ACTIVE)
    adapter, model = adapter_for("reorder"), loaded_model(version)
    # The product's default model reads the horizon and co-occurrence columns, whose marketplace half each chunk
    # takes from the job's context.
    assert version.metrics["served_model"] == "retailiq_ensemble"
    assert uses_horizon_features(model.feature_names)
    assert adapter.scoring_params({})["context_key"] is None  # one chunk of every shop reads the whole history
    params = adapter.scoring_params({"chunk_size": 5})
    shops = adapter.scoring_entities(segment="", params=params)
    as_of = dt.date.fromisoformat(params["as_of"])
    one_pass = adapter._predict_rows(model, as_of, shops)  # every shop's history read, no context
    assert len(shops) > 10 and len(one_pass) > 50

    def chunked() -> pd.DataFrame:
        parts = [adapter.score(model, shops[i : i + 5], params=params) for i in range(0, len(shops), 5)]
        return pd.concat(parts, ignore_index=True)

    pd.testing.assert_frame_equal(chunked(), one_pass, check_exact=True)
    cache.delete(params["context_key"])  # a chunk that finds the context gone recomputes the same one
    pd.testing.assert_frame_equal(chunked(), one_pass, check_exact=True)
    assert scoring_context(as_of=as_of, key=params["context_key"]).cutoff == pd.Timestamp(as_of)

    # Through the registry: planned into chunks of five shops, the stored rows are the one pass's.
    ReorderPrediction.objects.filter(model_version=version).delete()
    job = scoring_job_create(
        capability="reorder", user=None, model_version=version, params={"chunk_size": 5}, enqueue=False
    )
    job = scoring_job_run_here(job_id=job.pk, worker="test")
    assert job.state == JobState.SUCCEEDED and job.chunks.count() == -(-len(shops) // 5)
    stored = ReorderPrediction.objects.filter(model_version=version, as_of=as_of)
    assert stored.count() == len(one_pass)
    by_pair = {(r, p): prob for r, p, prob in stored.values_list("retailer_id", "product_id", "probability")}
    for row in one_pass.itertuples():
        assert by_pair[(row.retailer_id, row.product_id)] == pytest.approx(row.probability, abs=1e-12)


def test_a_failed_training_run_leaves_the_serving_model(tiny_market):
    call_command("train_models", capability=["reorder"], param=PARAMS)
    serving = ModelVersion.objects.get(capability="reorder", status=ModelStatus.ACTIVE)
    with pytest.raises(Exception, match="no_such_member"):
        call_command("train_models", capability=["reorder"], param=[*PARAMS[1:], "members=no_such_member"])
    assert ModelVersion.objects.get(capability="reorder", status=ModelStatus.ACTIVE) == serving


def test_rows_of_no_version_are_replaced_when_written_again(tiny_market):
    adapter = adapter_for("reorder")
    params = adapter.scoring_params({})
    rows = adapter.score(adapter.baseline(), adapter.scoring_entities(segment="", params=params), params=params)
    adapter.write_predictions(model_version_id=None, predictions=rows)
    adapter.write_predictions(model_version_id=None, predictions=rows)
    assert ReorderPrediction.objects.filter(model_version__isnull=True).count() == len(rows) > 0
