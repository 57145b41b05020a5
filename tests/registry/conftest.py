"""A stand-in capability for the lifecycle tests."""

import datetime as dt
import json

import pandas as pd
import pytest

from retailiq.registry import adapters

CAPABILITY = "forecasting"


class MeanDemandAdapter:
    """A tiny real model: mean daily units per product, saved as JSON."""

    capability = CAPABILITY
    fail_with: Exception | None = None

    def load_training_data(self, *, segment, params):
        frame = pd.DataFrame(
            {
                "series_id": [1, 1, 2],
                "date": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-01"]),
                "target": [4.0, 6.0, 3.0],
            }
        )
        return adapters.TrainingData(frame=frame, data_start=dt.date(2026, 1, 1), data_end=dt.date(2026, 1, 2))

    def train(self, data, *, params, progress):
        if self.fail_with:
            raise self.fail_with
        progress("fitting", 50, "computing means")
        means = data.frame.groupby("series_id")["target"].mean()
        return adapters.TrainedModel(
            algorithm="mean",
            artifact_name="means.json",
            artifact_bytes=json.dumps(means.to_dict()).encode(),
            metrics={"mae": 1.0},
            library_versions={"pandas": pd.__version__},
        )


@pytest.fixture
def adapter():
    """Stands in for the real forecasting adapter for one test, then puts it back."""
    real = adapters._ADAPTERS.get(CAPABILITY)
    stand_in = MeanDemandAdapter()
    for name in adapters.DECLARED[1:]:  # the real capability's label, metrics, URLs and panels
        setattr(stand_in, name, getattr(real, name))
    instance = adapters.register_adapter(stand_in)
    yield instance
    if real is not None:
        adapters.register_adapter(real)
