"""The stockout model's training glue, without a database: features at a cutoff read from a window equal those
read from the whole history, training evaluates against both baselines, and the artifact round-trips (no pickle)."""

import io
import zipfile

import numpy as np
import pandas as pd

from optimization.ml.ledger import LedgerOptions, simulate_ledger
from optimization.ml.stockout import StockoutOptions, stockout_frame
from optimization.ml.training import (
    CoverRuleModel,
    frame_at,
    model_from_bytes,
    model_to_bytes,
    train_stockout_model,
)


def _ledger():
    rng = np.random.default_rng(0)
    demand = rng.poisson(rng.uniform(0.2, 4, (120, 1)), (120, 200)).astype(float)
    return simulate_ledger(demand, LedgerOptions(seed=1))


def test_a_cutoff_reads_only_its_window_and_gets_the_same_features():
    daily, deliveries = _ledger()
    for cutoff in (56, 100, 186):
        whole = stockout_frame(daily, deliveries, cutoff).assign(cutoff=cutoff)
        pd.testing.assert_frame_equal(whole, frame_at(daily, deliveries, cutoff), check_dtype=False)


def test_training_reports_both_baselines_and_the_artifact_round_trips():
    daily, deliveries = _ledger()
    model, metrics = train_stockout_model(daily, deliveries, test_cutoffs=3, options=StockoutOptions(n_estimators=20))
    assert {"pr_auc", "roc_auc", "brier", "cover_rule_pr_auc", "logistic_pr_auc", "pr_auc_ratio"} <= set(metrics)
    artifact = model_to_bytes(model)
    names = zipfile.ZipFile(io.BytesIO(artifact)).namelist()
    assert sorted(names) == ["days_to_stockout.json", "meta.json", "stockout_14.json", "stockout_lead_time.json"]
    frame = frame_at(daily, deliveries, 150)
    np.testing.assert_allclose(model_from_bytes(artifact).predict(frame)["p_stockout_14"],
                               model.predict(frame)["p_stockout_14"])  # fmt: skip
    baseline = CoverRuleModel().predict(frame)
    assert baseline["p_stockout_14"].between(0, 1).all()
