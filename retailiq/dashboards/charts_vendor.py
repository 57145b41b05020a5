"""Plotly figures for the vendor's home: pure functions, a DataFrame in, a figure dict out
(the page serialises it with json_script and static/js/app.js draws it)."""

from typing import Any

import pandas as pd

from retailiq.core.money import format_money, money_axis

# Colour-blind-safe qualitative palette (Okabe-Ito), so stacked groups stay distinguishable.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
TICK_FORMATS = {"day": "%d %b", "week": "%d %b", "month": "%b %Y"}
PERIOD_LABELS = {"day": "Day", "week": "Week starting", "month": "Month"}


def sales_breakdown_figure(
    frame: pd.DataFrame, *, granularity: str, breakdown_label: str, currency: str | None = None
) -> dict[str, Any] | None:
    """Stacked bars of net revenue per period, one colour per group (region or segment);
    hovering a period lists every group's revenue and units. None when nothing sold."""
    if frame.empty:
        return None
    totals = frame.groupby("group")["revenue"].sum().sort_values(ascending=False)
    # The axis spans the stacked bars: each period's positive and negative parts summed apart.
    # Clipped once over the whole column and then summed per period: a clip per period's group cost about 100 ms
    # of a 260-period page.
    revenue = frame["revenue"]
    stacked = [
        *revenue.clip(lower=0).groupby(frame["period"]).sum(),
        *revenue.clip(upper=0).groupby(frame["period"]).sum(),
    ]
    periods = sorted(frame["period"].unique())
    x = [pd.Timestamp(p).date().isoformat() for p in periods]
    data = []
    for index, group in enumerate(totals.index):
        rows = frame[frame["group"] == group].set_index("period").reindex(periods)
        revenue = [round(float(v), 2) if pd.notna(v) else 0 for v in rows["revenue"]]
        data.append(
            {
                "type": "bar",
                "name": str(group),
                "x": x,
                "y": revenue,
                "customdata": [int(v) if pd.notna(v) else 0 for v in rows["units"]],
                "text": [format_money(v, currency) for v in revenue],
                "textposition": "none",
                "marker": {"color": PALETTE[index % len(PALETTE)]},
                "hovertemplate": "%{fullData.name}: %{text} · %{customdata:,} units<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "barmode": "stack",
            "hovermode": "x unified",
            "legend": {"orientation": "h", "y": -0.25, "title": {"text": f"{breakdown_label}: "}},
            "xaxis": {
                "type": "date",
                "title": {"text": PERIOD_LABELS[granularity]},
                "tickformat": TICK_FORMATS[granularity],
                "hoverformat": "%-d %b %Y",
            },
            "yaxis": {**money_axis(stacked, title="Net revenue", currency=currency), "fixedrange": False},
        },
    }
