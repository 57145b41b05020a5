"""The strong logistic baseline: in every training run, stored as plain numbers, and served when the ensemble does
not beat it on validation."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.baselines import STRONG_COLUMNS, StrongLogit
from reorder.ml.ensemble import RECENT_QUANTITY
from reorder.ml.features import pair_features
from reorder.ml.pipeline import load_model, train_reorder_model
from reorder.ml.simple import StrongLogitReorderModel
from reorder.ml.training import steps
from tests.reorder.synthetic import periodic_history

SMALL = {"n_cutoffs": 8, "step_days": 14, "validation_cutoffs": 2, "test_cutoffs": 1, "gap_days": 0}


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return periodic_history(n_retailers=30, n_products=15, days=240, seed=2, churn_share=0.3)


def test_strong_logit_round_trips_through_plain_numbers(history):
    features = pair_features(history, "2023-06-01")
    y = (features["overdue_ratio"] > 1).astype(int)
    model = StrongLogit().fit(features, y)
    again = StrongLogit.from_dict(model.to_dict())
    np.testing.assert_allclose(again.predict_proba(features), model.predict_proba(features))
    assert model.to_dict()["columns"] == list(STRONG_COLUMNS)


def test_every_run_scores_the_strong_baseline_and_records_what_serves(history):
    result = train_reorder_model(history, params={**SMALL, "members": ["lightgbm"]})
    evaluation = result.metrics["evaluation"]
    assert "baseline_logreg_strong" in evaluation["horizons"]["14"]["models"]
    selection = evaluation["selection"]
    assert result.metrics["served_model"] == selection["served"]
    ensemble, strong = (selection["validation"][n] for n in ("retailiq_ensemble", "baseline_logreg_strong"))
    wins = ensemble["roc_auc"] > strong["roc_auc"] and ensemble["pr_auc"] > strong["pr_auc"]
    assert selection["served"] == ("retailiq_ensemble" if wins else "baseline_logreg_strong")
    # The quantity may always fall back on the mean of the last three orders.
    assert RECENT_QUANTITY in evaluation["quantity_weights"]


def test_the_simpler_model_serves_when_the_ensemble_does_not_beat_it(history, monkeypatch):
    def strong_wins(validation, scores, horizons, primary):
        return {"served": "baseline_logreg_strong", "rule": "forced", "validation": {}}

    monkeypatch.setattr(steps, "choose_served", strong_wins)
    result = train_reorder_model(history, params={**SMALL, "members": ["lightgbm"]})
    assert result.algorithm == "reorder_logit:baseline_logreg_strong"
    assert result.metrics["served_model"] == "baseline_logreg_strong"
    assert result.metrics["roc_auc_over_strong"] == pytest.approx(0.0)
    assert isinstance(result.model, StrongLogitReorderModel)
    as_of = pd.Timestamp("2023-08-20")
    frame = result.model.predict(history, as_of)
    assert (frame["probability_7"] <= frame["probability_14"]).all()
    assert (frame["probability_14"] <= frame["probability_30"]).all()
    pd.testing.assert_frame_equal(load_model(result.model.to_bytes()).predict(history, as_of), frame)
