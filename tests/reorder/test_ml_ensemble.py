"""The ensemble's own pieces (blend and quantity weights, calibrated probabilities that never fall with a longer
horizon) and the served model end to end: the frame it answers, its artifact, and its stored metrics."""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from reorder.ml.calibration import Calibrator
from reorder.ml.ensemble import ReorderEnsemble, fit_blend_weights, fit_quantity_weights
from reorder.ml.pipeline import load_model, train_reorder_model
from reorder.ml.prediction import PREDICTION_COLUMNS
from reorder.ml.training import steps
from tests.reorder.synthetic import periodic_history

SMALL = {"n_cutoffs": 8, "step_days": 14, "validation_cutoffs": 2, "test_cutoffs": 1, "gap_days": 0}
AS_OF = pd.Timestamp("2023-09-01")


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return periodic_history(n_retailers=30, n_products=15, days=270, seed=4, churn_share=0.3)


@pytest.fixture(scope="module")
def result(history):
    return train_reorder_model(history, params={**SMALL, "members": ["lightgbm"]})


def test_blend_weights_sum_to_one_and_ignore_a_useless_member():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 3000)
    good = np.clip(0.15 + 0.7 * y + rng.normal(0, 0.1, 3000), 0.01, 0.99)
    constant = np.full(3000, 0.5)
    weights = fit_blend_weights(y, np.column_stack([constant, good]))
    assert (weights >= 0).all() and weights.sum() == pytest.approx(1.0)
    assert weights[1] > 0.9
    assert fit_blend_weights(y, good[:, None]).tolist() == [1.0]


def test_quantity_weights_follow_the_member_closer_in_log_quantity():
    rng = np.random.default_rng(5)
    log_q = rng.normal(2, 1, 500)
    members = np.column_stack([log_q + rng.normal(0, 0.05, 500), log_q + rng.normal(0, 1.0, 500)])
    weights = fit_quantity_weights(log_q, members)
    assert weights.sum() == pytest.approx(1.0) and weights[0] >= 0.9


def test_calibrated_probabilities_never_fall_as_the_horizon_grows():
    ensemble = ReorderEnsemble(
        horizons=(7, 14),
        feature_names=[],
        members={},
        weights={7: {"a": 1.0}, 14: {"a": 1.0}},
        calibrators={7: Calibrator("platt", [1.0, 1.0], []), 14: Calibrator("identity", [], [])},
    )
    raw = {7: np.array([0.2, 0.6]), 14: np.array([0.5, 0.3])}
    calibrated = ensemble.calibrate(raw)
    assert (calibrated[14] >= calibrated[7]).all()
    np.testing.assert_array_equal(calibrated[14][0], 0.5)


def test_the_served_frame_and_its_artifact(history, result):
    frame = result.model.predict(history, AS_OF)
    expected = [*PREDICTION_COLUMNS[:2], "probability_7", "probability_14", "probability_30", *PREDICTION_COLUMNS[2:]]
    assert list(frame.columns) == expected
    assert len(frame) == len(history[history["date"] < AS_OF].drop_duplicates(["retailer_id", "product_id"]))
    assert (frame["probability_7"] <= frame["probability_14"]).all()
    assert (frame["probability_14"] <= frame["probability_30"]).all()
    due = frame["days_overdue"] >= 1  # an overdue pair is needed by the day it fell due, before AS_OF
    assert (frame.loc[~due, "expected_date"] >= AS_OF).all() and (frame.loc[due, "expected_date"] < AS_OF).all()
    data = result.model.to_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["kind"] == "ensemble" and manifest["members"] == ["lightgbm"]
    assert not [name for name in names if name.endswith((".pkl", ".pickle", ".joblib"))]
    pd.testing.assert_frame_equal(load_model(data).predict(history, AS_OF), frame)


def test_metrics_are_plain_json_with_headline_and_nested_evaluation(result):
    metrics = result.metrics
    json.dumps(metrics, allow_nan=False)  # stored in a JSON column: no NaN, no numpy types
    for key in ("roc_auc", "pr_auc", "f1", "brier", "precision_at_100", "quantity_mae", "ece_before", "ece_after"):
        assert key in metrics, key
    at_14 = metrics["evaluation"]["horizons"]["14"]
    baselines = {"baseline_overdue", "baseline_logreg", "baseline_logreg_strong"}
    assert set(at_14["models"]) == {*baselines, "lightgbm", "retailiq_ensemble"}
    assert at_14["weights"] == {"lightgbm": 1.0}
    assert at_14["calibration"]["method"] in ("identity", "platt", "isotonic")
    assert metrics["evaluation"]["rows"]["refit"] >= metrics["evaluation"]["rows"]["train"]
    assert at_14["models"]["retailiq_ensemble"]["roc_auc"] > at_14["models"]["baseline_overdue"]["roc_auc"]


def test_nets_alone_serve_and_refit(history, monkeypatch):
    # One epoch rarely beats the strong baseline: make the ensemble serve, as it does once the nets have learned.
    def ensemble_wins(validation, scores, horizons, primary):
        return {"served": "retailiq_ensemble", "rule": "forced", "validation": {}}

    monkeypatch.setattr(steps, "choose_served", ensemble_wins)
    params = {**SMALL, "n_cutoffs": 6, "members": ["ffn", "lstm"], "epochs": 1}
    result = train_reorder_model(history, horizons=(14,), params=params)
    assert result.algorithm == "reorder_ensemble:ffn+lstm"
    weights = result.metrics["evaluation"]["horizons"]["14"]["weights"]
    assert set(weights) == {"ffn", "lstm"} and sum(weights.values()) == pytest.approx(1.0)
    frame = result.model.predict(history, AS_OF)
    assert frame["reasons"].map(len).min() >= 1  # no LightGBM: the pair's cycle explains it
    reloaded = load_model(result.model.to_bytes()).predict(history, AS_OF)
    np.testing.assert_allclose(reloaded["probability_14"], frame["probability_14"], rtol=1e-5, atol=1e-6)
