"""Recognising an uploaded file's format from its first few hundred lines: compression,
encoding, delimiter, decimal mark and date format. What is found becomes the batch's
read options, so the full read needs no guessing."""

import codecs
import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .dates import detect_date_format
from .errors import FileFormatError

__all__ = ["FileFormat", "detect_date_format", "sniff_file"]

GZIP_MAGIC = b"\x1f\x8b"
SAMPLE_BYTES = 256 * 1024
SAMPLE_ROWS = 20
DELIMITERS = (",", ";", "\t", "|")
# Judging delimiter, decimal mark and dates on this many records, not just the 20 shown.
JUDGE_RECORDS = 500

_COMMA_DECIMAL = re.compile(r"[-+]?(\d{1,3}(\.\d{3})+|\d+),\d+")
_DOT_DECIMAL = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)\.\d+")
_THOUSANDS_ONLY = re.compile(r"[-+]?\d{1,3}(\.\d{3})+")
_NUMBER_OR_DATE = re.compile(r"[-+]?[\d.,:/ T-]+")


@dataclass
class FileFormat:
    compressed: bool
    encoding: str  # 'utf-8-sig' | 'utf-8' | 'latin-1'
    delimiter: str
    decimal: str  # '.' | ','
    header: list[str]
    sample_rows: list[list[str]] = field(default_factory=list)
    date_format: str | None = None


def sniff_file(path: str | Path) -> FileFormat:
    """Recognise the format of the CSV at `path` (plain or gzip). Raises FileFormatError
    with a message for the uploader when it is empty, binary, headerless or has a
    single column, since none of those can be imported whatever the mapping."""
    compressed, head = _read_head(Path(path))
    encoding, text = _decode(head)
    text = _complete_lines(text, truncated=len(head) >= SAMPLE_BYTES)
    if not text.strip():
        raise FileFormatError("The file is empty.")
    delimiter, records = _choose_delimiter(text)
    header = [cell.strip() for cell in records[0]]
    data = [row for row in records[1:] if any(cell.strip() for cell in row)]
    if all(not cell for cell in header):
        raise FileFormatError("The first line is empty: the file needs a header line naming its columns.")
    if all(_NUMBER_OR_DATE.fullmatch(cell) for cell in header if cell):
        raise FileFormatError(
            "The first line looks like data, not a header: add a header line naming the columns "
            "(for example InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID)."
        )
    return FileFormat(
        compressed=compressed,
        encoding=encoding,
        delimiter=delimiter,
        decimal=_decimal_mark(delimiter, data),
        header=header,
        sample_rows=data[:SAMPLE_ROWS],
        date_format=_first_date_format(header, data),
    )


def _read_head(path: Path) -> tuple[bool, bytes]:
    with path.open("rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if not magic.startswith(GZIP_MAGIC):
            return False, raw.read(SAMPLE_BYTES)
        try:
            with gzip.GzipFile(fileobj=raw) as unzipped:
                return True, unzipped.read(SAMPLE_BYTES)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileFormatError(
                "The file looks gzip-compressed but cannot be decompressed; it may be damaged."
            ) from exc


def _decode(head: bytes) -> tuple[str, str]:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", head[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileFormatError("The file is UTF-16 text; save it as CSV in UTF-8 (or Latin-1) and upload it again.")
    if head.startswith(b"PK\x03\x04"):
        raise FileFormatError("The file is an Excel workbook or a ZIP archive, not a CSV; save it as CSV first.")
    if b"\x00" in head:
        raise FileFormatError("The file is binary, not a CSV text file.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # final=False: the sample may end inside a multi-byte character.
        return "utf-8", decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "latin-1", head.decode("latin-1")


def _complete_lines(text: str, *, truncated: bool) -> str:
    """Drop the last, possibly cut, line of a sample that stopped mid-file."""
    if truncated and "\n" in text:
        return text[: text.rindex("\n") + 1]
    return text


def _records(text: str, delimiter: str, limit: int = JUDGE_RECORDS) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for row in reader:
            if row:
                records.append(row)
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records


def _choose_delimiter(text: str) -> tuple[str, list[list[str]]]:
    """csv.Sniffer's guess when it splits the lines consistently into several columns,
    else the candidate that does so best (counting fields line by line)."""
    candidates = list(DELIMITERS)
    try:
        guess = csv.Sniffer().sniff(text[: 64 * 1024], delimiters="".join(DELIMITERS)).delimiter
        candidates.remove(guess)
        candidates.insert(0, guess)
    except csv.Error:
        pass
    best: tuple[float, int, str, list[list[str]]] | None = None
    for delimiter in candidates:
        records = _records(text, delimiter)
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        consistent = sum(1 for row in records if len(row) == width) / len(records)
        if consistent >= 0.9 and delimiter == candidates[0]:
            return delimiter, records
        if best is None or (consistent, width) > best[:2]:
            best = (consistent, width, delimiter, records)
    if best is None:
        raise FileFormatError(
            "Only one column was found: RetailIQ reads CSV files whose columns are separated "
            "by commas, semicolons, tabs or vertical bars."
        )
    return best[2], best[3]


def _decimal_mark(delimiter: str, rows: list[list[str]]) -> str:
    """',' only where a comma cannot be the delimiter and numbers use it as decimal
    mark more often than a dot ('1.234' alone is a thousands group, not a decimal)."""
    if delimiter not in (";", "\t"):
        return "."
    comma = dot = 0
    for row in rows:
        for cell in row:
            cell = cell.strip()
            if _COMMA_DECIMAL.fullmatch(cell):
                comma += 1
            elif _DOT_DECIMAL.fullmatch(cell) and not _THOUSANDS_ONLY.fullmatch(cell):
                dot += 1
    return "," if comma > dot else "."


def _first_date_format(header: list[str], rows: list[list[str]]) -> str | None:
    for index in range(len(header)):
        values = [row[index] for row in rows if index < len(row)]
        date_format = detect_date_format(values)
        if date_format:
            return date_format
    return None
