"""A slow stand-in capability for the killed-worker test. Imported by the worker
process through RETAILIQ_ADAPTER_MODULES, and by the test itself."""

import datetime as dt
import json
import os
import time
from pathlib import Path

import pandas as pd

from retailiq.registry import adapters

CAPABILITY = "stockout_risk"


class SlowAdapter:
    capability = CAPABILITY
    label = "Stockout risk"
    headline_metrics = (adapters.Metric("mae", "MAE"),)
    live_metric = adapters.Metric("mae", "MAE")
    urls = None  # a capability without pages or endpoints of its own
    mount = ""
    api_urls = None
    navigation = ()
    home_panels = ()
    job_kinds = (adapters.TRAIN,)

    def load_training_data(self, *, segment, params):
        frame = pd.DataFrame({"series_id": [1, 2], "target": [1.0, 3.0]})
        return adapters.TrainingData(frame=frame, data_start=dt.date(2026, 1, 1), data_end=dt.date(2026, 1, 31))

    def train(self, data, *, params, progress):
        for step in range(int(params.get("steps", 8))):
            progress("training", 20 + step * 5, f"step {step}")
            time.sleep(float(params.get("step_seconds", 0.5)))
        # One line per training that ran to the end, to count them from the test.
        with Path(params["completions_file"]).open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return adapters.TrainedModel(
            algorithm="mean",
            artifact_name="mean.json",
            artifact_bytes=json.dumps({"mean": float(data.frame["target"].mean())}).encode(),
            metrics={"mae": 0.5},
        )

    def load(self, artifact, *, algorithm):
        return json.loads(artifact)

    def baseline(self):
        return {"mean": 0.0}

    def predict(self, model, inputs):
        return {"value": model["mean"]}


adapters.register_adapter(SlowAdapter())
