"""Running a batch: read the file in chunks into staging, check the whole of it, then
merge in one transaction. A killed worker leaves only staging rows and issues of its
batch; the redelivered task clears them and starts the batch over, so an import is
either wholly in the database or not at all."""

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from retailiq.core.claims import (
    work_claim,
    work_finish,
    work_heartbeat,
    work_held_elsewhere,
    work_progress,
    work_quiet,
)
from retailiq.orders.selectors import latest_believable_day

from ..models import ImportBatch, ImportIssue, ImportMode, ImportState, IssueSeverity, StagedLine
from ..reading import Chunk, FileFormatError, FileTotals, LineLimitExceeded, ReadOptions, SizeLimitExceeded, read_orders
from .checks import CheckPolicy, run_checks
from .errors import ImportRejected
from .merge import MergeIncomplete, merge_batch
from .prefetch import prefetched
from .staging import (
    ISSUE_COLUMNS,
    STAGED_COLUMNS,
    VendorCodes,
    issue_frame,
    rows_payload,
    staged_csv,
    staged_frame,
    write_payload,
)
from .storage import local_copy
from .timing import timed

logger = logging.getLogger(__name__)

Progress = Callable[[ImportBatch], None]


def import_batch_claim(*, batch_id: int, worker: str) -> bool:
    """As for jobs: a queued batch, or a running one whose worker died."""
    return work_claim(ImportBatch, pk=batch_id, worker=worker, stage="reading", message="")


def import_batch_held_elsewhere(*, batch_id: int) -> bool:
    return work_held_elsewhere(ImportBatch, pk=batch_id)


def import_batches_to_resend(*, quiet_for: dt.timedelta) -> list[int]:
    """Queued or running batches quiet for `quiet_for`: their task message may be lost (see work_quiet)."""
    return list(work_quiet(ImportBatch, quiet_for=quiet_for).values_list("pk", flat=True))


def read_options_for(batch: ImportBatch) -> ReadOptions:
    known = {f.name for f in dataclasses.fields(ReadOptions)}
    options = {k: v for k, v in batch.options.items() if k in known}
    options["mapping"] = batch.mapping
    options["chunk_lines"] = settings.RETAILIQ_IMPORT_CHUNK_LINES
    options["max_lines"] = settings.RETAILIQ_IMPORT_MAX_LINES
    options["max_bytes"] = settings.RETAILIQ_IMPORT_MAX_DECOMPRESSED_BYTES
    options["max_line_bytes"] = settings.RETAILIQ_IMPORT_MAX_LINE_BYTES
    options["earliest_date"] = settings.RETAILIQ_IMPORT_EARLIEST_DATE
    options["latest_date"] = latest_believable_day().isoformat()
    return ReadOptions.from_dict(options)


def import_batch_run(*, batch_id: int, worker: str, progress: Progress | None = None) -> ImportBatch:
    """What the Celery task and the command call. Returns the batch as it ended; a batch
    not claimable (finished, or held by a live worker) is returned untouched."""
    if not import_batch_claim(batch_id=batch_id, worker=worker):
        return ImportBatch.objects.get(pk=batch_id)
    with work_heartbeat(ImportBatch, pk=batch_id):
        batch = ImportBatch.objects.get(pk=batch_id)
        try:
            _clear_earlier_attempt(batch)
            timings: dict[str, float] = {}
            with timed(timings, "read_and_stage"):
                totals = _read_into_staging(batch, progress, timings)
            _check_and_merge(batch, totals, progress, timings)
        except (ImportRejected, FileFormatError, LineLimitExceeded, SizeLimitExceeded, MergeIncomplete) as exc:
            _finish(batch, ImportState.FAILED, error=getattr(exc, "message", str(exc)))
        except Exception as exc:
            _finish(
                batch, ImportState.FAILED, error=f"The import stopped and wrote nothing: {type(exc).__name__}: {exc}"
            )
            raise
        finally:
            started = time.perf_counter()
            StagedLine.objects.filter(batch_id=batch_id).delete()
            logger.info("import %s: staging cleared in %.1f s", batch_id, time.perf_counter() - started)
    batch.refresh_from_db()
    if progress:
        progress(batch)
    return batch


def _clear_earlier_attempt(batch: ImportBatch) -> None:
    StagedLine.objects.filter(batch_id=batch.pk).delete()
    ImportIssue.objects.filter(batch_id=batch.pk).delete()
    ImportBatch.objects.filter(pk=batch.pk).update(
        bytes_read=0,
        lines_read=0,
        lines_accepted=0,
        lines_rejected=0,
        lines_set_aside=0,
        lines_skipped=0,
        lines_already_present=0,
    )


def _read_into_staging(batch: ImportBatch, progress: Progress | None, timings: dict[str, float]):
    options = read_options_for(batch)
    default_vendor = batch.options.get("default_vendor", "") or ""
    if not options.mapping.get("vendor") and not default_vendor:
        raise ImportRejected("The file has no vendor column: choose the vendor its products belong to.")
    with local_copy(batch.file) as path:
        return _stage_chunks(batch, read_orders(path, options), default_vendor, progress, timings)


@dataclass
class _PreparedChunk:
    """A chunk read, checked and serialised for its write, ahead of the database."""

    lines_read: int
    bytes_read: int
    totals: FileTotals
    lines: bytes | list[tuple]
    issues: bytes | list[tuple]
    lines_by_severity: dict[str, int]


def _prepared_chunks(
    batch: ImportBatch, chunks: Iterator[Chunk], default_vendor: str, timings: dict[str, float]
) -> Iterator[_PreparedChunk]:
    """Runs in the prefetch thread, so it takes from the database only what the caller
    read before (the vendor codes): a thread of its own would open another connection."""
    codes_of, postgres = VendorCodes(), connection.vendor == "postgresql"
    return _prepare(batch.pk, chunks, default_vendor, codes_of, postgres, timings)


def _prepare(
    batch_id: int,
    chunks: Iterator[Chunk],
    default_vendor: str,
    codes_of: VendorCodes,
    postgres: bool,
    timings: dict[str, float],
) -> Iterator[_PreparedChunk]:
    while True:
        with timed(timings, "stage_read_ahead"):
            chunk = next(chunks, None)
            if chunk is None:
                return
            prepared = _PreparedChunk(
                lines_read=chunk.lines,
                bytes_read=chunk.bytes_read,
                totals=chunk.totals,
                lines=_lines_payload(chunk, batch_id, default_vendor, codes_of, postgres),
                issues=rows_payload(issue_frame(chunk.issues, batch_id=batch_id), postgres=postgres),
                lines_by_severity={
                    str(severity): int(n)
                    for severity, n in chunk.issues.groupby("severity")["line_number"].nunique().items()
                },
            )
        yield prepared


def _lines_payload(
    chunk: Chunk, batch_id: int, default_vendor: str, codes_of: VendorCodes, postgres: bool
) -> bytes | list[tuple]:
    if postgres and chunk.staged_texts:
        # Straight from the reader's columns to COPY's text, no pandas frame between.
        return staged_csv(
            chunk.staged, chunk.staged_texts, batch_id=batch_id, default_vendor=default_vendor, codes_of=codes_of
        )
    lines = staged_frame(chunk.staged, batch_id=batch_id, default_vendor=default_vendor, codes_of=codes_of)
    return rows_payload(lines, postgres=postgres)


def _stage_chunks(batch: ImportBatch, chunks, default_vendor: str, progress: Progress | None, timings):
    totals = None
    counts = {severity: 0 for severity in IssueSeverity.values}
    lines_read = 0
    prepared_chunks = _prepared_chunks(batch, chunks, default_vendor, timings)
    if connection.vendor == "postgresql":
        # COPY is the server's work, so the next chunk is read meanwhile. SQLite's inserts
        # run in this process and would only contend with the reader for the GIL.
        prepared_chunks = prefetched(prepared_chunks)
    for prepared in prepared_chunks:
        with transaction.atomic():
            with timed(timings, "stage_copy_lines"):
                write_payload("imports_stagedline", STAGED_COLUMNS, prepared.lines)
            with timed(timings, "stage_copy_issues"):
                write_payload("imports_importissue", ISSUE_COLUMNS, prepared.issues)
        lines_read += prepared.lines_read
        for severity, n in prepared.lines_by_severity.items():
            counts[severity] += n
        totals = prepared.totals
        _report(
            batch,
            progress,
            stage="reading",
            bytes_read=prepared.bytes_read,
            lines_read=lines_read,
            lines_rejected=counts[IssueSeverity.ERROR],
            lines_set_aside=counts[IssueSeverity.SET_ASIDE],
            lines_skipped=counts[IssueSeverity.SKIPPED],
            lines_accepted=lines_read - sum(counts.values()),
        )
    return totals


def _report(batch: ImportBatch, progress: Progress | None, **fields: Any) -> None:
    work_progress(ImportBatch, pk=batch.pk, **fields)
    for name, value in fields.items():
        setattr(batch, name, value)
    if progress:
        progress(batch)


def _check_and_merge(batch: ImportBatch, totals, progress: Progress | None, timings: dict[str, float]) -> None:
    if not totals or not totals.lines:
        # A header and nothing under it is almost always the wrong export, not an import of nothing.
        summary = {"file": totals.as_summary() if totals else {}, "header": batch.summary.get("header", [])}
        summary["outcome"] = (
            "The file has its header line and no order lines under it, so there was nothing to import. "
            "Check that the export holds the orders and not only the column names."
        )
        _finish(batch, ImportState.REJECTED, summary=summary, lines_accepted=0)
        return
    policy = CheckPolicy(
        auto_create_retailers=bool(batch.options.get("auto_create_retailers", True)),
        auto_create_products=bool(batch.options.get("auto_create_products", True)),
        header_of={field: column for field, column in batch.mapping.items() if column},
    )
    _report(batch, progress, stage="checking", message="Looking for duplicates and unknown references")
    with transaction.atomic():
        already_present = run_checks(batch.pk, policy, timings)
    rejected = (
        ImportIssue.objects.filter(batch_id=batch.pk, severity=IssueSeverity.ERROR)
        .values("line_number")
        .distinct()
        .count()
    )
    summary = {"file": totals.as_summary() if totals else {}, "header": batch.summary.get("header", [])}
    _report(
        batch,
        progress,
        lines_rejected=rejected,
        lines_already_present=already_present,
        lines_accepted=max(
            0, batch.lines_read - rejected - batch.lines_set_aside - batch.lines_skipped - already_present
        ),
    )
    if batch.mode == ImportMode.ALL_OR_NOTHING and rejected:
        summary["outcome"] = f"{rejected:,} lines failed the checks, so nothing was imported (all-or-nothing)."
        _finish(batch, ImportState.REJECTED, summary=summary, lines_accepted=0)
        return
    _report(batch, progress, stage="merging", message="Writing orders into the marketplace")
    with timed(timings, "merge_with_commit"), transaction.atomic():
        merged = merge_batch(batch.pk, timings)
    summary["imported"] = dataclasses.asdict(merged)
    summary["seconds"] = timings
    _finish(batch, ImportState.SUCCEEDED, summary=summary, lines_accepted=merged.lines)


def _finish(batch: ImportBatch, state: ImportState, **fields: Any) -> None:
    work_finish(ImportBatch, pk=batch.pk, state=state, stage="", message="", **fields)
