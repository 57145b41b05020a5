"""The long order-history format every reorder model reads.

One row per order line: ``retailer_id``, ``product_id``, ``date`` (day), ``quantity``, ``unit_price``, and
optionally ``discount_rate`` (0..1), retailer attributes ``segment`` and ``city``, and product attributes
``category_id`` and ``vendor_id``. Several lines of the same pair on the same day are one order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REQUIRED_COLUMNS = ("retailer_id", "product_id", "date", "quantity", "unit_price")
OPTIONAL_COLUMNS = ("discount_rate", "segment", "city", "category_id", "vendor_id")


class HistoryError(ValueError):
    """The order history does not follow the long format."""


def validate_history(history: pd.DataFrame) -> pd.DataFrame:
    """Check the long format and return a normalised copy.

    Dates are floored to the day, missing optional columns are filled (``discount_rate`` with 0, attributes with
    ``"unknown"``), and the rows are sorted by pair and date. Raises :class:`HistoryError` with the reason.
    """
    if not isinstance(history, pd.DataFrame):
        raise HistoryError(f"history must be a pandas DataFrame, not {type(history).__name__}")
    missing = [column for column in REQUIRED_COLUMNS if column not in history.columns]
    if missing:
        raise HistoryError(f"history lacks required columns: {', '.join(missing)}")
    columns = {name: history[name] for name in history.columns}
    try:
        dates = columns["date"]
        if dates.dtype == "datetime64[ns]":
            columns["date"] = dates.to_numpy().astype("datetime64[D]").astype("datetime64[ns]")
        else:
            columns["date"] = pd.to_datetime(dates).dt.floor("D").array
    except (ValueError, TypeError) as exc:
        raise HistoryError(f"column 'date' cannot be read as dates: {exc}") from exc
    for column in ("quantity", "unit_price", "discount_rate"):
        if column not in columns:
            continue
        values = columns[column]
        values = values if pd.api.types.is_numeric_dtype(values) else pd.to_numeric(values, errors="coerce")
        values = np.asarray(values, dtype=float)
        if np.isnan(values).any():
            raise HistoryError(f"column '{column}' has {int(np.isnan(values).sum())} missing or non-numeric values")
        columns[column] = values
    for column in ("retailer_id", "product_id", "date"):
        missing = pd.isna(columns[column])
        if missing.any():
            raise HistoryError(f"column '{column}' has {int(missing.sum())} missing values")
    if (columns["quantity"] <= 0).any():
        raise HistoryError("column 'quantity' must be positive on every line")
    if (columns["unit_price"] < 0).any():
        raise HistoryError("column 'unit_price' must not be negative")
    if "discount_rate" not in columns:
        columns["discount_rate"] = np.zeros(len(history))
    elif ((columns["discount_rate"] < 0) | (columns["discount_rate"] > 1)).any():
        raise HistoryError("column 'discount_rate' must lie between 0 and 1")
    for column in ("segment", "city", "category_id", "vendor_id"):
        if column not in columns:
            columns[column] = np.full(len(history), "unknown", dtype=object)
        else:
            values = np.asarray(columns[column], dtype=object)
            missing = pd.isna(values)
            if missing.any():
                values = values.copy()
                values[missing] = "unknown"
            columns[column] = values
    # Built once from positional arrays (a column the check left alone keeps its own dtype), in a fresh index.
    frame = pd.DataFrame(
        {name: values.array if isinstance(values, pd.Series) else values for name, values in columns.items()}
    )
    if _sorted_by(frame, ("retailer_id", "product_id", "date")):
        return frame
    return frame.sort_values(["retailer_id", "product_id", "date"], kind="stable").reset_index(drop=True)


def pair_orders(history: pd.DataFrame) -> pd.DataFrame:
    """One row per retailer x product x day: lines of the same day summed, prices weighted by quantity.

    The lines of one order are neighbours once sorted by pair and day (:func:`validate_history` leaves them so), so
    each order is a run summed in one NumPy call rather than a pandas groupby, whose fixed cost dominated one
    shop's answer."""
    keys = ("retailer_id", "product_id", "date")
    frame = history if _sorted_by(history, keys) else history.sort_values(list(keys), kind="stable")
    retailers, products = frame["retailer_id"].to_numpy(), frame["product_id"].to_numpy()
    dates = frame["date"].to_numpy()
    new_order = np.r_[
        True, (retailers[1:] != retailers[:-1]) | (products[1:] != products[:-1]) | (dates[1:] != dates[:-1])
    ]
    starts = np.flatnonzero(new_order) if len(frame) else np.array([], dtype=np.intp)
    quantity = frame["quantity"].to_numpy(dtype=float)
    price = frame["unit_price"].to_numpy(dtype=float)
    discount = frame["discount_rate"].to_numpy(dtype=float)

    def summed(values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, starts) if len(starts) else np.zeros(0)

    orders_quantity = summed(quantity)
    gross = summed(quantity * price)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "retailer_id": retailers[starts],
                "product_id": products[starts],
                "date": dates[starts],
                "quantity": orders_quantity,
                "value": summed(quantity * price * (1.0 - discount)),
                "gross": gross,
                "unit_price": gross / orders_quantity,
                "discount_rate": summed(quantity * discount) / orders_quantity,
            }
        )


def _sorted_by(frame: pd.DataFrame, keys: tuple[str, ...]) -> bool:
    """Whether the rows are in the order of ``keys`` (ties allowed)."""
    if len(frame) < 2:
        return True
    ahead = np.zeros(len(frame) - 1, dtype=bool)  # decided: strictly after the previous row
    tied = np.ones(len(frame) - 1, dtype=bool)
    for key in keys:
        values = frame[key].to_numpy()
        ahead |= tied & (values[1:] > values[:-1])
        tied &= values[1:] == values[:-1]
    return bool((ahead | tied).all())
