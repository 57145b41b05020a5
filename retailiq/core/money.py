"""Amounts as people read them, written once for pages, CSV notes and chart axes.

Whole currency units everywhere (the pages compare, they do not audit); a minus sign (U+2212, not a hyphen) before
the symbol; digits grouped as the currency's readers group them: lakh and crore for rupees (₹7,82,89,772),
thousands otherwise (£1,234,568). An amount names its currency; without one it is the marketplace's."""

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

SYMBOLS = {"INR": "₹", "GBP": "£", "USD": "$", "EUR": "€", "JPY": "¥"}
MINUS = "−"


def default_currency() -> str:
    return settings.RETAILIQ_CURRENCY


def currency_symbol(currency: str | None = None) -> str:
    code = (currency or default_currency()).upper()
    if code == default_currency().upper():
        return settings.RETAILIQ_CURRENCY_SYMBOL
    return SYMBOLS.get(code, f"{code} ")


def group_digits(whole: int, currency: str | None = None) -> str:
    """12345678 -> '1,23,45,678' for rupees, '12,345,678' otherwise (whole is not negative)."""
    digits = str(whole)
    if (currency or default_currency()).upper() != "INR" or len(digits) <= 3:
        return f"{whole:,}"
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, tail])


def format_money(value: Any, currency: str | None = None) -> str:
    """1234567.8 -> '₹12,34,568'; -2414 -> the minus sign, then "₹2,414"; None -> '—'."""
    if value in (None, ""):
        return "—"
    amount = float(value)
    if not math.isfinite(amount):
        return "—"
    whole = int(Decimal(repr(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))  # 56.5 -> 57, as on paper
    sign = MINUS if whole < 0 else ""
    return f"{sign}{currency_symbol(currency)}{group_digits(abs(whole), currency)}"


def _compact(value: float, currency: str | None) -> str:
    """An axis tick: '₹25L', '₹1.5Cr' for rupees, '£250k', '£1.5M' otherwise."""
    symbol = currency_symbol(currency)
    sign = MINUS if value < 0 else ""
    value = abs(value)
    steps = (
        [(1e7, "Cr"), (1e5, "L"), (1e3, "k")]
        if (currency or default_currency()).upper() == "INR"
        else [(1e9, "B"), (1e6, "M"), (1e3, "k")]
    )
    for size, suffix in steps:
        if value >= size:
            return f"{sign}{symbol}{value / size:.3g}{suffix}"
    return f"{sign}{symbol}{value:.0f}"


def _nice_step(top: float, ticks: int = 5) -> float:
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def money_axis(values: Iterable[float], *, title: str, currency: str | None = None) -> dict[str, Any]:
    """A Plotly y axis for amounts: the currency in its title and ticks grouped as format_money groups them
    (Plotly's own formats know only thousands)."""
    numbers = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    code = (currency or default_currency()).upper()
    axis: dict[str, Any] = {"title": {"text": f"{title} ({code})"}, "rangemode": "tozero"}
    top = max([0.0, *numbers])
    bottom = min([0.0, *numbers])
    if top <= bottom:
        return axis
    step = _nice_step(top - bottom)
    first = math.floor(bottom / step) * step
    ticks = [first + i * step for i in range(math.ceil((top - first) / step) + 1)]
    axis["tickvals"] = ticks
    axis["ticktext"] = [_compact(t, code) for t in ticks]
    return axis
