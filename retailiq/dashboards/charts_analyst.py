"""Plotly figures for the analyst's home: pure functions, a DataFrame in, a figure dict out."""

from typing import Any

import pandas as pd

REVENUE_COLOUR = "#0b6e4f"
ORDERS_COLOUR = "#a15c00"


def marketplace_weekly_figure(weekly: pd.DataFrame, *, currency: str) -> dict[str, Any] | None:
    """Net revenue per week as bars, orders per week as a line on its own axis: the two
    move together unless basket sizes change, which is worth seeing. None when empty."""
    if weekly.empty:
        return None
    x = [pd.Timestamp(w).date().isoformat() for w in weekly["week"]]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Net revenue",
                "x": x,
                "y": [round(float(v), 2) for v in weekly["revenue"]],
                "marker": {"color": REVENUE_COLOUR},
                "hovertemplate": f"Revenue: {currency}%{{y:,.0f}}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Orders",
                "x": x,
                "y": [int(v) for v in weekly["orders"]],
                "yaxis": "y2",
                "line": {"color": ORDERS_COLOUR, "width": 2},
                "hovertemplate": "Orders: %{y:,}<extra></extra>",
            },
        ],
        "layout": {
            "xaxis": {"type": "date", "title": {"text": "Week starting"}, "hoverformat": "%d %b %Y"},
            "yaxis": {
                "title": {"text": f"Net revenue ({currency})"},
                "tickprefix": currency,
                "tickformat": "~s",
                "rangemode": "tozero",
            },
            "yaxis2": {
                "title": {"text": "Orders"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "tickformat": ",d",
                "showgrid": False,
            },
            "margin": {"t": 30, "r": 75, "b": 40, "l": 65},
        },
    }
