"""Forecasting's features through the feature store: the row one product's serving read computes at a cutoff is
that product's row in the whole catalog's read at the same cutoff, the global model's first forecast step reads that
very row, and the version records its feature set so serving refuses one trained on other features."""

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import pytest

import forecasting.features as store
from forecasting.features import DEMAND_FEATURES, demand_features_at, offline_demand_features, online_demand_features
from forecasting.ml.features import next_period_frame, spec_for
from forecasting.ml.lgbm import GlobalLightGBM
from forecasting.ml.matrix import DemandMatrix
from retailiq.features import FeatureValidationError, recorded
from retailiq.registry.models import Job, JobState, ModelVersion
from retailiq.registry.services import prediction_serve, training_job_run
from retailiq.registry.services.versions import serving_cache_key

END = dt.date(2026, 11, 21)  # the `demo` fixture's last day (tests/conftest.py)
CUTOFF = END - dt.timedelta(days=20)  # inside the history, with promotions and events planned after it


def _assert_online_equals_offline(offline: pd.DataFrame) -> None:
    for product in offline["series_id"]:
        online = online_demand_features(product_id=int(product), as_of=CUTOFF)
        expected = offline[offline["series_id"] == product].reset_index(drop=True)
        pd.testing.assert_frame_equal(online, expected, check_exact=False, rtol=1e-9)


def test_each_products_online_row_equals_its_offline_row_at_the_same_cutoff(demo):
    offline = offline_demand_features(cutoff=CUTOFF)
    assert len(offline) > 20 and list(offline.columns) == ["series_id", "date", *DEMAND_FEATURES.column_names]
    assert (offline["date"] == pd.Timestamp(CUTOFF + dt.timedelta(days=1))).all()
    assert offline["price"].nunique() > 10 and offline["static_category"].nunique() > 1  # drivers and catalog read
    _assert_online_equals_offline(offline)


def test_a_serving_window_shorter_than_the_lookback_would_serve_other_features(demo, monkeypatch):
    """The 365 days served until the store: last year's mean and growth went missing at serving."""
    offline = offline_demand_features(cutoff=CUTOFF)
    monkeypatch.setattr(store, "SERVING_HISTORY_DAYS", 365)
    product = int(offline["series_id"].iloc[0])
    online = online_demand_features(product_id=product, as_of=CUTOFF)
    assert online["last_year_mean_364"].isna().all() and offline["last_year_mean_364"].notna().all()


def test_a_broken_feature_row_is_refused_by_name(demo, monkeypatch):
    real = store.next_period_frame
    monkeypatch.setattr(store, "next_period_frame", lambda *a, **k: real(*a, **k).assign(promo=2.0))
    with pytest.raises(FeatureValidationError, match=r"forecasting.daily: column promo has \d+ values above 1"):
        offline_demand_features(cutoff=CUTOFF)


def test_the_global_models_first_step_reads_the_store_row():
    rng = np.random.default_rng(3)
    n_series, n_days = 6, 460
    days = pd.date_range("2025-01-01", periods=n_days, freq="D")
    values = rng.poisson(rng.uniform(2, 12, (n_series, 1)), size=(n_series, n_days)).astype(float)
    promo = (rng.random((n_series, n_days + 7)) < 0.1).astype(float)
    price = rng.uniform(10, 12, (n_series, n_days + 7))
    matrix = DemandMatrix(
        series_ids=np.arange(n_series) + 100,
        days=days,
        values=values,
        exogenous={"promo": promo, "price": price},
        static={"brand": np.arange(n_series)},
    )
    model = GlobalLightGBM(num_boost_round=20).fit(matrix)
    read = []
    real_predict = model.booster_.predict

    def recording(rows, **kwargs):
        read.append(rows.copy())
        return real_predict(rows, **kwargs)

    model.booster_.predict = recording
    model.predict(matrix, 3)
    row = next_period_frame(matrix, spec_for("D", n_days))
    names = [n for n in model.feature_names_ if n != "series"]
    positions = [model.feature_names_.index(n) for n in names]
    np.testing.assert_array_equal(read[0][:, positions], row[names].to_numpy(dtype=float))


def test_the_version_records_its_feature_set_and_serving_refuses_another(demand_history):
    params = {"members": "seasonal_naive,moving_average", "backtest_origins": "2"}
    job = Job.objects.create(
        kind="train", capability="forecasting", idempotency_key=f"test:{uuid.uuid4()}", params=params
    )
    job = training_job_run(job_id=job.pk, worker="test")
    assert job.state == JobState.SUCCEEDED, job.error
    version = job.model_version
    assert version.params["feature_set"] == recorded(DEMAND_FEATURES)["feature_set"]

    inputs = {"product_id": demand_history.product_1.pk, "as_of": "2026-03-31", "horizon": 7}
    served = prediction_serve(capability="forecasting", inputs=inputs, routing_key="t")
    assert served.model["version"] == version.pk and not served.model["fallback"]

    ModelVersion.objects.filter(pk=version.pk).update(
        params={**version.params, "feature_set": {"name": "forecasting.daily", "version": "0.stale"}}
    )
    from django.core.cache import cache

    cache.delete(serving_cache_key("forecasting", ""))
    refused = prediction_serve(capability="forecasting", inputs={**inputs, "horizon": 6}, routing_key="t")
    assert refused.model["fallback"] and refused.model["version"] is None
    assert f"Version {version.pk} is not served" in refused.model["note"]
    assert "forecasting.daily@0.stale" in refused.model["note"] and DEMAND_FEATURES.label in refused.model["note"]


def test_the_feature_row_of_a_matrix_without_history_is_empty():
    empty = DemandMatrix(
        series_ids=np.array([], dtype=int), days=pd.date_range("2026-01-01", periods=3), values=np.zeros((0, 3))
    )
    assert demand_features_at(empty).empty
