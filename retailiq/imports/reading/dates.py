"""Recognising how a file writes its dates, so a whole column can be parsed with one
explicit format (fast, and never silently swapping day and month)."""

from collections.abc import Iterable
from datetime import datetime

# Tried in this order; the first that parses every sample value wins. Day-first comes
# before month-first, so an ambiguous sample (no part above 12) reads the European way;
# a single value like 12/31/2011 rules day-first out and settles it.
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%m-%d-%Y",
)

_HUMAN = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%H": "HH", "%M": "MM", "%S": "SS", "%f": "ffffff", "%y": "YY"}
_EXAMPLE = datetime(2011, 12, 9, 12, 50, 30)


def _parses(value: str, date_format: str) -> bool:
    try:
        datetime.strptime(value, date_format)
    except ValueError:
        return False
    return True


def detect_date_format(values: Iterable[str]) -> str | None:
    """The first known format that parses every non-empty value, or None. Values are
    stripped; None also when there is no non-empty value to judge by."""
    sample = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if not sample:
        return None
    # Digits are required: strptime accepts odd inputs for some formats otherwise.
    if not all(any(c.isdigit() for c in v) for v in sample):
        return None
    for date_format in DATE_FORMATS:
        if all(_parses(value, date_format) for value in sample):
            return date_format
    return None


def human_date_format(date_format: str) -> str:
    """How an error message shows a strptime format: 'YYYY-MM-DD HH:MM:SS (e.g. ...)'."""
    text = date_format
    for code, human in _HUMAN.items():
        text = text.replace(code, human)
    return f"{text} (e.g. {_EXAMPLE.strftime(date_format)})"
