"""Writing a scored batch: the ML's serving frame as rows of :class:`ReorderPrediction`, only the pairs still
active, upserted so that a chunk scored twice writes each row once."""

import datetime as dt

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from retailiq.registry.services import batch_written

from ..conf import reorder_settings
from ..models import ReorderPrediction
from ..selectors import CAPABILITY

UPDATED_FIELDS = [
    "probabilities",
    "probability",
    "expected_quantity",
    "expected_date",
    "expected_value",
    "priority",
    "last_order_date",
    "days_since_last_order",
    "interval_days",
    "days_overdue",
    "unit_price",
    "reasons",
    "scored_at",
]


def prediction_rows(predicted: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """The ML's serving frame (``model.predict``) as the columns of :class:`ReorderPrediction`."""
    horizons = [int(c.removeprefix("probability_")) for c in predicted.columns if c.startswith("probability_")]
    default = reorder_settings().default_horizon
    if default not in horizons:
        raise ValueError(f"the model answers horizons {horizons}, not the default {default}")
    probabilities = predicted[[f"probability_{h}" for h in horizons]].to_numpy(dtype=float).round(6)
    expected_quantity = predicted["expected_quantity"].to_numpy(dtype=float)
    unit_price = predicted["unit_price"].to_numpy(dtype=float)
    expected_value = expected_quantity * unit_price
    probability = np.clip(predicted[f"probability_{default}"].to_numpy(dtype=float), 0.0, 1.0)
    return pd.DataFrame(
        {
            "retailer_id": predicted["retailer_id"].to_numpy().astype(int),
            "product_id": predicted["product_id"].to_numpy().astype(int),
            "as_of": as_of,
            "probabilities": [dict(zip(map(str, horizons), row, strict=True)) for row in probabilities.tolist()],
            "probability": probability,
            "expected_quantity": expected_quantity,
            "expected_date": _days(predicted["expected_date"]),
            "expected_value": expected_value,
            "priority": probability * expected_value,
            "last_order_date": _days(predicted["last_order_date"]),
            "days_since_last_order": predicted["days_since_last_order"].to_numpy().astype(int),
            "interval_days": predicted["interval_mean"].to_numpy(dtype=float),
            "days_overdue": predicted["days_overdue"].to_numpy(dtype=float),
            "unit_price": unit_price,
            "reasons": [list(r) for r in predicted["reasons"]],
        }
    )


def _days(values: pd.Series) -> np.ndarray:
    """Timestamps as ``datetime.date`` objects, the type the date fields store."""
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]").astype(object)


def active_pairs(rows: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Only pairs ordered within the active window: a product not bought for a year is no reorder candidate."""
    since = as_of - dt.timedelta(days=reorder_settings().active_days)
    return rows[pd.to_datetime(rows["last_order_date"]) >= pd.Timestamp(since)]


def predictions_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """Upsert rows (the columns of :func:`prediction_rows`) on (version, as_of, retailer, product): a chunk scored
    twice writes each row once. The serving batch moves with the newest row's id, so nothing is forgotten here."""
    now = timezone.now()
    objects = [
        ReorderPrediction(model_version_id=model_version_id, scored_at=now, **record)
        for record in rows.to_dict(orient="records")
    ]
    with transaction.atomic():
        if model_version_id is None:
            # Rows of no version have a partial unique index, which ON CONFLICT cannot name: replace them instead.
            ReorderPrediction.objects.filter(
                model_version__isnull=True,
                as_of__in=rows["as_of"].unique().tolist() if len(rows) else [],
                retailer_id__in=rows["retailer_id"].unique().tolist() if len(rows) else [],
            ).delete()
            ReorderPrediction.objects.bulk_create(objects, batch_size=2000)
        else:
            ReorderPrediction.objects.bulk_create(
                objects,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["model_version", "as_of", "retailer", "product"],
                update_fields=UPDATED_FIELDS,
            )
        batch_written(capability=CAPABILITY)
    return len(objects)
