"""Daily sales per product and location (a warehouse or a retailer's region), summed in
the database: the history behind per-location forecasts. Product totals stay in
forecasting/selectors.py; both read demand through the orders selector `sale_lines`."""

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import pandas as pd
from django.db.models import F, Sum

from retailiq.orders.selectors import sale_lines

LocationKind = Literal["warehouse", "region"]

# Where a line's location is read from: the warehouse that shipped its order, or the
# region of the retailer that bought it (lines carry their retailer, so no join on order).
LOCATION_FIELD = {"warehouse": "order__warehouse__code", "region": "retailer__region"}


def daily_sales_by_location(
    *,
    kind: LocationKind,
    start: dt.date | None = None,
    end: dt.date | None = None,
    product_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Columns series_id (the product id), location (warehouse code or region name), date,
    units; one row per product, location and day with a sale.

    A sale whose order names no warehouse belongs to no warehouse series (it still counts
    in the product totals and in its retailer's region)."""
    if kind not in LOCATION_FIELD:
        raise ValueError(f"Location kind must be one of {sorted(LOCATION_FIELD)}, not {kind!r}.")
    lines = sale_lines()
    if kind == "warehouse":
        lines = lines.filter(order__warehouse__isnull=False)
    if start:
        lines = lines.filter(placed_on__gte=start)
    if end:
        lines = lines.filter(placed_on__lte=end)
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    rows = (
        lines.annotate(location=F(LOCATION_FIELD[kind]))
        .values_list("product_id", "location", "placed_on")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["series_id", "location", "date", "units"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["units"] = frame["units"].astype(float)
    return frame
