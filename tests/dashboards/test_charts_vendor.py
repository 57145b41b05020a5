"""The vendor home's stacked sales figure: its money axis spans each period's positive and negative parts apart."""

import pandas as pd

from retailiq.dashboards.charts_vendor import sales_breakdown_figure


def test_the_axis_spans_the_stacked_gains_and_the_stacked_returns():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-11-02", "2026-11-02", "2026-11-02", "2026-11-09", "2026-11-09"]),
            "group": ["North", "South", "West", "North", "South"],
            "revenue": [300.0, 450.0, -120.0, -40.0, 90.0],
            "units": [3, 4, -1, -1, 1],
        }
    )
    figure = sales_breakdown_figure(frame, granularity="week", breakdown_label="Region", currency="USD")
    ticks = figure["layout"]["yaxis"]["tickvals"]
    # Week 1 stacks 750 up and 120 down; week 2 stacks 90 up and 40 down: the axis reaches 750 and -120.
    assert ticks[-1] >= 750 > ticks[-2] and ticks[0] <= -120 < ticks[1]
    assert [trace["name"] for trace in figure["data"]] == ["South", "North", "West"]
    assert figure["data"][2]["y"] == [-120.0, 0]
