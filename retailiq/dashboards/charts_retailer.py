"""Plotly figures for the retailer's home: pure functions from the daily activity
frame (columns day, orders, value) to figure dicts that static/js/app.js draws."""

import datetime as dt
import math
from typing import Any

import pandas as pd

from retailiq.core.money import format_money, money_axis

BAR_COLOUR = "#0b6e4f"
CALENDAR_SCALE = [[0, "#eef2ee"], [0.001, "#c6e6d2"], [0.5, "#3f9e6e"], [1, "#0b5038"]]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly_value_figure(daily: pd.DataFrame, *, currency: str | None = None, label: str = "Spend") -> dict[str, Any]:
    """Net value per week (weeks start on Monday) as bars, every week of the window
    shown even when nothing was ordered, so gaps read as gaps."""
    start, end = _monday(daily.attrs["start"]), daily.attrs["end"]
    weeks = pd.date_range(start, end, freq="W-MON")
    totals = pd.Series(0.0, index=weeks)
    if not daily.empty:
        mondays = pd.to_datetime(daily["day"]).map(lambda d: pd.Timestamp(_monday(d.date())))
        totals = totals.add(daily.groupby(mondays)["value"].sum(), fill_value=0)
    values = [round(float(v), 2) for v in totals.values]
    return {
        "data": [
            {
                "type": "bar",
                "name": label,
                "x": [d.date().isoformat() for d in totals.index],
                "y": values,
                "text": [format_money(v, currency) for v in values],
                "textposition": "none",
                "marker": {"color": BAR_COLOUR},
                "hovertemplate": f"Week of %{{x|%-d %b %Y}}<br>{label}: %{{text}}<extra></extra>",
            }
        ],
        "layout": {
            "hovermode": "closest",
            "showlegend": False,
            "margin": {"t": 10, "r": 10, "b": 40, "l": 70},
            "xaxis": {"type": "date", "tickformat": "%-d %b", "title": {"text": "Week starting"}},
            "yaxis": {**money_axis(values, title=label, currency=currency), "fixedrange": True},
        },
    }


def order_calendar_figure(daily: pd.DataFrame) -> dict[str, Any]:
    """Orders per day as a weekday x week heatmap (Monday on top, oldest week left);
    days after the window's end stay blank rather than reading as zero."""
    start, end = _monday(daily.attrs["start"]), daily.attrs["end"]
    counts = {pd.Timestamp(d).date(): int(n) for d, n in zip(daily["day"], daily["orders"], strict=True)}
    first = daily.attrs["start"]
    mondays = [start + dt.timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]
    most = max((int(n) for n in daily["orders"]), default=0)
    step = max(1, math.ceil(most / 4))
    z, text = [], []
    for weekday in range(7):
        row, labels = [], []
        for monday in mondays:
            day = monday + dt.timedelta(days=weekday)
            inside = first <= day <= end
            orders = counts.get(day, 0) if inside else None
            row.append(orders)
            labels.append(f"{day:%a %-d %b %Y}: {orders} order{'s' if orders != 1 else ''}" if inside else "")
        z.append(row)
        text.append(labels)
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [m.isoformat() for m in mondays],
                "y": WEEKDAYS,
                "z": z,
                "text": text,
                "hovertemplate": "%{text}<extra></extra>",
                "colorscale": CALENDAR_SCALE,
                "zmin": 0,
                "xgap": 3,
                "ygap": 3,
                "zmax": max(most, 1),
                "colorbar": {
                    "title": {"text": "Orders"},
                    "thickness": 10,
                    "tickvals": list(range(0, max(most, 1) + 1, step)),
                },
            }
        ],
        "layout": {
            "hovermode": "closest",
            "margin": {"t": 10, "r": 10, "b": 30, "l": 40},
            "xaxis": {"type": "date", "tickformat": "%b", "dtick": "M1", "showgrid": False, "fixedrange": True},
            "yaxis": {"autorange": "reversed", "showgrid": False, "fixedrange": True},
        },
    }
