"""Plotly figures for the analyst's home: pure functions, a DataFrame in, a figure dict out."""

from typing import Any

import pandas as pd

from retailiq.core.money import format_money, money_axis

REVENUE_COLOUR = "#0b6e4f"
ORDERS_COLOUR = "#a15c00"


def marketplace_weekly_figure(weekly: pd.DataFrame, *, currency: str | None = None) -> dict[str, Any] | None:
    """Net revenue per week as bars, orders per week as a line on its own axis: the two
    move together unless basket sizes change, which is worth seeing. None when empty."""
    if weekly.empty:
        return None
    # Every week from the first to the last, so weeks without orders (years between two imports) are gaps,
    # not a straight line drawn across them.
    weeks = pd.to_datetime(weekly["week"])
    every_week = pd.date_range(weeks.min(), weeks.max(), freq="7D")
    weekly = weekly.assign(week=weeks).set_index("week").reindex(every_week.union(weeks))
    x = [pd.Timestamp(w).date().isoformat() for w in weekly.index]
    revenue = [round(float(v), 2) if pd.notna(v) else None for v in weekly["revenue"]]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Net revenue",
                "x": x,
                "y": revenue,
                "text": [format_money(v, currency) for v in revenue],
                "textposition": "none",
                "marker": {"color": REVENUE_COLOUR},
                "hovertemplate": "Revenue: %{text}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Orders",
                "x": x,
                "y": [int(v) if pd.notna(v) else None for v in weekly["orders"]],
                "connectgaps": False,
                "yaxis": "y2",
                "line": {"color": ORDERS_COLOUR, "width": 2},
                "hovertemplate": "Orders: %{y:,}<extra></extra>",
            },
        ],
        "layout": {
            "xaxis": {"type": "date", "title": {"text": "Week starting"}, "hoverformat": "%-d %b %Y"},
            "yaxis": money_axis(revenue, title="Net revenue", currency=currency),
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
