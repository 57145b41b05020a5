"""A slow stand-in capability with batch scoring, for the killed-worker scoring test. Imported by the worker
process through RETAILIQ_ADAPTER_MODULES, and registered by the test's fixture. Its predictions go through the
reorder capability's real upsert, so "written once" is the real table's unique key at work."""

import datetime as dt
import json
import os
import time
from pathlib import Path

import pandas as pd

from reorder.models import ReorderPrediction
from reorder.services.batch import predictions_write
from retailiq.registry import adapters

CAPABILITY = "slow_scoring"
AS_OF = dt.date(2026, 1, 1)


class SlowScoringAdapter:
    capability = CAPABILITY
    label = "Slow scoring"
    headline_metrics = (adapters.Metric("mae", "MAE"),)
    live_metric = adapters.Metric("mae", "MAE")
    urls = None
    mount = ""
    api_urls = None
    navigation = ()
    home_panels = ()
    job_kinds = (adapters.TRAIN, adapters.SCORE)

    def load_training_data(self, *, segment, params):
        frame = pd.DataFrame({"series_id": [1], "target": [0.5]})
        return adapters.TrainingData(frame=frame, data_start=AS_OF, data_end=AS_OF)

    def train(self, data, *, params, progress):
        artifact = json.dumps({"probability": 0.5}).encode()
        return adapters.TrainedModel(
            algorithm="constant", artifact_name="constant.json", artifact_bytes=artifact, metrics={"mae": 0.5}
        )

    def load(self, artifact, *, algorithm):
        return json.loads(artifact)

    def baseline(self):
        return {"probability": 0.0}

    def predict(self, model, inputs):
        return {"probability": model["probability"]}

    # Batch scoring: entities are retailers, each scored for the one product named in the params.
    def scoring_params(self, params):
        return params

    def scoring_entities(self, *, segment, params):
        return list(params["retailer_ids"])

    def score(self, model, entity_ids, *, params):
        # "start" and "end" lines per chunk, with the process, to find the process to kill and count the runs.
        log = Path(params["log_file"])
        with log.open("a") as handle:
            handle.write(f"start {os.getpid()} {entity_ids[0]}\n")
        time.sleep(float(params["chunk_seconds"]))
        rows = pd.DataFrame(
            {
                "as_of": AS_OF,
                "retailer_id": list(entity_ids),
                "product_id": params["product_id"],
                "probabilities": [{"14": model["probability"]}] * len(entity_ids),
                "probability": model["probability"],
                "expected_quantity": 1.0,
                "expected_date": AS_OF + dt.timedelta(days=7),
                "expected_value": 10.0,
                "priority": 5.0,
                "last_order_date": AS_OF - dt.timedelta(days=7),
                "days_since_last_order": 7,
                "interval_days": 14.0,
                "days_overdue": 0.0,
                "unit_price": 10.0,
                "reasons": [[]] * len(entity_ids),
            }
        )
        with log.open("a") as handle:
            handle.write(f"end {os.getpid()} {entity_ids[0]}\n")
        return rows

    def write_predictions(self, *, model_version_id, predictions):
        return predictions_write(model_version_id=model_version_id, rows=predictions)

    def prediction_table(self):
        return adapters.PredictionTable(ReorderPrediction, "as_of")


adapters.register_adapter(SlowScoringAdapter())
