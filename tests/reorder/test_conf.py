"""Reorder's settings object reads the same environment variables the settings module did."""

import pytest

from reorder.conf import ReorderSettings


def test_defaults_without_the_environment(monkeypatch):
    for name in ("HORIZONS", "DEFAULT_HORIZON", "CALLS_PER_DAY", "TRAIN_PARAMS"):
        monkeypatch.delenv(f"RETAILIQ_REORDER_{name}", raising=False)
    conf = ReorderSettings.from_env()
    assert conf == ReorderSettings()
    assert conf.horizons == (7, 14, 30) and conf.default_horizon == 14 and conf.calls_per_day == 20
    assert dict(conf.train_params) == {}


def test_every_knob_comes_from_its_variable(monkeypatch):
    values = {
        "HORIZONS": "7,30",
        "DEFAULT_HORIZON": "30",
        "CALLS_PER_DAY": "35",
        "HISTORY_DAYS": "400",
        "ACTIVE_DAYS": "200",
        "SCORING_CHUNK_SIZE": "5000",
        "TRAIN_PARAMS": "members=lightgbm;ffn,epochs=3",
    }
    for name, value in values.items():
        monkeypatch.setenv(f"RETAILIQ_REORDER_{name}", value)
    conf = ReorderSettings.from_env()
    assert conf.horizons == (7, 30) and conf.default_horizon == 30 and conf.calls_per_day == 35
    assert (conf.history_days, conf.active_days, conf.scoring_chunk_size) == (400, 200, 5000)
    assert dict(conf.train_params) == {"members": "lightgbm;ffn", "epochs": "3"}


def test_a_value_that_is_not_a_number_is_refused(monkeypatch):
    monkeypatch.setenv("RETAILIQ_REORDER_CALLS_PER_DAY", "twenty")
    with pytest.raises(ValueError):
        ReorderSettings.from_env()


def test_the_object_is_frozen():
    with pytest.raises(AttributeError):
        ReorderSettings().calls_per_day = 5  # type: ignore[misc]
