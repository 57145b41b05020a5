"""Order lines to one row per order: the shape every retailer-level detector starts from."""

from __future__ import annotations

import pandas as pd

LINE_COLUMNS = ["retailer_id", "order_id", "date", "product_id", "category", "quantity", "value"]


def check_lines(lines: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    columns = columns or LINE_COLUMNS
    missing = [c for c in columns if c not in lines.columns]
    if missing:
        raise ValueError(f"lines lack column(s): {', '.join(missing)}")
    frame = lines.copy()
    frame["date"] = pd.to_datetime(frame["date"]).dt.normalize()
    for column in ("quantity", "value"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).astype(float)
    return frame


def orders_of(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """``retailer_id, order_id, date, value, n_lines`` for the orders placed before ``as_of``, oldest first."""
    before = lines[lines["date"] < pd.Timestamp(as_of)]
    return (
        before.groupby(["retailer_id", "order_id"], sort=False)
        .agg(date=("date", "min"), value=("value", "sum"), n_lines=("product_id", "size"))
        .reset_index()
        .sort_values(["retailer_id", "date", "order_id"], kind="stable")
        .reset_index(drop=True)
    )


def order_days(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per retailer and day it ordered (two orders on one day are one visit), with the day's value."""
    return orders.groupby(["retailer_id", "date"], sort=True)["value"].sum().reset_index()
