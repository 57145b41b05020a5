"""Plotly figure for the rep's home: the weekly value its book of retailers orders."""

from typing import Any

import pandas as pd

from .charts_retailer import weekly_value_figure


def book_value_figure(daily: pd.DataFrame, *, currency: str | None = None) -> dict[str, Any]:
    """Net value all assigned retailers ordered, per week: is the territory growing?"""
    return weekly_value_figure(daily, currency=currency, label="Value ordered")
