"""Plotly figures for the reorder pages: pure functions from plain data to figure dicts
that static/js/app.js draws."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

CALLS_COLOUR = "#c6d4e3"
HITS_COLOUR = "#0b6e4f"


def hit_rate_figure(weekly: Sequence[tuple[dt.date, int, int]]) -> dict[str, Any]:
    """Calls per week with the ones an order followed drawn over them, so a rep sees both
    how much it called and how often a call paid off."""
    weeks = [week.isoformat() for week, _, _ in weekly]
    calls = [int(n) for _, n, _ in weekly]
    hits = [int(h) for _, _, h in weekly]
    rates = [f"{h / n:.0%}" if n else "—" for n, h in zip(calls, hits, strict=True)]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Calls",
                "x": weeks,
                "y": calls,
                "marker": {"color": CALLS_COLOUR},
                "hovertemplate": "Week of %{x|%-d %b}<br>Calls: %{y}<extra></extra>",
            },
            {
                "type": "bar",
                "name": "Followed by an order",
                "x": weeks,
                "y": hits,
                "customdata": rates,
                "marker": {"color": HITS_COLOUR},
                "hovertemplate": "Week of %{x|%-d %b}<br>Followed by an order: %{y} (%{customdata})<extra></extra>",
            },
        ],
        "layout": {
            "barmode": "overlay",
            "hovermode": "closest",
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.3},
            "margin": {"t": 10, "r": 10, "b": 50, "l": 40},
            "xaxis": {"type": "date", "tickformat": "%-d %b"},
            "yaxis": {"rangemode": "tozero", "fixedrange": True, "tickformat": ",d", "title": {"text": "Calls"}},
        },
    }
