"""Streaming a sales file into checked chunks: Arrow's CSV parser reads a UTF-8 file
(gzip or plain) a bounded number of lines at a time, pandas' C parser any other file
and the rest of one Arrow cannot read on (arrow_csv.py), and each chunk is checked
column-wise, so memory stays flat and a million lines take seconds."""

import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa

from .arrow_csv import ArrowGaveUp, arrow_readable, arrow_tables, distinct_values
from .cells import gc_paused
from .dates import detect_date_format
from .errors import FileFormatError, LineLimitExceeded, SizeLimitExceeded
from .fields import ORDER_FIELDS
from .lines import ReadPlan, check_chunk
from .mapping import validate_mapping
from .options import ReadOptions
from .totals import FileTotals

GZIP_MAGIC = b"\x1f\x8b"
# A line with more fields than the header is read (and rejected) rather than failing
# the file. Room for surplus fields costs parsing time on every line, so there is one
# spare column until a line needs more; then the file is read again from the start with
# that much room, skipping what was already delivered. Beyond this many, the file is
# refused. The spare column is there because pandas' C parser, reading in chunks, does
# not always raise for a wider line after the first chunk: depending on where its
# buffers end it keeps the line and drops the fields that do not fit. With a spare
# column the first surplus field is kept, and the line is rejected by the checks.
MAX_SURPLUS_FIELDS = 256
SPARE_FIELDS = 1
DATE_SAMPLE = 2000
_WIDER_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


@dataclass
class Chunk:
    """One slice of the file. `totals` is cumulative and the same object on every
    chunk (updated in place); `bytes_read` is the position in the file as stored
    (compressed bytes for gzip), for progress against the file's size."""

    staged: pd.DataFrame
    issues: pd.DataFrame
    lines: int
    bytes_read: int
    totals: FileTotals
    # The staged text columns as (codes into distinct values, distinct values), per column.
    staged_texts: dict[str, tuple[np.ndarray, np.ndarray]] = dataclass_field(default_factory=dict)


class _WiderLine(Exception):
    """A line has more fields than the parser has room for: read again, wider."""

    def __init__(self, fields: int) -> None:
        self.fields = fields


def read_orders(path: str | Path, options: ReadOptions) -> Iterator[Chunk]:
    """Yield the file's lines in chunks of `options.chunk_lines`, checked and sorted
    (see lines.py for the rules). Raises FileFormatError when the header does not fit
    the mapping or the CSV breaks down, and LineLimitExceeded as soon as more than
    `options.max_lines` data lines are seen; chunks already yielded stay valid."""
    path = Path(path)
    header = _read_header(path, options)
    plan = _plan(header, options)
    totals = FileTotals()
    seen, surplus = 0, SPARE_FIELDS
    fast = arrow_readable(options)
    while True:
        try:
            if fast:
                frames = _arrow_frames(path, options, width=len(header), skip=seen)
            else:
                frames = _frames(path, options, width=len(header) + surplus, skip=seen)
            for frame, bytes_read in frames:
                if seen == 0 and plan.date_format is None:
                    plan.date_format = _detect_dates(frame, plan)
                if options.max_lines is not None and seen + len(frame) > options.max_lines:
                    raise LineLimitExceeded(options.max_lines)
                with gc_paused():
                    result = check_chunk(frame, first_line=seen + 2, plan=plan)
                seen += len(frame)
                totals.add(result)
                yield Chunk(result.staged, result.issues, len(frame), bytes_read, totals, result.staged_texts)
            return
        except ArrowGaveUp:
            fast = False  # pandas reads on from the first line not delivered
        except _WiderLine as wider:
            # Doubling the room keeps the re-reads few, however the widths grow.
            needed = min(max(wider.fields - len(header), 2 * surplus), MAX_SURPLUS_FIELDS)
            if wider.fields - len(header) > MAX_SURPLUS_FIELDS or needed <= surplus:
                raise FileFormatError(
                    f"A line has {wider.fields} fields where the header has {len(header)}: "
                    "check the delimiter and the quoting."
                ) from None
            surplus = needed


def _frames(path: Path, options: ReadOptions, *, width: int, skip: int) -> Iterator[tuple[pd.DataFrame, int]]:
    """Data lines (the header row dropped) as frames of raw cells, columns by
    position, `width` of them; the first `skip` data lines are read and dropped."""
    with path.open("rb") as raw, _decompressed(raw, options) as stream:
        reader = pd.read_csv(stream, iterator=True, **_csv_arguments(options, width))
        delivered, first = 0, True
        while True:
            wanted = options.chunk_lines
            if delivered < skip:
                wanted = skip - delivered
            elif options.max_lines is not None:
                wanted = min(wanted, options.max_lines - delivered + 1)
            with gc_paused():
                frame = _next_frame(reader, wanted + first)
            if frame is None:
                return
            if first:
                frame, first = frame.iloc[1:], False
            start, delivered = delivered, delivered + len(frame)
            if delivered > skip or skip == 0:  # a header-only file still gives one (empty) frame
                yield frame.iloc[max(0, skip - start) :], raw.tell()


def _arrow_frames(path: Path, options: ReadOptions, *, width: int, skip: int) -> Iterator[tuple[pa.Table, int]]:
    """As _frames, through Arrow's parser (see arrow_csv.py); raises ArrowGaveUp where it cannot."""
    with path.open("rb") as raw, _decompressed(raw, options) as stream:
        for table in arrow_tables(stream, options, width=width, skip=skip):
            yield table, raw.tell()


def _csv_arguments(options: ReadOptions, width: int) -> dict:
    return {
        "sep": options.delimiter,
        "header": None,
        "names": list(range(width)),
        "index_col": False,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "encoding": options.encoding,
        # A stray byte deep in a file sniffed as UTF-8 becomes U+FFFD in its cell
        # rather than failing a long import at the last chunk.
        "encoding_errors": "replace",
        "engine": "c",
        "compression": None,
    }


def _decompressed(raw: IO[bytes], options: ReadOptions) -> IO[bytes]:
    magic = raw.read(2)
    raw.seek(0)
    source = gzip.GzipFile(fileobj=raw) if magic == GZIP_MAGIC else raw
    if options.max_bytes is None and options.max_line_bytes is None:
        return source if source is not raw else _Unclosed(raw)
    return io.BufferedReader(_Bounded(source, max_bytes=options.max_bytes, max_line_bytes=options.max_line_bytes))


class _Unclosed:
    """The plain file itself, as a context manager that leaves closing to its owner."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw

    def __enter__(self) -> IO[bytes]:
        return self.raw

    def __exit__(self, *exc: object) -> None:
        return None


class _Bounded(io.RawIOBase):
    """The (decompressed) bytes of a file, counted as the parser pulls them: past
    `max_bytes` in all, or `max_line_bytes` without a line break, reading stops with
    SizeLimitExceeded, so a gzip bomb or a one-gigabyte cell never reaches memory.
    Closing it leaves the plain file to its owner (a GzipFile is closed with it)."""

    def __init__(self, source: IO[bytes], *, max_bytes: int | None, max_line_bytes: int | None) -> None:
        self.source = source
        self.max_bytes = max_bytes
        self.max_line_bytes = max_line_bytes
        self.total = 0
        self.line = 0  # bytes since the last line break

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "memoryview | bytearray") -> int:
        block = self.source.read(len(buffer))
        n = len(block)
        buffer[:n] = block
        self.total += n
        if self.max_bytes is not None and self.total > self.max_bytes:
            raise SizeLimitExceeded(
                f"The file holds more than {self.max_bytes:,} bytes once decompressed",
                setting="RETAILIQ_IMPORT_MAX_DECOMPRESSED_BYTES",
            )
        if self.max_line_bytes is not None and n:
            last_break = block.rfind(b"\n")
            if last_break < 0:
                self.line += n
            else:
                first_break = block.find(b"\n")
                longest = max(self.line + first_break, _longest_run(block, first_break, last_break))
                if longest > self.max_line_bytes:
                    self._line_too_long()
                self.line = n - last_break - 1
            if self.line > self.max_line_bytes:
                self._line_too_long()
        return n

    def _line_too_long(self) -> None:
        raise SizeLimitExceeded(
            f"A line is longer than {self.max_line_bytes:,} bytes: no order line needs that much",
            setting="RETAILIQ_IMPORT_MAX_LINE_BYTES",
        )

    def close(self) -> None:
        if isinstance(self.source, gzip.GzipFile):
            self.source.close()
        super().close()


def _longest_run(block: bytes, first_break: int, last_break: int) -> int:
    """The longest stretch between two line breaks inside `block` (0 when it has one)."""
    if last_break - first_break <= 1:
        return 0
    breaks = np.flatnonzero(
        np.frombuffer(block, dtype=np.uint8, offset=first_break, count=last_break - first_break + 1) == 10
    )
    return int(np.diff(breaks).max()) - 1


def _next_frame(reader: "pd.io.parsers.TextFileReader", size: int) -> pd.DataFrame | None:
    try:
        return reader.get_chunk(size)
    except StopIteration:
        return None
    except (pd.errors.ParserError, ValueError) as exc:
        wider = _WIDER_LINE.search(str(exc))
        if wider:
            raise _WiderLine(int(wider.group(3))) from None
        message = re.sub(r"^Error tokenizing data\. C error: ", "", str(exc)).strip()
        raise FileFormatError(f"The file stops being a readable CSV: {message}.") from exc


def _read_header(path: Path, options: ReadOptions) -> list[str]:
    with path.open("rb") as raw, _decompressed(raw, options) as stream:
        arguments = _csv_arguments(options, 1) | {"names": None, "nrows": 1}
        try:
            first = pd.read_csv(stream, **arguments)
        except pd.errors.EmptyDataError as exc:
            raise FileFormatError("The file is empty.") from exc
        except (pd.errors.ParserError, ValueError) as exc:
            raise FileFormatError(f"The file's header line cannot be read: {exc}") from exc
    if first.empty:
        raise FileFormatError("The file is empty.")
    return [str(cell).strip().lstrip("\ufeff").strip() for cell in first.iloc[0]]


def _plan(header: list[str], options: ReadOptions) -> ReadPlan:
    problems = validate_mapping(options.mapping, header)
    if problems:
        raise FileFormatError("The column mapping does not fit the file: " + " ".join(problems))
    positions: dict[str, int | None] = {}
    for field in ORDER_FIELDS:
        column = options.mapping.get(field.name)
        positions[field.name] = header.index(column) if column else None
    pattern = re.compile(options.non_product_pattern) if options.non_product_pattern else None
    return ReadPlan(
        header=header, positions=positions, options=options, date_format=options.date_format, non_product=pattern
    )


def _detect_dates(frame: pd.DataFrame | pa.Table, plan: ReadPlan) -> str | None:
    position = plan.positions["ordered_at"]
    if position is None or not len(frame):
        return None
    if isinstance(frame, pa.Table):
        return detect_date_format([str(v) for v in distinct_values(frame, position, DATE_SAMPLE)])
    values = pd.unique(frame.iloc[:, position].to_numpy(dtype=object))[:DATE_SAMPLE]
    return detect_date_format([str(v) for v in values])
