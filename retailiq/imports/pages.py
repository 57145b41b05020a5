"""What the import pages show, gathered so views and templates stay thin: the detected
format in words, the file's first lines, and what the file held against what the import
wrote."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
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
    # Amounts in the file are in the file's currency; what was imported, in the marketplace's.
    in_file_currency: str = ""
    imported_currency: str = ""


def file_currency(batch: ImportBatch) -> str:
    return (batch.options.get("currency") or settings.RETAILIQ_CURRENCY).upper()


def exchange_note(batch: ImportBatch) -> str:
    """'Prices in GBP, converted at 1 GBP = 100 INR.' or '' for the marketplace's own currency."""
    currency, marketplace = file_currency(batch), settings.RETAILIQ_CURRENCY.upper()
    rate = batch.options.get("exchange_rate")
    if currency == marketplace or not rate:
        return ""
    return f"Prices in {currency}, converted at the stated rate of 1 {currency} = {float(rate):,.4g} {marketplace}."


def batch_figures(batch: ImportBatch) -> list[Figure]:
    """The file's totals (every line, valid or not) beside what the import wrote; the
    retailers, products and vendors columns count rows the import created. The amounts
    add up in each column: sales and returns (negative) make the net, and in the file the
    lines that were not imported (not products, set aside, rejected) make up the rest of
    its total."""
    held = batch.summary.get("file") or {}
    done = batch.summary.get("imported") or {}
    money = {"money": True, "in_file_currency": file_currency(batch), "imported_currency": settings.RETAILIQ_CURRENCY}
    held_net = held_other = None
    if "sale_revenue" in held:
        held_net = round(held["sale_revenue"] + held.get("return_revenue", 0), 2)
        held_other = round(
            sum(held.get(f"{name}_revenue", 0) for name in ("skipped", "set_aside", "error")),
            2,
        )
    done_net = done_returns = None
    if done:
        done_returns = -abs(done.get("return_revenue", 0))
        done_net = round(done.get("sale_revenue", 0) + done_returns, 2)
    contacts = []
    if maps_contacts(batch) and "retailer_contacts_filled" in done:
        filled = done["retailer_contacts_filled"]
        contacts = [Figure("Known retailers whose blank contacts were filled", None, filled)]
    return [
        Figure("Lines", held.get("lines"), done.get("lines")),
        Figure("Orders (invoices)", held.get("invoices"), done.get("orders")),
        Figure("Retailers (customers)", held.get("customers"), _new(done, "retailers")),
        Figure("Products (stock codes)", held.get("skus"), _new(done, "products")),
        Figure("Vendors", None, _new(done, "vendors")),
        *contacts,
        Figure("Sale lines", held.get("sale_lines"), done.get("sale_lines")),
        Figure("Return lines", held.get("return_lines"), done.get("return_lines")),
        Figure("Sales revenue", held.get("sale_revenue"), done.get("sale_revenue"), **money),
        Figure("Returns", _negative(held.get("return_revenue")), done_returns, **money),
        Figure("Revenue, net of returns", held_net, done_net, **money),
        Figure("Lines not imported (not products, set aside, rejected)", held_other, None, **money),
        Figure("All lines in the file", held.get("revenue"), None, **money),
    ]


CONTACT_FIELDS = ("retailer_contact_name", "retailer_phone", "retailer_email")
CONTACTS_KEPT_NOTE = (
    "Contact person, phone and email fill a new retailer's, and only the blank ones of a retailer known before; "
    "a contact already set is kept as it is."
)


def maps_contacts(batch: ImportBatch) -> bool:
    return any((batch.mapping or {}).get(field) for field in CONTACT_FIELDS)


def _negative(value: float | None) -> float | None:
    """Returns take money back: both columns show them negative, so sales and returns add up to the net."""
    return -abs(value) if value is not None else None


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
