"""Which reorder predictions serve, and the one frame every page and endpoint reads them through.

Serving predictions are the rows of the latest day scored by the active (serving) model version; without them,
the latest rows any version wrote; and when nothing was ever scored, the untrained baseline computed on the fly
for the user's shops, so a fresh install still shows a call list."""

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import InvalidInput
from retailiq.dashboards.cache import cached_for_data
from retailiq.registry.models import ModelVersion
from retailiq.registry.services import active_model_version

from ..conf import reorder_settings
from ..models import ReorderPrediction
from ..selectors import latest_order_day, order_history_frame, prediction_list_for_user, reorder_products_q

CAPABILITY = "reorder"
SOURCE_CACHE_KEY = "reorder:serving-source"
SOURCE_CACHE_SECONDS = 60
BASELINE_LABEL = "baseline (no trained model yet)"

# The columns of a serving frame, whether read from stored rows or computed by the baseline.
FRAME_COLUMNS = [
    "retailer_id",
    "product_id",
    "probabilities",
    "expected_quantity",
    "expected_date",
    "expected_value",
    "unit_price",
    "last_order_date",
    "days_overdue",
    "reasons",
]


class InvalidReorderInput(InvalidInput):
    """A bad input, named: the API shows it under error.fields, pages next to the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", fields={field: message})
        self.field = field
        self.errors = {field: message}


@dataclass(frozen=True)
class ServingSource:
    """Where serving predictions come from: a version's scored day, or the baseline (``stored`` False)."""

    as_of: dt.date | None
    model_version_id: int | None
    model_label: str
    stored: bool


def reorder_horizons() -> tuple[int, ...]:
    return reorder_settings().horizons


def check_horizon(horizon_days: int | None, *, field: str = "horizon") -> int:
    """The horizon a request asks for, or the default; one of the horizons every model answers."""
    if horizon_days is None:
        return reorder_settings().default_horizon
    horizons = reorder_horizons()
    if int(horizon_days) not in horizons:
        raise InvalidReorderInput(field, f"must be one of {', '.join(map(str, horizons))} days.")
    return int(horizon_days)


def scoring_as_of(last_order_day: dt.date) -> dt.date:
    """Predictions are made the morning after the last day of orders: the model reads orders before as_of."""
    return last_order_day + dt.timedelta(days=1)


# --- Writing ------------------------------------------------------------------------------


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
            "retailer_id": predicted["retailer_id"].astype(int).to_numpy(),
            "product_id": predicted["product_id"].astype(int).to_numpy(),
            "as_of": as_of,
            "probabilities": [dict(zip(map(str, horizons), row, strict=True)) for row in probabilities.tolist()],
            "probability": probability,
            "expected_quantity": expected_quantity,
            "expected_date": pd.to_datetime(predicted["expected_date"]).dt.date.to_numpy(),
            "expected_value": expected_value,
            "priority": probability * expected_value,
            "last_order_date": pd.to_datetime(predicted["last_order_date"]).dt.date.to_numpy(),
            "days_since_last_order": predicted["days_since_last_order"].astype(int).to_numpy(),
            "interval_days": predicted["interval_mean"].to_numpy(dtype=float),
            "days_overdue": predicted["days_overdue"].to_numpy(dtype=float),
            "unit_price": unit_price,
            "reasons": [list(r) for r in predicted["reasons"]],
        }
    )


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


def predictions_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """Upsert rows (the columns of :func:`prediction_rows`) on (version, as_of, retailer, product): a chunk scored
    twice writes each row once."""
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
    forget_serving_source()
    return len(objects)


def forget_serving_source() -> None:
    cache.delete(SOURCE_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SOURCE_CACHE_KEY))


# --- Reading ------------------------------------------------------------------------------


def serving_source() -> ServingSource:
    """The serving version's latest scored day, else the latest day any version scored, else the baseline."""
    found = cache.get(SOURCE_CACHE_KEY)
    if found is not None:
        return found
    source = _find_serving_source()
    cache.set(SOURCE_CACHE_KEY, source, SOURCE_CACHE_SECONDS)
    return source


def _find_serving_source() -> ServingSource:
    active = active_model_version(capability=CAPABILITY)
    if active is not None:
        as_of = (
            ReorderPrediction.objects.filter(model_version=active).order_by("-as_of").values_list("as_of", flat=True)
        ).first()
        if as_of is not None:
            return ServingSource(as_of, active.pk, _label(active), stored=True)
    latest = ReorderPrediction.objects.order_by("-as_of", "-scored_at").values("model_version_id", "as_of").first()
    if latest is not None:
        version = ModelVersion.objects.filter(pk=latest["model_version_id"]).first()
        label = _label(version) if version else "baseline"
        return ServingSource(latest["as_of"], latest["model_version_id"], label, stored=True)
    last_day = latest_order_day()
    return ServingSource(scoring_as_of(last_day) if last_day else None, None, BASELINE_LABEL, stored=False)


def _label(version: ModelVersion) -> str:
    return f"{version.algorithm} v{version.pk}"


def serving_frame(
    *,
    user: User,
    retailer_ids: Sequence[int] | None = None,
    product_ids: Sequence[int] | None = None,
    category_id: int | None = None,
    source: ServingSource | None = None,
) -> tuple[ServingSource, pd.DataFrame]:
    """Serving predictions the user may read, optionally narrowed to shops, products or a category; the columns
    of :data:`FRAME_COLUMNS` (probabilities keyed by the horizon as text)."""
    source = source or serving_source()
    if source.as_of is None:
        return source, pd.DataFrame(columns=FRAME_COLUMNS)
    if source.stored:
        return source, _stored_frame(user, source, retailer_ids, product_ids, category_id)
    frame = _baseline_frame(user, source.as_of, retailer_ids)
    allowed = Product.objects.filter(reorder_products_q(user=user, prefix=""))
    if product_ids is not None:
        allowed = allowed.filter(pk__in=list(product_ids))
    if category_id is not None:
        allowed = allowed.filter(category_id=category_id)
    if frame.empty:
        return source, frame
    return source, frame[frame["product_id"].isin(set(allowed.values_list("pk", flat=True)))].reset_index(drop=True)


def _stored_frame(
    user: User,
    source: ServingSource,
    retailer_ids: Sequence[int] | None,
    product_ids: Sequence[int] | None,
    category_id: int | None,
) -> pd.DataFrame:
    rows = prediction_list_for_user(user=user).filter(model_version_id=source.model_version_id, as_of=source.as_of)
    if retailer_ids is not None:
        rows = rows.filter(retailer_id__in=list(retailer_ids))
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    if category_id is not None:
        rows = rows.filter(product__category_id=category_id)
    records = list(rows.order_by().values_list(*FRAME_COLUMNS))
    return pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)


def _baseline_frame(user: User, as_of: dt.date, retailer_ids: Sequence[int] | None) -> pd.DataFrame:
    """The baseline for the user's shops, cached until the orders change (the baseline reads only each pair's
    and shop's own history, so a subset of shops predicts the same as the whole marketplace)."""
    from ..selectors import reorder_retailers_for_user

    shops = reorder_retailers_for_user(user=user)
    if retailer_ids is not None:
        shops = shops.filter(pk__in=list(retailer_ids))
    ids = sorted(shops.values_list("pk", flat=True))
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return cached_for_data(
        f"reorder:baseline:{as_of}:{digest}", lambda: baseline_predictions(as_of=as_of, retailer_ids=ids)
    )


def baseline_predictions(*, as_of: dt.date, retailer_ids: Sequence[int] | None) -> pd.DataFrame:
    """The untrained baseline over the shops' recent history, as a serving frame."""
    from reorder.ml.pipeline import BaselineReorderModel

    history = active_history(as_of=as_of, retailer_ids=retailer_ids)
    if history.empty:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    predicted = BaselineReorderModel(horizons=reorder_horizons()).predict(history, pd.Timestamp(as_of))
    rows = active_pairs(prediction_rows(predicted, as_of=as_of), as_of=as_of)
    return rows[FRAME_COLUMNS].reset_index(drop=True)


def active_history(*, as_of: dt.date, retailer_ids: Sequence[int] | None) -> pd.DataFrame:
    """The history a prediction as of ``as_of`` reads: the training window's length, ending the day before."""
    start = as_of - dt.timedelta(days=reorder_settings().history_days)
    return order_history_frame(start=start, end=as_of - dt.timedelta(days=1), retailer_ids=retailer_ids)


def active_pairs(rows: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Only pairs ordered within the active window: a product not bought for a year is no reorder candidate."""
    since = as_of - dt.timedelta(days=reorder_settings().active_days)
    return rows[pd.to_datetime(rows["last_order_date"]) >= pd.Timestamp(since)]


def probability_at(frame: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """Each row's probability at a horizon, read from its per-horizon dict."""
    key = str(horizon_days)
    return np.array([float(p.get(key, 0.0)) for p in frame["probabilities"]], dtype=float)


def model_description(source: ServingSource) -> dict[str, Any]:
    """What the API reports about the model behind an answer."""
    return {
        "version": source.model_version_id,
        "label": source.model_label,
        "as_of": source.as_of,
        "fallback": not source.stored,
    }
