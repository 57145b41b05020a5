"""Plotly figures for the pattern pages: pure functions from plain data to figure dicts that static/js/app.js
draws (and draws again after an HTMX swap or Back/Forward)."""

from collections.abc import Sequence
from typing import Any

import pandas as pd

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
SPIKE, DROP, EXPLAINED, LINE = "#b3261e", "#1f5fa8", "#8a8a8a", "#0b6e4f"


def series_figure(series: pd.DataFrame, anomalies: Sequence[Any], *, unit: str) -> dict[str, Any]:
    """The weekly series as a line; each flagged week a marker (up for a spike, down for a drop, grey where a
    festival or promotion explains it) whose hover gives the expected value and its range."""
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": unit.capitalize(),
            "x": [d.strftime("%Y-%m-%d") for d in pd.to_datetime(series["date"])],
            "y": [round(float(v), 2) for v in series["value"]],
            "line": {"color": LINE},
            "hovertemplate": "Week of %{x|%-d %b %Y}: %{y:,.0f}<extra></extra>",
        }
    ]
    groups = (
        ("Unexplained spike", SPIKE, "triangle-up", lambda a: a.direction == "spike" and not a.explained_by),
        ("Unexplained drop", DROP, "triangle-down", lambda a: a.direction == "drop" and not a.explained_by),
        ("Explained by calendar or promotion", EXPLAINED, "circle-open", lambda a: bool(a.explained_by)),
    )
    for name, colour, symbol, wanted in groups:
        points = [a for a in anomalies if wanted(a)]
        if not points:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [a.date.isoformat() for a in points],
                "y": [round(a.value, 2) for a in points],
                "customdata": [[round(a.expected), round(a.lower), round(a.upper), a.explained_by] for a in points],
                "marker": {"color": colour, "symbol": symbol, "size": 12, "line": {"width": 1, "color": colour}},
                "hovertemplate": (
                    f"{name}, week of %{{x|%-d %b %Y}}: %{{y:,.0f}}<br>expected %{{customdata[0]:,}} "
                    "(%{customdata[1]:,}–%{customdata[2]:,}) %{customdata[3]}<extra></extra>"
                ),
            }
        )
    return {
        "data": data,
        "layout": {
            "hovermode": "closest",
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"t": 10, "r": 10, "b": 50, "l": 55},
            "xaxis": {"type": "date"},
            "yaxis": {"rangemode": "tozero", "fixedrange": True, "title": {"text": unit.capitalize()}},
        },
    }


def profile_figure(profile: Any, *, which: str) -> dict[str, Any] | None:
    """Bars of a weekday or month profile: each bar the share of an average day or month (1 = average)."""
    values = list(profile.weekday if which == "weekday" else profile.month_profile)
    labels = WEEKDAYS if which == "weekday" else MONTHS
    if len(values) != len(labels):
        return None
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": [None if v is None else round(float(v), 3) for v in values],  # a month not seen yet: no bar
                "marker": {
                    "color": [LINE if v is None else SPIKE if v >= 1.2 else DROP if v <= 0.8 else LINE for v in values]
                },
                "hovertemplate": "%{x}: %{y:.2f}× an average "
                + ("day" if which == "weekday" else "month")
                + "<extra></extra>",
            }
        ],
        "layout": {
            "hovermode": "closest",
            "showlegend": False,
            "margin": {"t": 10, "r": 10, "b": 30, "l": 40},
            "yaxis": {"rangemode": "tozero", "fixedrange": True},
            "xaxis": {"fixedrange": True},
        },
    }
