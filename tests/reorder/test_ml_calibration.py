"""Calibration: the error measure on known inputs, each calibrator fixing a distortion, the choice between them,
and calibrators stored as plain numbers."""

import json

import numpy as np
import pytest

from reorder.ml.calibration import (
    Calibrator,
    brier_score,
    choose_calibrator,
    expected_calibration_error,
    fit_isotonic,
    fit_platt,
)


def distorted_scores(seed: int = 0, n: int = 6000):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.01, 0.99, n)
    y = (rng.uniform(0, 1, n) < truth).astype(int)
    return truth, y


def test_ece_on_known_inputs():
    # Bin [0.2, 0.3): predicted 0.25 twice, observed 1 of 2 -> gap 0.25 on half the rows; bin [0.9, 1]: 0.9 vs 1.
    y = [0, 1, 1, 1]
    proba = [0.25, 0.25, 0.9, 0.9]
    assert expected_calibration_error(y, proba) == pytest.approx((2 * 0.25 + 2 * 0.1) / 4)
    assert expected_calibration_error([0, 1], [0.0, 1.0]) == 0.0
    assert np.isnan(expected_calibration_error([], []))


def test_platt_and_isotonic_repair_an_overconfident_score():
    truth, y = distorted_scores()
    logit = np.log(truth / (1 - truth))
    overconfident = 1 / (1 + np.exp(-3 * logit))
    before = expected_calibration_error(y, overconfident)
    for fitter in (fit_platt, fit_isotonic):
        repaired = fitter(y, overconfident).transform(overconfident)
        assert expected_calibration_error(y, repaired) < before / 2, fitter.__name__
        assert brier_score(y, repaired) < brier_score(y, overconfident)
    coefficient, _ = fit_platt(y, overconfident).x
    assert coefficient == pytest.approx(1 / 3, abs=0.05)


def test_the_choice_is_made_out_of_fold_and_reported():
    truth, y = distorted_scores(seed=2)
    groups = np.arange(len(y)) % 50
    calibrator, report = choose_calibrator(y, truth**2, groups=groups)
    assert calibrator.method in ("platt", "isotonic")
    assert report["method"] == calibrator.method
    assert report[f"brier_{calibrator.method}"] < report["brier_uncalibrated"]
    assert {"brier_identity", "brier_platt", "brier_isotonic", "rows"} <= set(report)


def test_one_class_or_few_rows_keep_the_raw_probabilities():
    calibrator, report = choose_calibrator([0] * 50, np.linspace(0, 0.5, 50))
    assert calibrator.method == report["method"] == "identity"
    np.testing.assert_array_equal(calibrator.transform([0.1, 0.7]), [0.1, 0.7])


def test_calibrators_round_trip_through_json():
    truth, y = distorted_scores(seed=3, n=2000)
    for calibrator in (fit_platt(y, truth**2), fit_isotonic(y, truth**2)):
        restored = Calibrator.from_dict(json.loads(json.dumps(calibrator.to_dict())))
        np.testing.assert_array_equal(restored.transform(truth), calibrator.transform(truth))
    with pytest.raises(ValueError, match="unknown calibration"):
        Calibrator("magic", [], []).transform([0.5])
