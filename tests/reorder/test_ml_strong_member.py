"""The strong baseline's logistic regression stacked with LightGBM, both ways: as a blend member
(``members=lightgbm,logreg_strong``: weighted on validation like any member, kept out of the quantity blend) and as
an input of one horizon's classifier (``lightgbm={"strong_logit_horizons": [30]}``). Either way it is fitted on the
training cutoffs only and stored as plain numbers."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.baselines import STRONG_COLUMNS, StrongLogit
from reorder.ml.ensemble import RECENT_QUANTITY
from reorder.ml.features import feature_columns, pair_features
from reorder.ml.lgbm import STRONG_LOGIT_COLUMN
from reorder.ml.pipeline import load_model, train_reorder_model
from reorder.ml.strong_member import StrongLogitMember
from reorder.ml.training import steps
from tests.reorder.synthetic import periodic_history

SMALL = {"n_cutoffs": 8, "step_days": 14, "validation_cutoffs": 2, "test_cutoffs": 1, "gap_days": 0}
MEMBERS = ["lightgbm", "logreg_strong"]


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return periodic_history(n_retailers=30, n_products=15, days=240, seed=2, churn_share=0.3)


def test_the_member_is_the_strong_logit_on_its_training_rows_alone(history):
    features = pair_features(history, "2023-06-01")
    names = feature_columns(features)
    X = features[names].to_numpy(dtype=np.float32)
    rng = np.random.default_rng(3)
    Y = np.column_stack([(features["overdue_ratio"] > 1).astype(int), rng.integers(0, 2, len(X))])
    member = StrongLogitMember((14, 30), names).fit(X, Y, None, X[:5], 1 - Y[:5])  # validation is not read
    expected = StrongLogit().fit(features[list(STRONG_COLUMNS)].astype(np.float32).astype(float), Y[:, 0])
    proba, quantity = member.predict(X)
    np.testing.assert_allclose(proba[:, 0], expected.predict_proba(features)[:, 1], rtol=1e-5)
    np.testing.assert_allclose(quantity, np.maximum(features["qty_mean_last3"].to_numpy(), 1.0), rtol=1e-6)
    again = StrongLogitMember.from_bytes(member.to_bytes())
    np.testing.assert_allclose(again.predict(X)[0], proba)


def test_training_weighs_the_member_on_validation_from_the_training_fit(history, monkeypatch):
    fitted_strong = {}
    original = steps.fit_baselines

    def keep_strong(data, feature_names, horizons):
        scores, seconds, strong = original(data, feature_names, horizons)
        fitted_strong.update(strong)  # the strong baseline, fitted on the training cutoffs only
        return scores, seconds, strong

    monkeypatch.setattr(steps, "fit_baselines", keep_strong)
    monkeypatch.setattr(
        steps, "choose_served", lambda *a: {"served": "retailiq_ensemble", "rule": "", "validation": {}}
    )
    result = train_reorder_model(history, params={**SMALL, "members": MEMBERS, "refit": False})
    evaluation = result.metrics["evaluation"]
    for horizon in ("7", "14", "30"):
        weights = evaluation["horizons"][horizon]["weights"]
        assert set(weights) == set(MEMBERS)
        assert sum(weights.values()) == pytest.approx(1.0)
        models = evaluation["horizons"][horizon]["models"]
        assert models["logreg_strong"]["roc_auc"] == pytest.approx(models["baseline_logreg_strong"]["roc_auc"])
    # The quantity blend does not count the member's stand-in quantity (the recent mean) twice.
    assert set(evaluation["quantity_weights"]) == {"lightgbm", RECENT_QUANTITY}
    member = result.model.members["logreg_strong"]
    for horizon, strong in fitted_strong.items():
        assert member.models_[horizon].to_dict() == strong.to_dict()

    as_of = pd.Timestamp("2023-08-20")
    frame = result.model.predict(history, as_of)
    loaded = load_model(result.model.to_bytes())
    assert set(loaded.members) == set(MEMBERS) and loaded.weights == result.model.weights
    pd.testing.assert_frame_equal(loaded.predict(history, as_of), frame)


def test_a_refit_fits_the_member_again_on_every_cutoff(history, monkeypatch):
    monkeypatch.setattr(
        steps, "choose_served", lambda *a: {"served": "retailiq_ensemble", "rule": "", "validation": {}}
    )
    first = train_reorder_model(history, params={**SMALL, "members": MEMBERS, "refit": False})
    refitted = train_reorder_model(history, params={**SMALL, "members": MEMBERS, "refit": True})
    before, after = (r.model.members["logreg_strong"].models_[14].to_dict() for r in (first, refitted))
    assert before["coef"] != after["coef"]
    assert refitted.model.weights == first.model.weights


def test_the_strong_logit_as_an_input_of_one_horizons_classifier(history, monkeypatch):
    fitted_strong = {}
    original = steps.fit_baselines

    def keep_strong(data, feature_names, horizons):
        scores, seconds, strong = original(data, feature_names, horizons)
        fitted_strong.update(strong)
        return scores, seconds, strong

    monkeypatch.setattr(steps, "fit_baselines", keep_strong)
    monkeypatch.setattr(
        steps, "choose_served", lambda *a: {"served": "retailiq_ensemble", "rule": "", "validation": {}}
    )
    params = {**SMALL, "members": ["lightgbm"], "refit": False, "lightgbm": {"strong_logit_horizons": [30]}}
    result = train_reorder_model(history, params=params)
    lightgbm = result.model.members["lightgbm"]
    assert lightgbm.classifiers_[30].feature_name()[-1] == STRONG_LOGIT_COLUMN
    assert STRONG_LOGIT_COLUMN not in lightgbm.classifiers_[14].feature_name()
    assert STRONG_LOGIT_COLUMN not in lightgbm.regressor_.feature_name()
    # Fitted on the training cutoffs alone: the very regression the strong baseline fits there.
    assert set(lightgbm.strong_logits_) == {30}
    assert lightgbm.strong_logits_[30].to_dict() == fitted_strong[30].to_dict()

    as_of = pd.Timestamp("2023-08-20")
    frame = result.model.predict(history, as_of)
    loaded = load_model(result.model.to_bytes())
    assert loaded.members["lightgbm"].strong_logits_[30].to_dict() == fitted_strong[30].to_dict()
    pd.testing.assert_frame_equal(loaded.predict(history, as_of), frame)
