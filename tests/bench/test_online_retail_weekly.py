"""The Online Retail weekly file on a few hand-made lines: units, distinct orders and the
largest line per product and week; cancellations, non-products and partial weeks left out."""

import pandas as pd

from bench.online_retail_weekly import weekly_demand


def test_orders_and_the_largest_line_per_product_week(tmp_path):
    lines = [
        # Wednesday 2024-01-03 to Tuesday 2024-01-23: the full weeks are those of 01-08 and 01-15.
        ("100", "A1", 5, "2024-01-03 10:00:00"),  # partial first week, dropped
        ("101", "A1", 4, "2024-01-08 09:00:00"),
        ("101", "A1", 6, "2024-01-08 09:00:00"),  # a second line of the same invoice: one order
        ("102", "A1", 30, "2024-01-10 12:00:00"),
        ("C103", "A1", 500, "2024-01-11 12:00:00"),  # cancellation
        ("104", "A1", -2, "2024-01-12 12:00:00"),  # adjustment
        ("104", "POST", 1, "2024-01-12 12:00:00"),  # postage, not a product
        ("105", "b2", 7, "2024-01-16 08:00:00"),
        ("106", "A1", 1, "2024-01-23 08:00:00"),  # partial last week, dropped
    ]
    source = tmp_path / "lines.csv.gz"
    pd.DataFrame(lines, columns=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate"]).to_csv(source, index=False)
    frame = weekly_demand(source, top=10).set_index(["StockCode", "week"])
    assert list(frame.index.get_level_values("week").unique().strftime("%Y-%m-%d")) == ["2024-01-08", "2024-01-15"]
    assert frame.loc[("A1", "2024-01-08")].tolist() == [40, 2, 30]
    assert frame.loc[("A1", "2024-01-15")].tolist() == [0, 0, 0]
    assert frame.loc[("B2", "2024-01-15")].tolist() == [7, 1, 7]
    assert list(frame.columns) == ["units", "orders", "max_line_units"]
