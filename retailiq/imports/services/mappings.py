"""Saved column mappings: a file layout mapped once is reused for the next export."""

from typing import Any

from ..models import ImportBatch, SavedMapping
from .errors import ImportRejected

# How one file happens to be encoded is not part of its layout.
PER_FILE_OPTIONS = ("encoding", "delimiter", "decimal", "date_format", "chunk_lines", "max_lines")


def saved_mapping_save(*, batch: ImportBatch, name: str, user: Any = None) -> SavedMapping:
    """Save (or replace) the batch's mapping and policy under a name."""
    name = name.strip()
    if not name:
        raise ImportRejected("Give the mapping a name.", errors={"save_as": "Give the mapping a name."})
    kept = {k: v for k, v in batch.options.items() if k not in PER_FILE_OPTIONS}
    saved, _ = SavedMapping.objects.update_or_create(
        name=name[:120],
        defaults={
            "mapping": batch.mapping,
            "options": kept,
            "created_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return saved
