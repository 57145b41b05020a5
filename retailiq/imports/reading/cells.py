"""Turning a column of raw cells into values, one distinct cell at a time.

A sales file repeats itself (a few thousand SKUs, dates and prices across a million
lines), so every column is factorized first: the parsing runs over its distinct
values only, and results go back to the lines by integer indexing. That keeps the
reader vectorized without per-line Python."""

import gc
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

try:  # a private pandas class, stable for years; the fallback is pd.factorize
    from pandas._libs.hashtable import StringHashTable as _StringHashTable
except ImportError:  # pragma: no cover
    _StringHashTable = None

INT_LIMIT = 2_147_483_647  # the order line's quantity column is a 32-bit integer
PRICE_LIMIT = 10_000_000_000  # 12 digits, 2 of them decimals

_GROUPED_COMMA_DECIMAL = re.compile(r"[-+]?\d{1,3}(\.\d{3})+(,\d*)?")
_GROUPED_DOT_DECIMAL = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")
_CURRENCY = "£$€¥₹ \u00a0"
_UTC_OFFSET = r":\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)$"
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f", ""})


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a chunk is built. A chunk creates hundreds of
    thousands of objects (cells, issue rows), none of them in a cycle, and the
    collector's repeated passes over them cost as much as the parsing itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Column:
    """One column of a chunk as its distinct cells: `raw` exactly as in the file, `text`
    stripped, and `codes[i]` the index of line i's cell in both."""

    codes: np.ndarray
    raw: np.ndarray
    text: np.ndarray

    @classmethod
    def from_cells(cls, cells: pd.Series | np.ndarray) -> "Column":
        codes, raw = factorize_strings(np.asarray(cells, dtype=object))
        return cls.from_distinct(codes, raw)

    @classmethod
    def from_distinct(cls, codes: np.ndarray, raw: np.ndarray) -> "Column":
        """From the distinct cells (as in the file) and each line's index into them."""
        text = np.array([str(value).strip() for value in raw], dtype=object)
        return cls(codes=codes.astype(np.intp, copy=False), raw=raw, text=text)

    @classmethod
    def empty(cls, lines: int) -> "Column":
        """An unmapped column: every line reads ''."""
        blank = np.array([""], dtype=object)
        return cls(codes=np.zeros(lines, dtype=np.intp), raw=blank, text=blank)

    def per_line(self, values: np.ndarray) -> np.ndarray:
        """Values computed per distinct cell, spread back to the lines."""
        return values[self.codes]

    @property
    def is_empty(self) -> np.ndarray:
        return self.text == ""


def factorize_strings(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of an object array of str. pandas' string hash table
    directly, when it is there: the cells hold no NA (read with na_filter=False), and
    pd.factorize would spend a third of its time looking for some."""
    if _StringHashTable is not None:
        try:
            uniques, codes = _StringHashTable(max(len(values) // 8, 64)).factorize(values)
            if not len(codes) or codes.min() >= 0:  # -1 would mark a missing value
                return codes, np.asarray(uniques, dtype=object)
        except (TypeError, ValueError):
            pass  # a cell that is not a str: take the general route below
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def longer_than(text: np.ndarray, limit: int) -> np.ndarray:
    """Which distinct values exceed `limit` characters. Almost always none, which one
    pass of max() over the lengths tells, without building the array."""
    if max(map(len, text), default=0) <= limit:
        return np.zeros(len(text), dtype=bool)
    return np.fromiter(map(len, text), dtype=np.int64, count=len(text)) > limit


def _normalise_number(text: str, decimal: str) -> str:
    """'1.234,50' -> '1234.50' with a decimal comma; '1,234.50' -> '1234.50' with a dot.
    Anything else is left for the number parser to accept or refuse."""
    value = text.strip(_CURRENCY)
    if decimal == ",":
        if _GROUPED_COMMA_DECIMAL.fullmatch(value):
            value = value.replace(".", "")
        elif "." in value:
            return "not a number"  # with a decimal comma, a dot only groups thousands
        return value.replace(",", ".")
    if _GROUPED_DOT_DECIMAL.fullmatch(value):
        return value.replace(",", "")
    return value


def parse_numbers(text: np.ndarray, decimal: str) -> np.ndarray:
    """float64 per distinct cell; NaN where the cell is not a finite number."""
    candidates = [_normalise_number(value, decimal) for value in text] if decimal == "," else text
    numbers = pd.to_numeric(pd.Series(candidates, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    retry = np.isnan(numbers) & (text != "")
    if decimal == "." and retry.any():
        # Thousands groups and currency symbols: rare, so only the failures pay for it.
        fixed = [_normalise_number(value, decimal) for value in text[retry]]
        numbers[retry] = pd.to_numeric(pd.Series(fixed, dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    numbers[~np.isfinite(numbers)] = np.nan
    return numbers


def parse_booleans(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, valid) per distinct cell; empty reads False."""
    lowered = [value.lower() for value in text]
    value = np.fromiter((v in _TRUE for v in lowered), dtype=bool, count=len(lowered))
    valid = value | np.fromiter((v in _FALSE for v in lowered), dtype=bool, count=len(lowered))
    return value, valid


def parse_discounts(text: np.ndarray, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """(rate, valid) per distinct cell. A fraction below 1 is a rate; '15%' or 15
    (from 1 up to 100) is a percentage. Empty reads 0."""
    percent = np.fromiter((value.endswith("%") for value in text), dtype=bool, count=len(text))
    bare = np.array(
        [value[:-1].strip() if pct else value for value, pct in zip(text, percent, strict=True)], dtype=object
    )
    numbers = parse_numbers(bare, decimal)
    as_percent = percent | (numbers >= 1)
    rate = np.where(as_percent, numbers / 100.0, numbers)
    empty = text == ""
    valid = empty | (np.isfinite(rate) & (rate >= 0) & (rate < 1))
    rate = np.where(empty, 0.0, rate)
    return np.where(valid, rate, np.nan), valid


def parse_dates(text: np.ndarray, date_format: str | None) -> np.ndarray:
    """datetime64[ns] per distinct cell, NaT where it does not match the format. With
    no format, ISO 8601 without a time zone: the file's times are the marketplace's
    local times, and an offset would need a conversion the reader cannot know. A
    format with %z keeps the wall-clock time as written."""
    values = pd.Series(text, dtype=object)
    if date_format is None:
        values = values.where(~values.str.contains(_UTC_OFFSET, regex=True), "")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # mixed offsets under a %z format
        parsed = pd.to_datetime(values, format=date_format or "ISO8601", errors="coerce")
    if parsed.dtype == object:
        parsed = pd.Series([value.replace(tzinfo=None) if isinstance(value, datetime) else pd.NaT for value in parsed])
        parsed = pd.to_datetime(parsed)
    elif getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.to_numpy(dtype="datetime64[ns]")
