"""Drift and tuning helpers (no database)."""

import numpy as np
import pandas as pd

from retailiq.registry.ml import drift, tuning


def test_the_same_distribution_does_not_drift_and_a_shifted_one_does():
    rng = np.random.default_rng(0)
    training = pd.DataFrame({"units": rng.poisson(10, 5000), "label": "x"})
    profile = drift.reference_profile(training)
    assert list(profile) == ["units"]  # text columns have no PSI
    same = drift.drift_against_reference(profile, pd.DataFrame({"units": rng.poisson(10, 2000)}))
    shifted = drift.drift_against_reference(profile, pd.DataFrame({"units": rng.poisson(16, 2000)}))
    assert same["units"] < 0.05
    assert shifted["units"] > drift.PSI_WARNING


def test_search_finds_the_minimum_within_its_budget():
    result = tuning.search(
        space=lambda trial: {"x": trial.suggest_float("x", -5, 5)},
        objective=lambda params: (params["x"] - 2) ** 2,
        timeout_seconds=10,
        max_trials=40,
    )
    assert result["trials"] == 40 and abs(result["best_params"]["x"] - 2) < 0.5
    assert result["best_value"] == min(h["value"] for h in result["history"])
