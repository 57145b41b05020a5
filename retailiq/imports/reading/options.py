"""How to read one file: its format and the import's policies, as one small dataclass
that round-trips through JSON (it is stored on the batch with the mapping)."""

import codecs
import datetime as dt
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

MISSING_RETAILER_CHOICES = ("reject", "set_aside")


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
        try:
            codecs.lookup(self.encoding)
        except LookupError as exc:
            raise ValueError(f"unknown encoding '{self.encoding}'") from exc
        if len(self.delimiter) != 1:
            raise ValueError(f"the delimiter must be one character, not '{self.delimiter}'")
        if self.decimal not in (".", ","):
            raise ValueError(f"the decimal mark must be '.' or ',', not '{self.decimal}'")
        if self.decimal == self.delimiter:
            raise ValueError("the decimal mark cannot also be the delimiter")
        if self.missing_retailer not in MISSING_RETAILER_CHOICES:
            raise ValueError(f"missing_retailer must be one of {', '.join(MISSING_RETAILER_CHOICES)}")
        if self.non_product_pattern:
            try:
                re.compile(self.non_product_pattern)
            except re.error as exc:
                raise ValueError(f"non_product_pattern is not a valid regular expression: {exc}") from exc
        self.currency = str(self.currency or "").strip().upper()
        if self.currency and not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValueError(f"the currency must be a three-letter code such as INR or GBP, not '{self.currency}'")
        if self.exchange_rate in ("", None):
            self.exchange_rate = None
        else:
            try:
                self.exchange_rate = float(self.exchange_rate)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"the exchange rate must be a number, not '{self.exchange_rate}'") from exc
            if not self.exchange_rate > 0 or self.exchange_rate != self.exchange_rate:
                raise ValueError("the exchange rate must be above 0")
        self.date_format = self.date_format or None
        self.non_product_pattern = self.non_product_pattern or None
        if int(self.chunk_lines) < 1:
            raise ValueError("chunk_lines must be at least 1")
        self.chunk_lines = int(self.chunk_lines)
        if self.max_lines is not None:
            if int(self.max_lines) < 0:
                raise ValueError("max_lines cannot be negative")
            self.max_lines = int(self.max_lines)

        for name in ("max_bytes", "max_line_bytes"):
            value = getattr(self, name)
            if value is not None:
                if int(value) < 1:
                    raise ValueError(f"{name} must be at least 1")
                setattr(self, name, int(value))
        for name in ("earliest_date", "latest_date"):
            value = getattr(self, name) or None
            if value is not None:
                try:
                    value = dt.date.fromisoformat(str(value)).isoformat()
                except ValueError as exc:
                    raise ValueError(f"{name} must be a day written YYYY-MM-DD, not '{value}'") from exc
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
