"""From an uploaded file to a batch ready to run: store it (counting bytes against the
limit), recognise its format, propose a column mapping, then queue it."""

import hashlib
import math
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ..models import ImportBatch, ImportMode, ImportState
from ..reading import PRESETS, FileFormatError, ReadOptions, propose_mapping, sniff_file, validate_mapping
from .errors import ImportRejected, ImportTooLarge

COPY_BUFFER = 1024 * 1024


def _too_large_message(limit: int) -> str:
    return (
        f"The file is larger than the import limit of {limit / 1024 / 1024:,.0f} MiB "
        "(RETAILIQ_IMPORT_MAX_BYTES). Split it, or compress it with gzip: compressed files are accepted."
    )


def _copy_counting(source: IO[bytes], target: IO[bytes], *, limit: int) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while block := source.read(COPY_BUFFER):
        size += len(block)
        if size > limit:
            raise ImportTooLarge(_too_large_message(limit))
        digest.update(block)
        target.write(block)
    return size, digest.hexdigest()


def import_batch_create(*, source: IO[bytes], original_name: str, user: Any = None) -> ImportBatch:
    """Store an upload as a new batch in state `uploaded`, with the format sniffed and
    a proposed mapping. A file that is not a readable CSV is refused here, naming why."""
    limit = settings.RETAILIQ_IMPORT_MAX_BYTES
    spool = Path(settings.MEDIA_ROOT) / "imports" / "incoming"
    spool.mkdir(parents=True, exist_ok=True)
    temp = spool / f"upload-{timezone.now():%Y%m%d%H%M%S%f}"
    try:
        with temp.open("wb") as target:
            size, sha256 = _copy_counting(source, target, limit=limit)
        if size == 0:
            raise ImportRejected("The file is empty.", errors={"file": "The file is empty."})
        try:
            file_format = sniff_file(temp)
        except FileFormatError as exc:
            raise ImportRejected(str(exc), errors={"file": str(exc)}) from exc
        options = ReadOptions(
            mapping=propose_mapping(file_format.header, file_format.sample_rows),
            encoding=file_format.encoding,
            delimiter=file_format.delimiter,
            decimal=file_format.decimal,
            date_format=file_format.date_format,
        )
        batch = ImportBatch(
            original_name=Path(original_name).name[:255] or "upload.csv",
            size_bytes=size,
            sha256=sha256,
            mapping=options.mapping,
            options=_options_without_mapping(options),
            created_at=timezone.now(),
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        batch.summary = {"header": file_format.header, "sample_rows": file_format.sample_rows[:10]}
        with temp.open("rb") as stored:
            batch.file.save(batch.original_name, File(stored), save=False)
        batch.save()
        return batch
    finally:
        temp.unlink(missing_ok=True)


def import_batch_create_from_path(*, path: str | Path, user: Any = None) -> ImportBatch:
    path = Path(path)
    if not path.is_file():
        raise ImportRejected(f"No file at {path}.", errors={"file": f"No file at {path}."})
    with path.open("rb") as source:
        return import_batch_create(source=source, original_name=path.name, user=user)


def _options_without_mapping(options: ReadOptions) -> dict[str, Any]:
    data = options.to_dict()
    data.pop("mapping", None)
    return data


def import_batch_configure(
    *,
    batch: ImportBatch,
    mapping: dict[str, str | None] | None = None,
    options: dict[str, Any] | None = None,
    mode: str = ImportMode.QUARANTINE,
    preset: str = "",
) -> ImportBatch:
    """Set how the file is read and what the import may create. A preset supplies a
    mapping and options; explicit ones override it. Errors name the field at fault."""
    if batch.state != ImportState.UPLOADED:
        raise ImportRejected(f"Import {batch.pk} has already started; upload the file again to change its settings.")
    if mode not in ImportMode.values:
        raise ImportRejected(
            f"Unknown mode '{mode}'.", errors={"mode": f"Choose one of {', '.join(ImportMode.values)}."}
        )
    merged_mapping = dict(batch.mapping)
    merged_options = dict(batch.options)
    if preset:
        if preset not in PRESETS:
            message = f"Unknown preset '{preset}'. Known presets: {', '.join(sorted(PRESETS))}."
            raise ImportRejected(message, errors={"preset": message})
        merged_mapping = {name: None for name in merged_mapping} | dict(PRESETS[preset].mapping)
        merged_options |= PRESETS[preset].options
    merged_mapping |= mapping or {}
    merged_options |= options or {}
    merged_mapping = {field: (column or None) for field, column in merged_mapping.items()}
    header = batch.summary.get("header", [])
    # Every problem at once: the columns, the vendor and the currency are corrected in one go.
    problems = validate_mapping(merged_mapping, header)
    errors = _errors_by_field(problems, merged_mapping)
    if not merged_mapping.get("vendor") and not str(merged_options.get("default_vendor") or "").strip():
        message = "The file has no vendor column: choose the vendor its products belong to."
        problems.append(message)
        errors["default_vendor"] = message
    currency_problem = _currency_problem(merged_options)
    if currency_problem:
        problems.append(currency_problem)
        errors["exchange_rate"] = currency_problem
    if problems:
        message = problems[0] if len(problems) == 1 else f"{len(problems)} things to correct: " + " ".join(problems)
        raise ImportRejected(message, errors=errors)
    try:
        ReadOptions.from_dict({**merged_options, "mapping": merged_mapping})
    except (TypeError, ValueError) as exc:
        option = getattr(exc, "option", "options")
        raise ImportRejected(f"Invalid import options: {exc}", errors={option: str(exc)}) from exc
    batch.mapping, batch.options, batch.mode, batch.preset = merged_mapping, merged_options, mode, preset
    batch.save(update_fields=["mapping", "options", "mode", "preset"])
    return batch


def _currency_problem(options: dict[str, Any]) -> str:
    """The file's currency defaults to the marketplace's; another needs a rate into it that the caller states
    (a pound's price shown as rupees would be wrong by a factor of a hundred, and no rate is ever assumed).
    Normalises the options in place."""
    marketplace = settings.RETAILIQ_CURRENCY.upper()
    currency = str(options.get("currency") or "").strip().upper() or marketplace
    options["currency"] = currency
    if currency == marketplace:
        options["exchange_rate"] = None
        return ""
    given = options.get("exchange_rate")
    if given is None or str(given).strip() == "":
        return (
            f"The file's prices are in {currency}: type the rate that converts one {currency} into {marketplace} "
            f"(Rate into the marketplace's currency), or choose {marketplace} if its prices are already in it."
        )
    try:
        rate = float(given)
    except (TypeError, ValueError):
        rate = math.nan
    if math.isfinite(rate) and rate > 0:
        options["exchange_rate"] = rate
        return ""
    return (
        f"The rate that converts one {currency} into {marketplace} (Rate into the marketplace's currency) must be "
        f"a number above 0, not '{given}'."
    )


def _errors_by_field(problems: list[str], mapping: dict[str, str | None]) -> dict[str, str]:
    """validate_mapping's messages name the field in parentheses; key them by it."""
    errors: dict[str, str] = {}
    for message in problems:
        field = next((name for name in mapping if f"({name})" in message), "mapping")
        errors.setdefault(field, message)
    return errors


def import_batch_start(*, batch: ImportBatch) -> ImportBatch:
    """Queue the batch; its task is sent once this transaction commits."""
    from ..tasks import run_import

    with transaction.atomic():
        # The heartbeat says when it was queued, until a worker claims it (see import_batches_to_resend).
        updated = ImportBatch.objects.filter(pk=batch.pk, state=ImportState.UPLOADED).update(
            state=ImportState.QUEUED, message="Waiting for a worker", heartbeat_at=timezone.now()
        )
        if not updated:
            raise ImportRejected(f"Import {batch.pk} is already {batch.get_state_display().lower()}.")
        transaction.on_commit(lambda: run_import.delay(batch.pk))
    batch.refresh_from_db()
    return batch
