"""Storing a run: each table upserted on its own key, so a run repeated on the same day (a redelivered task, a
second click on "score") writes the same rows again instead of adding rows, and the feedback people gave an
insight stays with it."""

import math

import pandas as pd
from django.db import transaction
from django.utils import timezone

from ..models import Insight, PatternProfile, RetailerSegment, SeriesAnomaly
from .run import RunOutput

INSIGHT_FIELDS = [
    "kind",
    "subject_kind",
    "retailer_id",
    "product_id",
    "vendor_id",
    "region",
    "category",
    "severity",
    "score",
    "title",
    "body",
    "action",
    "evidence",
    "scored_at",
]
TITLE_LENGTH = Insight._meta.get_field("title").max_length
ACTION_LENGTH = Insight._meta.get_field("action").max_length


def _id(value) -> int | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else int(value)


def _number(value, default: float | None = 0.0) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(number) or math.isinf(number) else number


@transaction.atomic
def run_write(*, model_version_id: int | None, run: RunOutput) -> int:
    """Store every table of a run; returns the insights written."""
    written = insights_write(model_version_id=model_version_id, rows=run.insights)
    segments_write(model_version_id=model_version_id, rows=run.segments)
    profiles_write(model_version_id=model_version_id, rows=run.profiles)
    anomalies_write(model_version_id=model_version_id, rows=run.anomalies)
    return written


def insights_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """Upsert on (version, as_of, key); insights of the same version and day that this run no longer finds go
    (with their feedback: the run that made them was replaced)."""
    if rows.empty:
        return 0
    now = timezone.now()
    days = rows["as_of"].unique().tolist()
    existing = {
        (row.as_of, row.key): row
        for row in Insight.objects.filter(model_version_id=model_version_id, as_of__in=days).only("pk", "as_of", "key")
    }
    new, changed = [], []
    for record in rows.to_dict("records"):
        values = {
            "kind": record["kind"],
            "subject_kind": record["subject_kind"],
            "retailer_id": _id(record.get("retailer_id")),
            "product_id": _id(record.get("product_id")),
            "vendor_id": _id(record.get("vendor_id")),
            "region": record.get("region") or "",
            "category": (record.get("category") or "")[:120],
            "severity": int(record["severity"]),
            "score": _number(record["score"]),
            "title": str(record["title"])[:TITLE_LENGTH],
            "body": str(record["body"]),
            "action": str(record["action"])[:ACTION_LENGTH],
            "evidence": record.get("evidence") or {},
            "scored_at": now,
        }
        found = existing.get((record["as_of"], record["key"]))
        if found is None:
            new.append(Insight(model_version_id=model_version_id, as_of=record["as_of"], key=record["key"], **values))
        else:
            for name, value in values.items():
                setattr(found, name, value)
            changed.append(found)
    Insight.objects.bulk_create(new, batch_size=1000)
    Insight.objects.bulk_update(changed, INSIGHT_FIELDS, batch_size=1000)
    Insight.objects.filter(model_version_id=model_version_id, as_of__in=days, scored_at__lt=now).delete()
    return len(new) + len(changed)


SEGMENT_FIELDS = [
    "model_version",
    "as_of",
    "segment",
    "segment_label",
    "cluster_label",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "mean_interval_days",
    "basket_value",
    "churn_probability",
    "scored_at",
]


def segments_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """Upsert on (shop, month): a month's snapshot is the latest run's in that month."""
    if rows.empty:
        return 0
    now = timezone.now()
    objects = [
        RetailerSegment(
            model_version_id=model_version_id,
            retailer_id=int(row["retailer_id"]),
            month=row["month"],
            as_of=row["as_of"],
            segment=str(row["segment"])[:48],
            segment_label=str(row.get("segment_label") or row["segment"])[:120],
            cluster_label=str(row.get("cluster_label") or "")[:120],
            recency_days=_number(row.get("recency_days")),
            frequency=_number(row.get("frequency")),
            monetary=_number(row.get("monetary")),
            r_score=int(_number(row.get("r_score"))),
            f_score=int(_number(row.get("f_score"))),
            m_score=int(_number(row.get("m_score"))),
            mean_interval_days=_number(row.get("mean_interval_days"), None),
            basket_value=_number(row.get("basket_value"), None),
            churn_probability=_number(row.get("churn_probability")),
            scored_at=now,
        )
        for row in rows.to_dict("records")
    ]
    RetailerSegment.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["retailer", "month"],
        update_fields=SEGMENT_FIELDS,
    )
    return len(objects)


def _profile_list(value) -> list[float | None]:
    """A profile as JSON: indices rounded, a month not seen yet as null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    numbers = [_number(v, None) for v in list(value)]
    return [None if v is None else round(v, 4) for v in numbers]


def profiles_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """One profile per shop and per product, replaced by each run."""
    if rows is None or rows.empty:
        return 0
    now = timezone.now()
    written = 0
    for row in rows.to_dict("records"):
        entity = "retailer_id" if row.get("entity_kind") == "retailer" else "product_id"
        defaults = {
            "model_version_id": model_version_id,
            "as_of": row.get("as_of") or now.date(),
            "weekday": _profile_list(row.get("weekday_profile")),
            "month_profile": _profile_list(row.get("month_profile")),
            "festival_sensitivity": _number(row.get("festival_sensitivity"), None),
            "abc": str(row.get("abc") or "")[:1],
            "xyz": str(row.get("xyz") or "")[:1],
            "demand_class": str(row.get("demand_class") or "")[:16],
            "scored_at": now,
        }
        PatternProfile.objects.update_or_create(**{entity: int(row["entity_id"])}, defaults=defaults)
        written += 1
    return written


def anomalies_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """Upsert on (series, period): a later run's judgement of the same period replaces the earlier one."""
    if rows.empty:
        return 0
    now = timezone.now()
    objects = [
        SeriesAnomaly(
            model_version_id=model_version_id,
            as_of=row["as_of"],
            series_kind=row["series_kind"],
            series_key=str(row["series_key"])[:140],
            retailer_id=_id(row.get("retailer_id")),
            product_id=_id(row.get("product_id")),
            region=str(row.get("region") or "")[:100],
            date=pd.Timestamp(row["date"]).date(),
            value=_number(row["value"]),
            expected=_number(row["expected"]),
            lower=_number(row["lower"]),
            upper=_number(row["upper"]),
            score=_number(row["score"]),
            direction=str(row.get("direction") or "")[:8],
            explained_by=str(row.get("explained_by") or "")[:160],
            scored_at=now,
        )
        for row in rows.to_dict("records")
    ]
    SeriesAnomaly.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["series_key", "date"],
        update_fields=["model_version", "as_of", "value", "expected", "lower", "upper", "score", "direction",
                       "explained_by", "scored_at"],
    )  # fmt: skip
    return len(objects)
