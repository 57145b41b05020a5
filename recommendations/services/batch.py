"""Writing a scored batch: upserted on (version, as_of, retailer, kind, rank), so a chunk scored twice writes each
row once."""

import pandas as pd
from django.db import transaction
from django.utils import timezone

from ..models import Recommendation

UPDATED_FIELDS = ["product", "score", "reason", "source", "scored_at"]
REASON_LENGTH = Recommendation._meta.get_field("reason").max_length


def recommendations_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    now = timezone.now()
    objects = [
        Recommendation(
            model_version_id=model_version_id,
            as_of=row["as_of"],
            retailer_id=int(row["retailer_id"]),
            kind=row["kind"],
            rank=int(row["rank"]),
            product_id=int(row["product_id"]),
            score=float(row["score"]),
            reason=str(row["reason"])[:REASON_LENGTH],
            source=str(row["source"])[:32],
            scored_at=now,
        )
        for row in rows.to_dict(orient="records")
    ]
    with transaction.atomic():
        if model_version_id is None:
            # Rows of no version have a partial unique index, which ON CONFLICT cannot name: replace them instead.
            if len(rows):
                Recommendation.objects.filter(
                    model_version__isnull=True,
                    as_of__in=rows["as_of"].unique().tolist(),
                    retailer_id__in=rows["retailer_id"].unique().tolist(),
                ).delete()
            Recommendation.objects.bulk_create(objects, batch_size=2000)
        else:
            Recommendation.objects.bulk_create(
                objects,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["model_version", "as_of", "retailer", "kind", "rank"],
                update_fields=UPDATED_FIELDS,
            )
            if len(rows):  # ranks a shorter list no longer fills, left from an earlier run of the same day
                Recommendation.objects.filter(
                    model_version_id=model_version_id,
                    as_of__in=rows["as_of"].unique().tolist(),
                    retailer_id__in=rows["retailer_id"].unique().tolist(),
                    scored_at__lt=now,
                ).delete()
    return len(objects)
