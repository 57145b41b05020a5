"""Small seeded order lines and series for the insights detectors (no database)."""

from __future__ import annotations

import numpy as np
import pandas as pd

START = pd.Timestamp("2025-01-06")  # a Monday


def weekly_series(n_series: int = 6, weeks: int = 60, seed: int = 0) -> pd.DataFrame:
    """Poisson weekly demand around levels 20-80, no promotion yet."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=weeks, freq="W-MON")
    rows = []
    for series_id in range(n_series):
        level = rng.uniform(20, 80)
        values = rng.poisson(level, size=weeks).astype(float)
        rows.append(pd.DataFrame({"series_id": series_id, "date": dates, "value": values, "on_promotion": 0}))
    return pd.concat(rows, ignore_index=True)


def shop_lines(
    retailer_id: int,
    order_days: list[int],
    *,
    categories: list[str] | None = None,
    value: float = 1000.0,
    basket_scale: list[float] | None = None,
    first_order_id: int = 0,
) -> pd.DataFrame:
    """One line per category per order on the given day offsets from START."""
    categories = categories or ["rice", "oil"]
    rows = []
    for i, day in enumerate(order_days):
        scale = basket_scale[i] if basket_scale else 1.0
        for category in categories:
            rows.append(
                {
                    "retailer_id": retailer_id,
                    "order_id": first_order_id + i,
                    "date": START + pd.Timedelta(days=day),
                    "product_id": f"{category}-1",
                    "category": category,
                    "quantity": 10.0 * scale,
                    "value": value * scale / len(categories),
                }
            )
    return pd.DataFrame(rows)
