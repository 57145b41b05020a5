"""Which column of a file feeds which field. A proposal saves the analyst typing for
familiar layouts; validation names the field at fault in every message, with the field's
name in parentheses ("Label" (name)), so a form can show the message beside that field."""

import re
import unicodedata

import numpy as np

from .cells import parse_numbers
from .dates import detect_date_format
from .fields import FIELDS_BY_NAME, ORDER_FIELDS, Field

# A column whose name merely starts or ends with a synonym this long is still a match
# ('UnitPrice (GBP)', 'Customer Number'); shorter ones ('qty') must match exactly.
PARTIAL_MATCH_LENGTH = 5
ID_LIKE = re.compile(r"[\w./#-]{1,64}")


def normalise(name: str) -> str:
    """'Order No.' -> 'orderno': case, accents, spaces and punctuation do not matter."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())


def propose_mapping(header: list[str], sample_rows: list[list[str]]) -> dict[str, str | None]:
    """Every field -> a column of `header` or None, each column used at most once.
    Names decide first (the field's name, label and synonyms, exactly, then as a
    prefix or suffix); then the sample's content places the required fields still
    missing: a date column, an integer column of small values (quantity), a column
    with decimals (unit price), and id-like columns (the most varied is the SKU, the
    leftmost remaining the order, the next the customer). Only a proposal: the
    analyst confirms it."""
    mapping: dict[str, str | None] = {field.name: None for field in ORDER_FIELDS}
    free = [column for column in header if column]
    for partial in (False, True):
        for field in ORDER_FIELDS:
            if mapping[field.name] is None:
                column = _by_name(field, free, partial=partial)
                if column is not None:
                    mapping[field.name] = column
                    free.remove(column)
    _by_content(mapping, free, header, sample_rows)
    return mapping


def _names(field: Field) -> list[str]:
    names = {normalise(field.name), normalise(field.label), *(normalise(s) for s in field.synonyms)}
    return sorted(names, key=len, reverse=True)


def _by_name(field: Field, free: list[str], *, partial: bool) -> str | None:
    for name in _names(field):
        for column in free:
            key = normalise(column)
            if key == name:
                return column
            if partial and len(name) >= PARTIAL_MATCH_LENGTH and (key.startswith(name) or key.endswith(name)):
                return column
    return None


def _by_content(mapping: dict[str, str | None], free: list[str], header: list[str], rows: list[list[str]]) -> None:
    profiles = {
        column: _profile([row[header.index(column)] for row in rows if header.index(column) < len(row)])
        for column in free
    }
    profiles = {column: profile for column, profile in profiles.items() if profile["filled"]}

    def take(field: str, column: str | None) -> None:
        if column is not None and mapping[field] is None:
            mapping[field] = column
            del profiles[column]

    if mapping["ordered_at"] is None:
        take("ordered_at", next((c for c, p in profiles.items() if p["date"]), None))
    if mapping["unit_price"] is None:
        take("unit_price", next((c for c, p in profiles.items() if p["number"] and not p["whole"]), None))
    if mapping["quantity"] is None:
        whole = [
            (p["magnitude"], c) for c, p in profiles.items() if p["number"] and p["whole"] and p["magnitude"] < 100_000
        ]
        take("quantity", min(whole)[1] if whole else None)
    ids = [c for c, p in profiles.items() if p["id_like"]]
    if mapping["sku"] is None and ids:
        sku = max(ids, key=lambda c: (profiles[c]["distinct"], -ids.index(c)))
        take("sku", sku)
        ids.remove(sku)
    for field in ("order_id", "retailer_id"):
        if mapping[field] is None and ids:
            take(field, ids.pop(0))
    if mapping["product_name"] is None:
        texts = [c for c, p in profiles.items() if p["words"]]
        take("product_name", max(texts, key=lambda c: profiles[c]["distinct"]) if texts else None)


def _profile(values: list[str]) -> dict:
    values = [v.strip() for v in values if v and v.strip()]
    profile = {"filled": bool(values), "date": False, "number": False, "whole": False, "magnitude": 0.0}
    profile |= {"id_like": False, "words": False, "distinct": len(set(values))}
    if not values:
        return profile
    profile["date"] = detect_date_format(values) is not None
    numbers = parse_numbers(np.array(values, dtype=object), ".")
    if not np.isnan(numbers).any() and not profile["date"]:
        profile["number"] = True
        profile["whole"] = bool(np.all(numbers == np.round(numbers))) and not any("." in v for v in values)
        profile["magnitude"] = float(np.median(np.abs(numbers)))
    if not profile["date"]:
        profile["id_like"] = all(ID_LIKE.fullmatch(v) for v in values) and not (
            profile["number"] and not profile["whole"]
        )
        profile["words"] = any(" " in v for v in values)
    return profile


def validate_mapping(mapping: dict[str, str | None], header: list[str]) -> list[str]:
    """Messages for everything that stops the mapping from working with this header:
    unknown fields, required fields left unmapped, columns the header lacks, and one
    column feeding two fields. Empty means it is usable."""
    problems: list[str] = []
    known_columns = set(header)
    used: dict[str, str] = {}
    for name in mapping:
        if name not in FIELDS_BY_NAME:
            problems.append(f"There is no field ({name}) to map a column to.")
    for field in ORDER_FIELDS:
        column = mapping.get(field.name) or None
        described = f"‘{field.label}’ ({field.name})"
        if column is None:
            if field.required:
                problems.append(f"Map a column to {described}: it is required.")
            continue
        if column not in known_columns:
            problems.append(f"Column ‘{column}’ is not in the file's header; choose another for {described}.")
            continue
        if column in used:
            other = FIELDS_BY_NAME[used[column]]
            problems.append(f"Column ‘{column}’ is mapped to both ‘{other.label}’ ({other.name}) and {described}.")
            continue
        used[column] = field.name
    return problems
