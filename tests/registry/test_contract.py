"""The contract every capability keeps with the model lifecycle, run once per adapter that an
installed app registers: train (small, fast parameters) → load → predict → score twice (the
same rows, no duplicates) → a failed training keeps the version that serves → live accuracy
in its documented columns. A new capability gets these checks by adding one line to CASES."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from django.apps import apps

from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace
from retailiq.registry.adapters import DECLARED, BatchScoring, Monitored, adapter_for, registered_adapters
from retailiq.registry.capabilities import job_kind_choices
from retailiq.registry.models import Job, JobKind, JobState, ModelStatus, ModelVersion
from retailiq.registry.services import (
    active_model_version,
    prediction_serve,
    scoring_job_create,
    scoring_job_run_here,
    training_job_run,
)
from retailiq.registry.services.scoring import loaded_model

END = dt.date(2026, 3, 1)
LIVE_ACCURACY_COLUMNS = ["model_version_id", "day", "metric", "value", "observations"]


@dataclass(frozen=True)
class Case:
    params: dict[str, Any]  # small and fast: seconds, not minutes
    inputs: Callable[[int, str], dict[str, Any]]  # one prediction's inputs, from a scored entity and the day


CASES = {
    "forecasting": Case(
        params={"members": "seasonal_naive,moving_average", "backtest_origins": 2, "history_days": 120, "horizon": 7},
        inputs=lambda product_id, as_of: {"product_id": product_id, "as_of": as_of, "horizon": 7},
    ),
    "reorder": Case(
        params={"members": "lightgbm", "n_cutoffs": 6, "step_days": 14, "validation_cutoffs": 1, "gap_days": 0},
        inputs=lambda retailer_id, as_of: {"retailer_id": retailer_id, "as_of": as_of},
    ),
    "recommendations": Case(
        params={"generators": "popularity,peers,item_knn,content", "per_generator": 20, "num_boost_round": 30},
        inputs=lambda retailer_id, as_of: {"retailer_id": retailer_id, "as_of": as_of, "kind": "discover", "k": 5},
    ),
    "optimization": Case(
        params={"history_days": 140, "n_estimators": 20, "step_days": 7, "test_cutoffs": 2},
        inputs=lambda pair_id, as_of: {"pair_ids": [pair_id], "as_of": as_of},
    ),
    "insights": Case(
        params={"history_days": 200},
        inputs=lambda retailer_id, as_of: {"retailer_id": retailer_id, "as_of": as_of},
    ),
}

# The capabilities of installed apps; test stand-ins registered by other tests are left out.
CAPABILITIES = [
    adapter.capability
    for adapter in registered_adapters()
    if apps.get_containing_app_config(type(adapter).__module__) is not None
]


@pytest.fixture
def tiny_market(db):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=END))


def _train(capability: str, params: dict[str, Any], key: str) -> Job:
    job = Job.objects.create(kind=JobKind.TRAIN, capability=capability, idempotency_key=key, params=params)
    return training_job_run(job_id=job.pk, worker="contract")


def _stored_rows(capability: str, version: ModelVersion) -> int:
    """Rows in the capability's own tables that point at the version (its stored predictions)."""
    tables = [
        relation.related_model
        for relation in ModelVersion._meta.related_objects
        if relation.related_model._meta.app_config.name == apps.get_app_config(capability).name
    ]
    assert tables, f"{capability} stores no rows against a model version"
    return sum(table.objects.filter(**{relation_field(table): version}).count() for table in tables)


def relation_field(table) -> str:
    return next(f.name for f in table._meta.fields if f.is_relation and f.related_model is ModelVersion)


def test_every_installed_capability_has_a_case_and_declares_the_contract():
    assert {"forecasting", "reorder"} <= set(CAPABILITIES)
    for capability in CAPABILITIES:
        assert capability in CASES, f"add {capability}'s fast parameters and example inputs to CASES"
        adapter = adapter_for(capability)
        assert all(hasattr(adapter, name) for name in DECLARED)
        assert adapter.live_metric.name and adapter.headline_metrics
        assert {kind.value for kind in adapter.job_kinds} <= {value for value, _ in job_kind_choices()}


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_the_lifecycle_contract(capability, tiny_market, monkeypatch):
    case = CASES[capability]
    adapter = adapter_for(capability)

    # train, then load what was saved
    job = _train(capability, case.params, f"contract:{capability}:1")
    assert job.state == JobState.SUCCEEDED, job.error
    version = job.model_version
    assert version.status == ModelStatus.ACTIVE and version.artifact and version.training_rows > 0
    model = loaded_model(version)

    # predict through the serving path, from an entity batch scoring would cover
    assert isinstance(adapter, BatchScoring)
    params = adapter.scoring_params({})
    entities = adapter.scoring_entities(segment="", params=params)
    assert entities
    served = prediction_serve(
        capability=capability, inputs=case.inputs(entities[0], params["as_of"]), routing_key="contract"
    )
    assert served.model["version"] == version.pk and served.result
    assert adapter.predict(model, case.inputs(entities[0], params["as_of"])) == served.result  # the loaded model

    # score twice: the same rows, written over rather than added to
    first = scoring_job_create(capability=capability, user=None, idempotency_key=f"contract:{capability}:s1")
    assert scoring_job_run_here(job_id=first.pk, worker="contract").state == JobState.SUCCEEDED
    rows = _stored_rows(capability, version)
    assert rows > 0
    again = scoring_job_create(capability=capability, user=None, idempotency_key=f"contract:{capability}:s2")
    assert scoring_job_run_here(job_id=again.pk, worker="contract").state == JobState.SUCCEEDED
    assert _stored_rows(capability, version) == rows

    # a failed training leaves the serving version in place
    def fail(*args, **kwargs):
        raise RuntimeError("training broke")

    monkeypatch.setattr(adapter, "train", fail)
    failed = _train(capability, case.params, f"contract:{capability}:2")
    assert failed.state == JobState.FAILED and "training broke" in failed.error
    assert failed.model_version.status == ModelStatus.FAILED
    assert active_model_version(capability=capability) == version

    # live accuracy in its documented columns, once predictions made earlier meet what happened
    assert isinstance(adapter, Monitored)
    earlier = (END - dt.timedelta(days=20)).isoformat()
    past = scoring_job_create(
        capability=capability, user=None, idempotency_key=f"contract:{capability}:s3", params={"as_of": earlier}
    )
    assert scoring_job_run_here(job_id=past.pk, worker="contract").state == JobState.SUCCEEDED
    accuracy = adapter.live_accuracy(model_version_ids=[version.pk], since=END - dt.timedelta(days=60))
    assert isinstance(accuracy, pd.DataFrame) and list(accuracy.columns) == LIVE_ACCURACY_COLUMNS
    assert not accuracy.empty and adapter.live_metric.name in set(accuracy["metric"])
