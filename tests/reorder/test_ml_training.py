"""Training the reorder ensemble end to end on a small seeded history: metrics against the baselines, the served
model's frame, and its artifact. Nets get one epoch: these tests check the plumbing, not the nets' skill."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from reorder.ml.calibration import choose_calibrator, expected_calibration_error
from reorder.ml.ensemble import fit_blend_weights
from reorder.ml.pipeline import load_model, train_reorder_model
from tests.reorder.synthetic import periodic_history

SMALL = {"n_cutoffs": 8, "step_days": 14, "validation_cutoffs": 2, "test_cutoffs": 1, "gap_days": 0}


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return periodic_history(n_retailers=40, n_products=20, days=300, seed=1, churn_share=0.4)


@pytest.fixture(scope="module")
def lightgbm_result(history):
    return train_reorder_model(history, params={**SMALL, "members": ["lightgbm"]})


def test_lightgbm_ensemble_beats_both_baselines_when_some_pairs_churn(lightgbm_result):
    # Churned pairs look "overdue" for ever. The overdue rule reads a long silence as a lapse (about 0.94 here, where
    # the earlier rule scored below chance); the learned model, which learns who is gone, must still beat it.
    evaluation = lightgbm_result.metrics["evaluation"]["horizons"]["14"]["models"]
    assert {"baseline_overdue", "baseline_logreg", "lightgbm", "retailiq_ensemble"} <= set(evaluation)
    assert evaluation["retailiq_ensemble"]["roc_auc"] > 0.85
    assert evaluation["baseline_overdue"]["roc_auc"] > 0.85
    assert evaluation["retailiq_ensemble"]["roc_auc"] > evaluation["baseline_overdue"]["roc_auc"]
    assert evaluation["retailiq_ensemble"]["roc_auc"] > evaluation["baseline_logreg"]["roc_auc"]
    metrics = lightgbm_result.metrics
    for name in ("roc_auc", "pr_auc", "f1", "brier", "precision_at_100", "quantity_mae", "ece_after"):
        assert np.isfinite(metrics[name]), name
    assert lightgbm_result.algorithm == "reorder_ensemble:lightgbm"


def test_the_split_never_shares_a_cutoff(lightgbm_result):
    cutoffs = lightgbm_result.metrics["evaluation"]["cutoffs"]
    train, validation, test = (set(cutoffs[p]) for p in ("train", "validation", "test"))
    assert train and validation and test
    assert max(train) < min(validation) <= max(validation) < min(test)


def test_trained_model_serves_every_pair_and_survives_its_artifact(history, lightgbm_result):
    as_of = pd.Timestamp("2023-10-20")
    frame = lightgbm_result.model.predict(history, as_of)
    assert {"probability_7", "probability_14", "probability_30", "expected_quantity", "reasons"} <= set(frame.columns)
    assert frame["probability_14"].between(0, 1).all()
    assert (frame["expected_quantity"] >= 1).all()
    assert frame["reasons"].map(len).min() >= 1
    reloaded = load_model(lightgbm_result.model.to_bytes())
    pd.testing.assert_frame_equal(reloaded.predict(history, as_of), frame)


def test_nets_join_the_ensemble_and_their_artifacts_round_trip(history):
    result = train_reorder_model(
        history, params={**SMALL, "members": ["lightgbm", "ffn", "lstm"], "epochs": 1, "refit": False}
    )
    models = result.metrics["evaluation"]["horizons"]["14"]["models"]
    assert {"lightgbm", "ffn", "lstm", "retailiq_ensemble"} <= set(models)
    as_of = pd.Timestamp("2023-10-20")
    frame = result.model.predict(history, as_of)
    reloaded = load_model(result.model.to_bytes()).predict(history, as_of)
    np.testing.assert_allclose(reloaded["probability_14"], frame["probability_14"], rtol=1e-5, atol=1e-6)


def test_unknown_member_fails_before_any_work(history):
    with pytest.raises((ValueError, KeyError), match="gradient_boosted_sheep"):
        train_reorder_model(history, params={**SMALL, "members": ["gradient_boosted_sheep"]})


def test_blend_weights_favour_the_informative_member():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    informative = np.clip(y * 0.6 + rng.normal(0.2, 0.15, 2000), 0.01, 0.99)
    noise = rng.uniform(0.01, 0.99, 2000)
    weights = fit_blend_weights(y, np.column_stack([informative, noise]))
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] > 0.8


def test_calibration_lowers_the_calibration_error_of_a_distorted_score():
    rng = np.random.default_rng(1)
    truth = rng.uniform(0, 1, 4000)
    y = (rng.uniform(0, 1, 4000) < truth).astype(int)
    distorted = truth**3  # ranks right, probabilities far too low
    calibrator, report = choose_calibrator(y, distorted)
    assert expected_calibration_error(y, calibrator.transform(distorted)) < expected_calibration_error(y, distorted) / 2
    assert report


def test_serving_modules_import_neither_django_nor_tensorflow():
    code = (
        "import sys, reorder.ml.pipeline, reorder.ml.ensemble, reorder.ml.training;"
        "bad = [m for m in ('django', 'tensorflow') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_recorded_calls_become_features_that_serving_reads(history):
    # Shops told a rep "not now" on a quarter of their pairs' due days: the calls carry signal a model can use.
    rng = np.random.default_rng(4)
    pairs = history.drop_duplicates(["retailer_id", "product_id"]).sample(frac=0.5, random_state=0)
    calls = pd.DataFrame(
        {
            "retailer_id": pairs["retailer_id"].to_numpy(),
            "product_id": pairs["product_id"].to_numpy(),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(30, 290, len(pairs)), unit="D"),
            "outcome": rng.choice(["not_now", "ordered", "unreachable"], len(pairs)),
        }
    )
    result = train_reorder_model(history, params={**SMALL, "members": ["lightgbm"], "refit": False}, calls=calls)
    assert {"days_since_last_call", "last_call_not_now"} <= set(result.model.feature_names)
    as_of = pd.Timestamp("2023-10-20")
    with_calls = result.model.predict(history, as_of, calls=calls)
    without = result.model.predict(history, as_of)  # a shop never called gets neutral values, not an error
    assert len(with_calls) == len(without)
    reloaded = load_model(result.model.to_bytes())
    pd.testing.assert_frame_equal(reloaded.predict(history, as_of, calls=calls), with_calls)


def test_no_recorded_call_trains_without_call_features(history):
    empty = pd.DataFrame(columns=["retailer_id", "product_id", "date", "outcome"])
    result = train_reorder_model(history, params={**SMALL, "members": ["lightgbm"], "refit": False}, calls=empty)
    assert "days_since_last_call" not in result.model.feature_names
