"""What the import pages show, gathered so views and templates stay thin: the detected
format in words, the file's first lines, and what the file held against what the import
wrote."""

from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import filesizeformat

from .models import ImportBatch, ImportState
from .reading import ORDER_FIELDS, human_date_format

DELIMITER_NAMES = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "pipe (|)"}
DECIMAL_NAMES = {".": "point (1234.50)", ",": "comma (1234,50)"}
ENCODING_NAMES = {"utf-8-sig": "UTF-8 with byte-order mark", "utf-8": "UTF-8", "latin-1": "Latin-1 (ISO-8859-1)"}
SAMPLE_ROWS_SHOWN = 5
# Badges are one line: the long state labels get a short form.
SHORT_STATES = {ImportState.UPLOADED: "Needs mapping", ImportState.REJECTED: "Rejected", ImportState.FAILED: "Failed"}


def state_label(batch: ImportBatch) -> str:
    return SHORT_STATES.get(batch.state, batch.get_state_display())


def file_format_rows(batch: ImportBatch) -> list[tuple[str, str]]:
    options = batch.options
    date_format = options.get("date_format")
    return [
        ("File", f"{batch.original_name} ({filesizeformat(batch.size_bytes)})"),
        ("Compressed", "yes, gzip" if batch.original_name.lower().endswith(".gz") else "no"),
        ("Encoding", ENCODING_NAMES.get(options.get("encoding", ""), options.get("encoding", "—"))),
        ("Delimiter", DELIMITER_NAMES.get(options.get("delimiter", ""), repr(options.get("delimiter", "")))),
        ("Decimal mark", DECIMAL_NAMES.get(options.get("decimal", "."), options.get("decimal", "."))),
        ("Date format", human_date_format(date_format) if date_format else "not recognised in the first lines"),
    ]


@dataclass(frozen=True)
class SampleTable:
    header: list[str]
    rows: list[list[str]]


def sample_table(batch: ImportBatch, *, rows: int = SAMPLE_ROWS_SHOWN) -> SampleTable:
    header = list(batch.summary.get("header", []))
    sample = [list(row) + [""] * (len(header) - len(row)) for row in batch.summary.get("sample_rows", [])[:rows]]
    return SampleTable(header=header, rows=sample)


@dataclass(frozen=True)
class Figure:
    label: str
    in_file: Any = None
    imported: Any = None
    money: bool = False


def batch_figures(batch: ImportBatch) -> list[Figure]:
    """The file's totals (every line, valid or not) beside what the import wrote; the
    retailers, products and vendors columns count rows the import created."""
    held = batch.summary.get("file") or {}
    done = batch.summary.get("imported") or {}
    revenue = None
    if done:
        revenue = round(done.get("sale_revenue", 0) - done.get("return_revenue", 0), 2)
    return [
        Figure("Lines", held.get("lines"), done.get("lines")),
        Figure("Orders (invoices)", held.get("invoices"), done.get("orders")),
        Figure("Retailers (customers)", held.get("customers"), _new(done, "retailers")),
        Figure("Products (stock codes)", held.get("skus"), _new(done, "products")),
        Figure("Vendors", None, _new(done, "vendors")),
        Figure("Sale lines", held.get("sale_lines"), done.get("sale_lines")),
        Figure("Return lines", held.get("return_lines"), done.get("return_lines")),
        Figure("Sales revenue", held.get("sale_revenue"), done.get("sale_revenue"), money=True),
        Figure("Returns", _amount(held.get("return_revenue")), done.get("return_revenue"), money=True),
        Figure("Revenue, net of returns", held.get("revenue"), revenue, money=True),
    ]


def _amount(value: float | None) -> float | None:
    """The file's totals count returns negative; the page shows both columns as amounts."""
    return abs(value) if value is not None else None


def _new(done: dict[str, Any], key: str) -> str | None:
    return f"{done[key]:,} new" if key in done else None


def field_rows() -> list[dict[str, Any]]:
    """The format page's field reference."""
    return [
        {
            "name": field.name,
            "label": field.label,
            "required": field.required,
            "kind": KIND_NAMES.get(field.kind, field.kind),
            "help": field.help,
            "max_length": field.max_length,
            "synonyms": ", ".join(field.synonyms[:6]),
        }
        for field in ORDER_FIELDS
    ]


KIND_NAMES = {
    "text": "text",
    "int": "whole number",
    "decimal": "number",
    "datetime": "date and time",
    "bool": "yes/no",
}
