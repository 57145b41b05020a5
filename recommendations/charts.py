"""Plotly figures for the recommendation pages: pure functions from plain data to figure dicts that
static/js/app.js draws."""

from typing import Any

import pandas as pd

LIST_COLOURS = {"discover": "#0b6e4f", "buy_again": "#1f5fa8", "bundle": "#b0620c"}


def uptake_figure(weekly: pd.DataFrame, *, labels: dict[str, str], days: int) -> dict[str, Any]:
    """One line per list: the share of its recommended products ordered within ``days``, per week of lists; the
    hover says how many that share is of."""
    data = []
    for kind, rows in weekly.groupby("kind", sort=False):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": labels.get(kind, kind),
                "x": [week.isoformat() for week in rows["week"]],
                "y": [round(float(v), 4) for v in rows["share"]],
                "customdata": [[int(t), int(n)] for t, n in zip(rows["taken"], rows["recommended"], strict=True)],
                "line": {"color": LIST_COLOURS.get(kind)},
                "hovertemplate": (
                    f"{labels.get(kind, kind)}, lists of the week of %{{x|%-d %b}}<br>"
                    f"Ordered within {days} days: %{{y:.1%}} (%{{customdata[0]:,}} of %{{customdata[1]:,}})"
                    "<extra></extra>"
                ),
            }
        )
    return {
        "data": data,
        "layout": {
            "hovermode": "closest",
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"t": 10, "r": 10, "b": 50, "l": 50},
            "xaxis": {"type": "date", "tickformat": "%-d %b"},
            "yaxis": {"rangemode": "tozero", "fixedrange": True, "tickformat": ".0%", "title": {"text": "Ordered"}},
        },
    }
