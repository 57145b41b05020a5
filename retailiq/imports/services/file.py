"""One call for a file on disk: the management command and the benchmark use it."""

from pathlib import Path
from typing import Any

from django.utils import timezone

from ..models import ImportBatch, ImportMode, ImportState
from .run import Progress, import_batch_run
from .upload import import_batch_configure, import_batch_create_from_path


def import_file(
    *,
    path: str | Path,
    preset: str = "",
    mapping: dict[str, str | None] | None = None,
    options: dict[str, Any] | None = None,
    mode: str = ImportMode.QUARANTINE,
    user: Any = None,
    progress: Progress | None = None,
) -> ImportBatch:
    """Create, configure and run a batch in this process (no worker needed)."""
    batch = import_batch_create_from_path(path=path, user=user)
    import_batch_configure(batch=batch, mapping=mapping, options=options, mode=mode, preset=preset)
    ImportBatch.objects.filter(pk=batch.pk, state=ImportState.UPLOADED).update(state=ImportState.QUEUED)
    return import_batch_run(batch_id=batch.pk, worker=f"command:{timezone.now():%H%M%S}", progress=progress)
