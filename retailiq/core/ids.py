"""What an id is: a whole number from 1 to the largest 64-bit integer, the range every
primary key the database holds. Text beyond it (10^30, 5,000 digits, a superscript two) is
no id: SQLite cannot bind it and Python refuses to read 5,000 digits, so each would be a 500."""

from typing import Any

MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))


def id_from_text(value: Any) -> int | None:
    """The id a query string or form value names, or None when it names none."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
