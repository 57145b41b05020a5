"""Plotly figures for the demand pages: pure functions, DataFrames in, figure dicts out
(the page serialises them with json_script and static/js/app.js draws them)."""

import datetime as dt
import math
from typing import Any

import pandas as pd

HISTORY_COLOUR = "#1c2430"
FORECAST_COLOUR = "#0b6e4f"
LOST_COLOUR = "#c2410c"  # refused for want of stock
BAND_80 = "rgba(11, 110, 79, 0.28)"
BAND_95 = "rgba(11, 110, 79, 0.12)"
ORIGIN_COLOUR = "#a15c00"


def _dates(values: pd.Series) -> list[str]:
    return [pd.Timestamp(v).date().isoformat() for v in values]


def _numbers(values: pd.Series) -> list[float | None]:
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 2) for v in values]


def _band(forecast: pd.DataFrame, level: str, colour: str) -> list[dict[str, Any]]:
    """An interval as a filled area: the lower edge first, the upper edge filled down to it.
    Hovering the area shows both bounds."""
    x = _dates(forecast["date"])
    lower, upper = _numbers(forecast[f"lower_{level}"]), _numbers(forecast[f"upper_{level}"])
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "x": x,
            "y": lower,
            "line": {"width": 0, "color": colour},
            "hoverinfo": "skip",
            "showlegend": False,
            "legendgroup": f"band{level}",
            "name": f"{level}% interval (lower)",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": x,
            "y": upper,
            "fill": "tonexty",
            "fillcolor": colour,
            "line": {"width": 0, "color": colour},
            "customdata": lower,
            "hovertemplate": level + "% interval: %{customdata:,.0f} to %{y:,.0f}<extra></extra>",
            "legendgroup": f"band{level}",
            "name": f"{level}% interval",
        },
    ]


def demand_figure(
    history: pd.DataFrame, forecast: pd.DataFrame, *, origin: dt.date | None, granularity: str = "day"
) -> dict[str, Any]:
    """Actual sales (columns date, units; with lost, the units refused for want of stock as bars) and the forecast (date, quantity, lower_80,
    upper_80, lower_95, upper_95) with its 80% and 95% bands, and a line at the origin."""
    unit = "week" if granularity == "week" else "day"
    data: list[dict[str, Any]] = []
    if not forecast.empty:
        data += _band(forecast, "95", BAND_95) + _band(forecast, "80", BAND_80)
    if not history.empty:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if unit == "week" else "lines",
                "name": "Actual sales",
                "x": _dates(history["date"]),
                "y": _numbers(history["units"]),
                "line": {"color": HISTORY_COLOUR, "width": 1.5},
                "marker": {"size": 5},
                "hovertemplate": "Sold: %{y:,.0f} units<extra></extra>",
            }
        )
    if not history.empty and "lost" in history and float(history["lost"].sum()) > 0:
        # Units asked for and refused for want of stock: demand the sales line does not show, which the
        # forecast learns with it.
        data.append(
            {
                "type": "bar",
                "name": "Refused (out of stock)",
                "x": _dates(history["date"]),
                "y": _numbers(history["lost"]),
                "marker": {"color": LOST_COLOUR},
                "opacity": 0.6,
                "hovertemplate": "Refused, out of stock: %{y:,.0f} units<extra></extra>",
            }
        )
    if not forecast.empty:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if unit == "week" else "lines",
                "name": "Forecast",
                "x": _dates(forecast["date"]),
                "y": _numbers(forecast["quantity"]),
                "line": {"color": FORECAST_COLOUR, "width": 2.5, "dash": "dot"},
                "marker": {"size": 5},
                "hovertemplate": "Forecast: %{y:,.1f} units<extra></extra>",
            }
        )
    # The dates speak for themselves, so the x axis has no title for the legend to collide
    # with on a narrow screen; its range is the data's, from the first sale day shown to
    # the last forecast day.
    shown = [frame["date"] for frame in (history, forecast) if not frame.empty]
    # Level date labels, few enough to fit a phone: rotated ones grow into the legend below them.
    xaxis: dict[str, Any] = {
        "type": "date",
        "hoverformat": "Week of %-d %b %Y" if unit == "week" else "%a %-d %b %Y",
        "tickangle": 0,
        "nticks": 5,
    }
    if shown:
        dates = pd.concat(shown)
        pad = pd.Timedelta(days=3 if unit == "week" else 1)
        xaxis["range"] = [(dates.min() - pad).date().isoformat(), (dates.max() + pad).date().isoformat()]
    yaxis: dict[str, Any] = {"title": {"text": f"Units per {unit}"}, "rangemode": "tozero", "tickformat": ",d"}
    top = _visible_top(history, forecast)
    if top is not None:
        yaxis["range"] = [0, top]
    layout: dict[str, Any] = {
        "xaxis": xaxis,
        "yaxis": yaxis,
        # The legend sits at the figure's foot, below the date labels however narrow the screen.
        "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        "margin": {"t": 30, "r": 20, "b": 100, "l": 60},
    }
    if origin is not None:
        at = origin.isoformat()
        layout["shapes"] = [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": at,
                "x1": at,
                "y0": 0,
                "y1": 1,
                "line": {"color": ORIGIN_COLOUR, "dash": "dash", "width": 1.5},
            }
        ]
        layout["annotations"] = [
            {
                "x": at,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": "forecast origin",
                "showarrow": False,
                "xanchor": "center",
                "yanchor": "bottom",
                "font": {"color": ORIGIN_COLOUR, "size": 11},
            }
        ]
    return {"data": data, "layout": layout}


def _visible_top(history: pd.DataFrame, forecast: pd.DataFrame) -> float | None:
    """A y range that keeps sales and forecast readable: a lumpy product's 95% band can
    reach ten times its usual level and would flatten everything else. The band then
    runs off the top (its hover still tells its bounds; autoscale shows it whole)."""
    if forecast.empty:
        return None
    readable = max(
        float(history["units"].max()) if not history.empty else 0.0,
        float(history["lost"].max()) if not history.empty and "lost" in history else 0.0,
        float(forecast["upper_80"].max()),
        float(forecast["quantity"].max()),
    )
    if readable <= 0 or float(forecast["upper_95"].max()) <= readable * 1.5:
        return None
    return readable * 1.3


def profile_figure(profile: pd.DataFrame, *, title: str) -> dict[str, Any]:
    """Average units per day by weekday or month (columns label, units) as bars."""
    return {
        "data": [
            {
                "type": "bar",
                "x": list(profile["label"]),
                "y": _numbers(profile["units"]),
                "marker": {"color": FORECAST_COLOUR},
                "name": title,
                "hovertemplate": "%{x}: %{y:,.1f} units a day<extra></extra>",
            }
        ],
        "layout": {
            "hovermode": "closest",
            "showlegend": False,
            "xaxis": {"type": "category"},
            "yaxis": {"title": {"text": "Units per day"}, "rangemode": "tozero", "tickformat": ",.0f"},
            "margin": {"t": 10, "r": 10, "b": 30, "l": 55},
        },
    }
