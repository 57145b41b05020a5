"""Uploads nobody maps do not wait forever: after RETAILIQ_IMPORT_UNMAPPED_DAYS they expire."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import ImportBatch, ImportState


def import_batch_expire_unmapped(*, now: dt.datetime | None = None) -> int:
    """Mark uploads still waiting for their mapping after the allowed days as rejected, saying why, and remove
    their stored files. Returns how many expired. Safe to run twice (the state guards the update)."""
    days = settings.RETAILIQ_IMPORT_UNMAPPED_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    expired = 0
    stale = ImportBatch.objects.filter(state=ImportState.UPLOADED, created_at__lt=cutoff)
    for batch in stale.only("pk", "file", "summary"):
        outcome = (
            f"Expired: its columns were not mapped within {days} day{'s' if days != 1 else ''} of the upload. "
            "Upload the file again to import it."
        )
        with transaction.atomic():
            updated = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.UPLOADED).update(
                state=ImportState.REJECTED, summary={**batch.summary, "outcome": outcome}, file=""
            )
        if updated:
            expired += 1
            if batch.file:
                batch.file.storage.delete(batch.file.name)
    return expired
