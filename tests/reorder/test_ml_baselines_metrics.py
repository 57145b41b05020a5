import numpy as np
import pytest

from reorder.ml.baselines import OverdueBaseline, RecencyFrequencyLogit
from reorder.ml.dataset import build_dataset, cutoff_schedule, temporal_split
from reorder.ml.metrics import best_f1_threshold, classification_metrics, precision_at_k, regression_metrics
from tests.reorder.synthetic import periodic_history


def test_baselines_beat_chance_on_a_periodic_history():
    history = periodic_history(seed=7)
    cutoffs = cutoff_schedule(history, n_cutoffs=6, step_days=10, horizon_days=14)
    split = temporal_split(build_dataset(history, cutoffs, horizons=(14,)))
    y_train, y_test = split.train["ordered_within_14"], split.test["ordered_within_14"]
    for model in (OverdueBaseline(horizon_days=14), RecencyFrequencyLogit()):
        fitted = model.fit(split.train, y_train)
        assert fitted is model
        proba = model.predict_proba(split.test)
        assert proba.shape == (len(split.test), 2) and np.allclose(proba.sum(axis=1), 1)
        scores = classification_metrics(y_test, proba[:, 1], threshold=0.5)
        assert scores["roc_auc"] > 0.7, (type(model).__name__, scores)
        assert scores["pr_auc"] > y_test.mean()


def test_classification_metrics_on_known_inputs():
    y = [0, 0, 1, 1]
    proba = [0.1, 0.4, 0.35, 0.8]
    scores = classification_metrics(y, proba, threshold=0.5, k=2)
    assert scores["roc_auc"] == pytest.approx(0.75)
    assert scores["pr_auc"] == pytest.approx((1 + 2 / 3) / 2)
    assert scores["precision"] == 1 and scores["recall"] == 0.5
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["precision_at_k"] == 0.5
    assert scores["brier"] == pytest.approx((0.01 + 0.16 + 0.4225 + 0.04) / 4)


def test_precision_at_k_and_best_threshold():
    assert precision_at_k([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 1) == 1.0
    assert precision_at_k([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], 3) == pytest.approx(2 / 3)
    assert precision_at_k([1], [0.5], 0) == 0.0
    assert best_f1_threshold([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.9]) == pytest.approx(0.6)


def test_regression_metrics_on_known_inputs():
    scores = regression_metrics([1, 2, 3, 4], [2, 2, 3, 2])
    assert scores["mae"] == pytest.approx(0.75)
    assert scores["rmse"] == pytest.approx(np.sqrt(5 / 4))
    assert scores["r2"] == pytest.approx(1 - 5 / 5)


def test_the_overdue_baseline_reads_long_silence_as_gone_not_as_certain():
    """With a third of pairs stopping for good, "the longer quiet, the surer the order" ranks worse than chance
    (ROC AUC about 0.45 for that rule); the lapse-aware rule keeps ranking well."""
    history = periodic_history(seed=11, churn_share=0.3)
    cutoffs = cutoff_schedule(history, n_cutoffs=6, step_days=10, horizon_days=14)
    test = temporal_split(build_dataset(history, cutoffs, horizons=(14,))).test
    proba = OverdueBaseline(horizon_days=14).predict_proba(test)[:, 1]
    scores = classification_metrics(test["ordered_within_14"], proba, threshold=0.5)
    assert scores["roc_auc"] > 0.9 and scores["brier"] < 0.15, scores
