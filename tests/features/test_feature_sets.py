"""Feature sets: a version that moves with the spec, validation that names what is wrong, and the check that keeps
a model away from features it was not trained on."""

import numpy as np
import pandas as pd
import pytest

from retailiq.features import (
    Column,
    FeatureSet,
    FeatureValidationError,
    recorded,
    register,
    validate,
    version_mismatch,
)


def _set(**changes) -> FeatureSet:
    spec = {
        "name": "test.pair",
        "keys": ("shop_id",),
        "columns": (
            Column("days_since_last", minimum=0, max_missing=0.05),
            Column("share", minimum=0, maximum=1),
            Column("segment", dtype="str"),
        ),
    }
    return FeatureSet(**{**spec, **changes})


def _frame(n: int = 20) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "shop_id": np.arange(n),
            "days_since_last": np.linspace(0, 30, n),
            "share": np.linspace(0, 1, n),
            "segment": ["kirana"] * n,
        }
    )


def test_the_version_is_stable_and_moves_with_the_spec_or_the_revision():
    assert _set().version == _set().version
    assert _set().version.startswith("1.")
    narrower = _set(columns=(Column("days_since_last", minimum=1), *_set().columns[1:]))
    assert narrower.version != _set().version
    assert _set(revision=2).version.startswith("2.") and _set(revision=2).version[2:] == _set().version[2:]
    assert _set(description="words do not change the features").version == _set().version


def test_a_spec_cannot_declare_a_column_twice_or_a_bad_limit():
    with pytest.raises(ValueError, match="declared twice"):
        _set(columns=(Column("a"), Column("a")))
    with pytest.raises(ValueError, match="dtype"):
        Column("a", dtype="decimal")
    with pytest.raises(ValueError, match="above maximum"):
        Column("a", minimum=2, maximum=1)


def test_a_frame_that_keeps_the_promise_passes_unchanged():
    frame = _frame()
    assert validate(frame.assign(label=1), _set()) is not None


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda f: f.drop(columns="share"), "test.pair: column share is absent from the frame"),
        (
            lambda f: f.assign(days_since_last=f["days_since_last"].where(f.index > 2)),
            "test.pair: column days_since_last has 15% missing, limit 5%",
        ),
        (lambda f: f.assign(share=f["share"] + 0.5), "test.pair: column share has 10 values above 1 (highest 1.5)"),
        (
            lambda f: f.assign(days_since_last=-f["days_since_last"]),
            "test.pair: column days_since_last has 19 values below 0 (lowest -30)",
        ),
        (lambda f: f.assign(share=f["share"].astype(str)), "test.pair: column share has type object, expected float"),
        (lambda f: f.assign(share=np.inf), "test.pair: column share has 100% missing, limit 0%"),
        (lambda f: pd.concat([f, f.head(1)]), "test.pair: more than one row per shop_id"),
    ],
)
def test_validation_names_the_set_the_column_and_what_is_wrong(breakage, message):
    with pytest.raises(FeatureValidationError) as raised:
        validate(breakage(_frame()), _set())
    assert str(raised.value) == message
    assert raised.value.feature_set == "test.pair"


def test_a_version_trained_on_another_feature_version_is_refused():
    current = register(_set())
    assert version_mismatch(recorded(current)) is None
    assert version_mismatch({}) is None  # trained before feature sets were recorded: served as before
    stale = {"feature_set": {"name": "test.pair", "version": "1.0000000000"}}
    reason = version_mismatch(stale)
    assert "test.pair@1.0000000000" in reason and current.label in reason and "retrain" in reason
    assert "no longer registered" in version_mismatch({"feature_set": {"name": "gone.set", "version": "1.x"}})
