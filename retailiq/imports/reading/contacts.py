"""Checking a retailer's contact cells: a phone number a rep can dial and an email address a mail server accepts
the shape of. Checked per distinct cell; an empty cell is no contact, not an error."""

import re

import numpy as np

# Digits with an optional leading +, and the separators people write between groups: "+91 98765 43210",
# "(020) 2612-3456", "98765.43210". Letters, a second +, or a spreadsheet's "9.87654E+09" are not a number to dial.
PHONE_CHARACTERS = re.compile(r"\+?[0-9(][0-9 ().\-]*")
# E.164 allows at most 15 digits; fewer than 7 is an extension or a typo, not a line a rep can call.
PHONE_DIGITS = (7, 15)
# One @, no spaces, a dotted domain ending in a label of letters: what a mail server would try to deliver to.
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

PHONE_REASON = "not a phone number: use 7 to 15 digits, an optional leading + and spaces, dashes, dots or brackets"
EMAIL_REASON = "not an email address: expected one address such as owner@example.com"


def invalid_phones(texts: np.ndarray) -> np.ndarray:
    """True where a non-empty cell is not a phone number (`texts` already stripped)."""
    return np.array([bool(text) and not _is_phone(text) for text in texts], dtype=bool)


def invalid_emails(texts: np.ndarray) -> np.ndarray:
    """True where a non-empty cell is not one email address."""
    return np.array([bool(text) and EMAIL.fullmatch(text) is None for text in texts], dtype=bool)


def _is_phone(text: str) -> bool:
    if PHONE_CHARACTERS.fullmatch(text) is None:
        return False
    digits = sum(character.isdigit() for character in text)
    return PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]
