"""How to read one file: its format and the import's policies, as one small dataclass
that round-trips through JSON (it is stored on the batch with the mapping)."""

import codecs
import datetime as dt
import re

# The parser behind re.compile, read to see a pattern's structure; no public API offers it.
import re._constants as re_constants
import re._parser as re_parser
from dataclasses import asdict, dataclass, field, fields
from typing import Any

MISSING_RETAILER_CHOICES = ("reject", "set_aside")
MAX_PATTERN_LENGTH = 500


class OptionError(ValueError):
    """An option the reader could not use, caught at upload so the answer names it rather
    than the worker failing later."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass
class ReadOptions:
    """`non_product_pattern` is a regular expression matched against the whole SKU
    (re.fullmatch, case-sensitive): matching lines are skipped, not rejected.
    `max_bytes` bounds the bytes read once decompressed and `max_line_bytes` the length of
    one line, both counted while streaming. `cancellation_prefix` marks invoices that cancel earlier ones (Online Retail's
    'C'). `missing_retailer='set_aside'` keeps lines without a customer apart instead
    of rejecting them. `earliest_date` and `latest_date` (ISO days, inclusive) bound the
    order dates a line may carry: one line dated 2030 or 1900 would otherwise move the
    day every forecast starts from. Invalid values raise ValueError at construction."""

    mapping: dict[str, str | None] = field(default_factory=dict)
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    date_format: str | None = None
    cancellation_prefix: str = ""
    non_product_pattern: str | None = None
    missing_retailer: str = "reject"
    default_vendor: str = ""
    chunk_lines: int = 100_000
    max_lines: int | None = None
    max_bytes: int | None = None
    max_line_bytes: int | None = None
    earliest_date: str | None = None
    latest_date: str | None = None
    # The currency the file's prices are in (ISO 4217, "" for the marketplace's own) and the stated rate that
    # converts one unit of it into the marketplace's currency: staged prices are converted, the file's totals
    # stay in its own currency.
    currency: str = ""
    exchange_rate: float | None = None

    def __post_init__(self) -> None:
        self.mapping = {str(name): (str(column) if column else None) for name, column in dict(self.mapping).items()}
        _check_encoding(self.encoding)
        if len(self.delimiter) != 1:
            raise OptionError("delimiter", f"the delimiter must be one character, not '{self.delimiter}'")
        if self.decimal not in (".", ","):
            raise OptionError("decimal", f"the decimal mark must be '.' or ',', not '{self.decimal}'")
        if self.decimal == self.delimiter:
            raise OptionError("decimal", "the decimal mark cannot also be the delimiter")
        if self.missing_retailer not in MISSING_RETAILER_CHOICES:
            raise OptionError(
                "missing_retailer", f"missing_retailer must be one of {', '.join(MISSING_RETAILER_CHOICES)}"
            )
        self.date_format = self.date_format or None
        self.non_product_pattern = self.non_product_pattern or None
        if self.date_format:
            _check_date_format(self.date_format)
        if self.non_product_pattern:
            _check_pattern(self.non_product_pattern)
        self.currency = str(self.currency or "").strip().upper()
        if self.currency and not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise OptionError(
                "currency", f"the currency must be a three-letter code such as INR or GBP, not '{self.currency}'"
            )
        if self.exchange_rate in ("", None):
            self.exchange_rate = None
        else:
            try:
                self.exchange_rate = float(self.exchange_rate)
            except (TypeError, ValueError) as exc:
                raise OptionError(
                    "exchange_rate", f"the exchange rate must be a number, not '{self.exchange_rate}'"
                ) from exc
            if not self.exchange_rate > 0 or self.exchange_rate != self.exchange_rate:
                raise OptionError("exchange_rate", "the exchange rate must be above 0")
        self.chunk_lines = _whole_number("chunk_lines", self.chunk_lines, least=1)
        if self.max_lines is not None:
            self.max_lines = _whole_number("max_lines", self.max_lines, least=0)
        for name in ("max_bytes", "max_line_bytes"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, _whole_number(name, value, least=1))
        for name in ("earliest_date", "latest_date"):
            value = getattr(self, name) or None
            if value is not None:
                try:
                    value = dt.date.fromisoformat(str(value)).isoformat()
                except ValueError as exc:
                    raise OptionError(name, f"{name} must be a day written YYYY-MM-DD, not '{value}'") from exc
            setattr(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values, mapping included."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ReadOptions":
        """Keys this class does not know are ignored: the batch's options also hold the
        service layer's policies (auto-creation and the like)."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def _whole_number(name: str, value: Any, *, least: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OptionError(name, f"{name} must be a whole number, not '{value}'") from exc
    if number < least:
        message = f"{name} cannot be negative" if least == 0 else f"{name} must be at least {least}"
        raise OptionError(name, message)
    return number


def _check_encoding(encoding: str) -> None:
    """A text encoding: rot13, hex or zlib are codecs too, but turn bytes into bytes."""
    try:
        codec = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError) as exc:
        raise OptionError("encoding", f"unknown encoding '{encoding}'") from exc
    if not getattr(codec, "_is_text_encoding", True):
        raise OptionError("encoding", f"'{encoding}' is not a text encoding")


def _check_date_format(date_format: str) -> None:
    """A format that writes a day and reads the same day back (so it names day, month and
    year, with directives strptime knows)."""
    sample = dt.datetime(2026, 12, 31, 23, 59, 58)
    try:
        same = dt.datetime.strptime(sample.strftime(date_format), date_format).date() == sample.date()
    except (ValueError, TypeError):
        same = False
    if not same:
        raise OptionError("date_format", f"date_format '{date_format}' does not read a day, month and year")


def _check_pattern(pattern: str) -> None:
    """A regular expression that cannot take exponential time on one SKU: no repetition of
    a part that itself repeats or alternates, as in (a+)+ or (a|ab)*."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise OptionError("non_product_pattern", f"non_product_pattern is longer than {MAX_PATTERN_LENGTH}")
    try:
        parsed = re_parser.parse(pattern)
    except re.error as exc:
        message = f"non_product_pattern is not a valid regular expression: {exc}"
        raise OptionError("non_product_pattern", message) from exc
    if _repeats_a_repetition(list(parsed), inside=False):
        raise OptionError(
            "non_product_pattern",
            "non_product_pattern repeats a group that itself repeats or alternates, which can take forever "
            "on one line; write the group without the outer repetition",
        )


def _repeats_a_repetition(items: list, *, inside: bool) -> bool:
    for op, arg in items:
        if op in (re_constants.MAX_REPEAT, re_constants.MIN_REPEAT, re_constants.POSSESSIVE_REPEAT):
            _, high, body = arg
            repeats = high > 1
            if (repeats and inside) or _repeats_a_repetition(list(body), inside=inside or repeats):
                return True
        elif op is re_constants.BRANCH:
            branches = arg[1]
            if inside and len(branches) > 1:
                return True
            if any(_repeats_a_repetition(list(branch), inside=inside) for branch in branches):
                return True
        elif op is re_constants.SUBPATTERN:
            if _repeats_a_repetition(list(arg[-1]), inside=inside):
                return True
        elif op in (re_constants.ASSERT, re_constants.ASSERT_NOT) and _repeats_a_repetition(
            list(arg[1]), inside=inside
        ):
            return True
    return False
