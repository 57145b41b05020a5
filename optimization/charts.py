"""Plotly figures for the optimization pages: pure functions from plain data to figure dicts that static/js/app.js
draws."""

from collections.abc import Sequence
from typing import Any

COLOURS = {"holding": "#c6d4e3", "shortage": "#c0392b", "ordering": "#0b6e4f"}


def cost_split_figure(names: Sequence[str], costs: Sequence[dict[str, float]]) -> dict[str, Any]:
    """Expected cost per plan or scenario, stacked by component, so scenarios compare at a glance."""
    data = [
        {
            "type": "bar",
            "name": part.capitalize(),
            "x": list(names),
            "y": [round(float(c.get(part, 0.0)), 2) for c in costs],
            "marker": {"color": colour},
            "hovertemplate": f"%{{x}}<br>{part.capitalize()}: %{{y:,.0f}}<extra></extra>",
        }
        for part, colour in COLOURS.items()
    ]
    return {
        "data": data,
        "layout": {
            "barmode": "stack",
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.25},
            "margin": {"t": 10, "r": 10, "b": 60, "l": 60},
            "yaxis": {"rangemode": "tozero", "fixedrange": True, "title": {"text": "Expected cost"}},
        },
    }


def service_figure(names: Sequence[str], service: Sequence[float], order_value: Sequence[float]) -> dict[str, Any]:
    """Expected service against what each scenario orders."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "markers+text",
                "x": [round(float(v), 2) for v in order_value],
                "y": [round(float(s), 4) for s in service],
                "text": list(names),
                "textposition": "top center",
                "marker": {"size": 12, "color": "#0b6e4f"},
                "hovertemplate": "%{text}<br>Order value %{x:,.0f}<br>Service %{y:.1%}<extra></extra>",
            }
        ],
        "layout": {
            "showlegend": False,
            "margin": {"t": 20, "r": 20, "b": 50, "l": 60},
            "xaxis": {"title": {"text": "Order value"}, "rangemode": "tozero"},
            "yaxis": {"title": {"text": "Expected service"}, "tickformat": ".0%"},
        },
    }


def warnings_figure(labels: Sequence[str], lost: Sequence[float], probability: Sequence[float]) -> dict[str, Any]:
    """The riskiest pairs by expected lost revenue, each bar's hover giving its chance of running out."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": list(labels)[::-1],
                "x": [round(float(v), 2) for v in lost][::-1],
                "customdata": [f"{p:.0%}" for p in probability][::-1],
                "marker": {"color": COLOURS["shortage"]},
                "hovertemplate": "%{y}<br>Expected lost revenue %{x:,.0f}<br>Chance within 14 days %{customdata}"
                "<extra></extra>",
            }
        ],
        "layout": {
            "showlegend": False,
            "margin": {"t": 10, "r": 10, "b": 40, "l": 160},
            "xaxis": {"rangemode": "tozero", "fixedrange": True, "title": {"text": "Expected lost revenue"}},
            "yaxis": {"automargin": True, "fixedrange": True},
        },
    }
