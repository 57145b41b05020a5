"""Checking one chunk of raw lines and sorting each into a class: sale, return,
skipped, set aside or error. Everything here works on whole columns.

Precedence, so that each line gets exactly one class and at most one issue:
a line with more fields than the header is an error (its cells are shifted, nothing
else can be trusted); then a non-product SKU or an empty line is skipped (its other
cells do not matter); then the first failing field in ORDER_FIELDS order is the error
reported (later failures on the same line are not listed); then a line without a
customer is set aside when the policy says so; what remains is a sale or a return."""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from .arrow_csv import ArrowCells, arrow_columns
from .cells import (
    INT_LIMIT,
    PRICE_LIMIT,
    Column,
    longer_than,
    parse_booleans,
    parse_dates,
    parse_discounts,
    parse_numbers,
)
from .contacts import EMAIL_REASON, PHONE_REASON, invalid_emails, invalid_phones
from .dates import human_date_format
from .fields import ORDER_FIELDS
from .issues import IssueLog
from .options import ReadOptions

SALE, RETURN, SKIPPED, SET_ASIDE, ERROR = range(5)
CLASS_NAMES = ("sale", "return", "skipped", "set_aside", "error")
RETURN_SUFFIX = "-R"
ISO_EXPECTED = "an ISO 8601 date such as 2011-12-09 12:50:30, without a time zone"
KINDS = np.array(["sale", "return"], dtype=object)

STAGED_COLUMNS = (
    "line_number", "order_id", "kind", "ordered_at", "retailer_id", "retailer_name", "retailer_city",
    "retailer_region", "retailer_country", "retailer_segment", "retailer_contact_name", "retailer_phone",
    "retailer_email", "sku", "product_name", "category", "brand",
    "vendor", "quantity", "unit_price", "discount_rate", "on_promotion", "warehouse",
)  # fmt: skip
TEXT_FIELDS = tuple(f.name for f in ORDER_FIELDS if f.kind == "text")
CONTACT_CHECKS = {"retailer_phone": (invalid_phones, PHONE_REASON), "retailer_email": (invalid_emails, EMAIL_REASON)}


@dataclass
class ReadPlan:
    """What the reader settled once per file: the header, where each mapped field
    sits in it, and the date format (given, or detected on the first chunk)."""

    header: list[str]
    positions: dict[str, int | None]
    options: ReadOptions
    date_format: str | None
    non_product: re.Pattern[str] | None

    @property
    def width(self) -> int:
        return len(self.header)


@dataclass
class ChunkResult:
    staged: pd.DataFrame
    staged_texts: dict[str, tuple[np.ndarray, np.ndarray]]  # text column -> (codes, distinct values)
    issues: pd.DataFrame
    line_class: np.ndarray  # int8 per line, an index into CLASS_NAMES
    revenue: np.ndarray  # file quantity x price per line, NaN where either does not parse
    invoices: np.ndarray
    customers: np.ndarray
    skus: np.ndarray


def check_chunk(frame: pd.DataFrame | pa.Table, *, first_line: int, plan: ReadPlan) -> ChunkResult:
    """Classify every line of `frame` (raw cells, columns by position, the header's
    columns first and any surplus fields after; an Arrow table from the fast route has
    exactly the header's) and build the staged rows and issues."""
    n = len(frame)
    if isinstance(frame, pa.Table):
        by_position = arrow_columns(frame)
        cells: list = [ArrowCells(column) for column in by_position]
    else:
        cells = [frame.iloc[:, i].to_numpy(dtype=object) for i in range(frame.shape[1])]
        by_position = [None] * len(cells)
    line_numbers = np.arange(first_line, first_line + n, dtype=np.int64)
    columns = {
        name: (by_position[pos] or Column.from_cells(cells[pos])) if pos is not None else Column.empty(n)
        for name, pos in plan.positions.items()
    }
    log = IssueLog(n=n, header=plan.header, cells=cells)

    _check_surplus_fields(log, cells, plan)
    _check_skipped(log, columns, cells, plan)

    order = columns["order_id"]
    cancellation = np.zeros(n, dtype=bool)
    prefix = plan.options.cancellation_prefix
    if prefix:
        cancellation = order.per_line(np.array([v.startswith(prefix) for v in order.text], dtype=bool))

    values: dict[str, np.ndarray] = {}
    quantity = np.full(n, np.nan)
    price = np.full(n, np.nan)
    for field in ORDER_FIELDS:
        column, pos = columns[field.name], plan.positions[field.name]
        if pos is None:
            continue
        if field.required and not (field.name == "retailer_id" and plan.options.missing_retailer == "set_aside"):
            log.flag(column.per_line(column.is_empty), f"{field.label} is empty", pos, column, ERROR)
        if field.kind == "text":
            too_long = longer_than(column.text, field.max_length)
            if too_long.any():
                log.flag(column.per_line(too_long), f"longer than {field.max_length} characters", pos, column, ERROR)
            if field.name in CONTACT_CHECKS:
                invalid, reason = CONTACT_CHECKS[field.name]
                log.flag(column.per_line(invalid(column.text)), reason, pos, column, ERROR)
        elif field.name == "ordered_at":
            parsed = parse_dates(column.text, plan.date_format)
            expected = human_date_format(plan.date_format) if plan.date_format else ISO_EXPECTED
            log.flag(column.per_line(np.isnat(parsed)), f"unparseable date: expected {expected}", pos, column, ERROR)
            _check_date_bounds(log, column, pos, parsed, plan.options)
            values[field.name] = column.per_line(parsed)
        elif field.name == "quantity":
            quantity = _check_quantity(log, column, pos, cancellation, plan)
        elif field.name == "unit_price":
            price = _check_price(log, column, pos, plan)
        elif field.name == "discount":
            rate, valid = parse_discounts(column.text, plan.options.decimal)
            reason = "discount must be a fraction below 1 or a percentage below 100"
            log.flag(column.per_line(~valid), reason, pos, column, ERROR)
            values[field.name] = column.per_line(rate)
        elif field.name == "on_promotion":
            flag, valid = parse_booleans(column.text)
            log.flag(column.per_line(~valid), "not yes or no: use true/false, yes/no, y/n or 1/0", pos, column, ERROR)
            values[field.name] = column.per_line(flag)

    retailer, retailer_pos = columns["retailer_id"], plan.positions["retailer_id"]
    if plan.options.missing_retailer == "set_aside" and retailer_pos is not None:
        log.flag(retailer.per_line(retailer.is_empty), "no customer: kept apart", retailer_pos, retailer, SET_ASIDE)

    line_class = log.line_class()
    returns = quantity < 0
    line_class[(line_class == SALE) & returns] = RETURN
    staged, staged_texts = _staged(columns, values, quantity, price, cancellation, line_numbers, line_class, plan)
    return ChunkResult(
        staged=staged,
        staged_texts=staged_texts,
        issues=log.frame(line_numbers),
        line_class=line_class,
        revenue=quantity * price,
        invoices=_non_empty(order.text),
        customers=_non_empty(retailer.text),
        skus=_non_empty(columns["sku"].text),
    )


def _check_surplus_fields(log: IssueLog, cells: list[np.ndarray], plan: ReadPlan) -> None:
    if len(cells) <= plan.width:
        return
    filled = np.stack([extra != "" for extra in cells[plan.width :]], axis=1)
    surplus = filled.any(axis=1)
    if not surplus.any():
        return
    rows = np.flatnonzero(surplus)
    counts = plan.width + filled.shape[1] - np.argmax(filled[rows, ::-1], axis=1)
    reasons = np.array([f"the line has {c} fields; the header has {plan.width}" for c in counts], dtype=object)
    delimiter = plan.options.delimiter
    extras = np.array(
        [
            delimiter.join(str(extra[row]) for extra in cells[plan.width : count])
            for row, count in zip(rows, counts, strict=True)
        ],
        dtype=object,
    )
    log.flag_lines(rows, reasons, -1, extras, ERROR)


def _check_skipped(log: IssueLog, columns: dict[str, Column], cells: list[np.ndarray], plan: ReadPlan) -> None:
    sku, sku_pos = columns["sku"], plan.positions["sku"]
    if plan.non_product is not None and sku_pos is not None:
        match = np.array([bool(plan.non_product.fullmatch(v)) for v in sku.text], dtype=bool)
        if match.any():
            reasons = np.array([f"not a product: {v}" for v in sku.text], dtype=object)
            log.flag(sku.per_line(match), reasons, sku_pos, sku, SKIPPED)
    # A line of empty cells (spreadsheet exports end with a few) is not worth an error.
    maybe_empty = columns["order_id"].per_line(columns["order_id"].is_empty) & sku.per_line(sku.is_empty)
    if maybe_empty.any():
        rows = np.flatnonzero(maybe_empty)
        blank = np.ones(len(rows), dtype=bool)
        for column_cells in cells:
            blank &= np.array([not str(v).strip() for v in column_cells[rows]], dtype=bool)
        rows = rows[blank]
        log.flag_lines(
            rows, np.full(len(rows), "empty line", dtype=object), -1, np.full(len(rows), "", dtype=object), SKIPPED
        )


def _check_date_bounds(log: IssueLog, column: Column, pos: int, parsed: np.ndarray, options: ReadOptions) -> None:
    if options.latest_date:
        after = np.datetime64(options.latest_date, "D") + np.timedelta64(1, "D")
        reason = f"date is in the future: the latest accepted day is {options.latest_date}"
        log.flag(column.per_line(parsed >= after), reason, pos, column, ERROR)
    if options.earliest_date:
        reason = f"date is before {options.earliest_date}, the earliest accepted day"
        log.flag(column.per_line(parsed < np.datetime64(options.earliest_date, "D")), reason, pos, column, ERROR)


def _check_quantity(log: IssueLog, column: Column, pos: int, cancellation: np.ndarray, plan: ReadPlan) -> np.ndarray:
    numbers = parse_numbers(column.text, plan.options.decimal)
    whole = np.isfinite(numbers) & (numbers == np.round(numbers))
    log.flag(column.per_line(~whole & ~column.is_empty), "quantity is not a whole number", pos, column, ERROR)
    log.flag(column.per_line(whole & (np.abs(numbers) > INT_LIMIT)), "quantity is too large", pos, column, ERROR)
    log.flag(column.per_line(numbers == 0), "quantity is zero", pos, column, ERROR)
    quantity = column.per_line(numbers)
    log.flag(cancellation & (quantity > 0), "positive quantity on a cancellation invoice", pos, column, ERROR)
    return quantity


def _check_price(log: IssueLog, column: Column, pos: int, plan: ReadPlan) -> np.ndarray:
    numbers = parse_numbers(column.text, plan.options.decimal)
    log.flag(column.per_line(np.isnan(numbers) & ~column.is_empty), "unit price is not a number", pos, column, ERROR)
    log.flag(column.per_line(numbers < 0), "negative price", pos, column, ERROR)
    log.flag(column.per_line(numbers >= PRICE_LIMIT), "price is too large", pos, column, ERROR)
    return column.per_line(numbers)


def _staged(
    columns: dict[str, Column],
    values: dict[str, np.ndarray],
    quantity: np.ndarray,
    price: np.ndarray,
    cancellation: np.ndarray,
    line_numbers: np.ndarray,
    line_class: np.ndarray,
    plan: ReadPlan,
) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The staged rows, and their text columns as (codes, distinct values) as well: the
    form a columnar writer turns into text without a Python object per cell."""
    keep = np.flatnonzero(line_class <= RETURN)
    n = len(keep)
    is_return = line_class[keep] == RETURN
    every_line = n == len(line_class)  # the usual chunk: no line to leave out
    coded = {
        name: (columns[name].codes if every_line else columns[name].codes[keep], columns[name].text)
        for name in TEXT_FIELDS
    }
    if plan.positions["retailer_region"] is None:
        # A file with only countries (Online Retail) still gives every retailer a region.
        coded["retailer_region"] = coded["retailer_country"]
    renamed = is_return & ~cancellation[keep]
    if renamed.any():
        codes, distinct = coded["order_id"]
        codes = codes.copy()
        codes[renamed] += len(distinct)
        coded["order_id"] = (codes, np.concatenate([distinct, distinct + RETURN_SUFFIX]))
    texts = {name: distinct[codes] for name, (codes, distinct) in coded.items()}
    computed = {
        "line_number": line_numbers[keep],
        "kind": KINDS[is_return.astype(np.intp)],
        "ordered_at": values["ordered_at"][keep],
        "quantity": np.abs(quantity[keep]).astype(np.int64),
        # Converted into the marketplace's currency at the stated rate; the file's totals keep its own.
        "unit_price": np.round(price[keep] * (plan.options.exchange_rate or 1.0), 2),
        "discount_rate": values["discount"][keep] if "discount" in values else np.zeros(n),
        "on_promotion": values["on_promotion"][keep] if "on_promotion" in values else np.zeros(n, dtype=bool),
    }
    # Built in the final column order, without consolidating: every array here is new,
    # and copying them into blocks would cost more than computing them did.
    columns_in_order = {name: computed[name] if name in computed else texts[name] for name in STAGED_COLUMNS}
    return pd.DataFrame(columns_in_order, copy=False), coded


def _non_empty(text: np.ndarray) -> np.ndarray:
    return text[text != ""]
