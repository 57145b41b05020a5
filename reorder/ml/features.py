"""Features of every retailer x product pair at a cutoff, from order history strictly before it.

All work is grouped pandas/NumPy over whole columns, no loop over pairs, so a cutoff of a ~1.4M-line history
builds in seconds. Only rows with ``date < cutoff`` are read: nothing on or after the cutoff can leak in.

One function serves training and serving alike. A pair's own figures and its shop's come from that shop's
orders; what compares it with the marketplace (the product's popularity, the segment's and city's size) comes from
a :class:`MarketContext`. Training computes the context from the whole history it holds; serving one shop passes
the context in (computed once per day and cached) with only that shop's orders, and gets the same rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reorder.ml.decay_features import decay_features
from reorder.ml.history import pair_orders, validate_history
from reorder.ml.horizon_features import WINDOWS, horizon_columns
from reorder.ml.market_context import MarketContext, build_context
from reorder.ml.pair_columns import (
    OrderArrays,
    calendar_columns,
    context_product_columns,
    interaction,
    monetary,
    recency_frequency,
    retailer_columns,
    trend,
)
from reorder.ml.rhythm_features import add_rhythm_features
from reorder.ml.segments import Segments

KEYS = ["retailer_id", "product_id"]


def pair_features(history: pd.DataFrame, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """Validate ``history`` and compute one row per pair with at least one order before ``cutoff``."""
    return features_from_valid_history(validate_history(history), cutoff)


def feature_columns(frame: pd.DataFrame) -> list[str]:
    """The model inputs of a feature (or dataset) frame: every numeric column but keys, cutoff and labels."""
    excluded = {*KEYS, "cutoff", "days_to_next_order", "next_order_quantity", "next_order_date"}
    return [
        column
        for column in frame.columns
        if column not in excluded
        and not column.startswith("ordered_within_")
        and pd.api.types.is_numeric_dtype(frame[column])
    ]


def orders_before(history: pd.DataFrame, cutoff: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lines strictly before ``cutoff`` and their pair orders (one row per pair and day; see ``_orders_at``)."""
    past = history[history["date"] < cutoff]
    return past, _orders_at(past, cutoff)


def history_window(history: pd.DataFrame, cutoff: pd.Timestamp, lookback_days: int | None) -> pd.DataFrame:
    """The lines a cutoff's features read: before the cutoff, and within ``lookback_days`` of it when given (so
    a training cutoff sees as many days as serving does, however far back the training history reaches)."""
    keep = history["date"] < cutoff
    if lookback_days is not None:
        keep &= history["date"] >= cutoff - pd.Timedelta(days=lookback_days)
    return history[keep]


def market_context(
    history: pd.DataFrame, cutoff: pd.Timestamp | str, *, lookback_days: int | None = None, horizon: bool = False
) -> MarketContext:
    """The :class:`MarketContext` of a validated whole-marketplace history at ``cutoff``; with ``horizon``, with
    what the horizon features need."""
    cutoff = pd.Timestamp(cutoff).normalize()
    past = history_window(history, cutoff, lookback_days)
    return build_context(past, _orders_at(past, cutoff), cutoff, lookback_days, horizon=horizon)


def features_from_valid_history(
    history: pd.DataFrame,
    cutoff: pd.Timestamp | str,
    *,
    rhythm: bool = False,
    horizon: bool = False,
    decay: bool = False,
    context: MarketContext | None = None,
    lookback_days: int | None = None,
) -> pd.DataFrame:
    """Features from a history already passed through :func:`validate_history`; with ``rhythm``, also the repeat
    and rhythm features of :mod:`reorder.ml.rhythm_features` (off by default: measured, they did not pay); with
    ``horizon``, the horizon and co-occurrence features of :mod:`reorder.ml.horizon_features`; with ``decay``, the
    time-decayed repeat and shop rhythm features of :mod:`reorder.ml.decay_features` (the shop's own lines only, so
    they need no market context).

    Without ``context`` the history is the whole marketplace and the context comes from it; with one, the history
    may hold only some shops (their every line) and the rows are those the whole history would give them (with
    ``horizon``, the context must carry the horizon part: ``market_context(..., horizon=True)``)."""
    cutoff = pd.Timestamp(cutoff).normalize()
    if context is not None:
        if context.cutoff != cutoff or context.lookback_days != lookback_days:
            raise ValueError(
                f"the market context is of {context.cutoff.date()} over {context.lookback_days} days, "
                f"the features of {cutoff.date()} over {lookback_days}"
            )
        if rhythm:
            # They compare a pair with every shop's intervals of its product, which the context does not carry.
            raise ValueError("rhythm features compare every pair of a product: compute them from the whole history")
    past = history_window(history, cutoff, lookback_days)
    orders = _orders_at(past, cutoff)
    if orders.empty:
        return pd.DataFrame(columns=KEYS)
    if horizon and context is not None and context.horizon is None:
        raise ValueError("horizon features need a market context computed with horizon=True")
    if context is None:
        context = build_context(past, orders, cutoff, lookback_days, horizon=horizon)

    pairs = Segments(orders["pair"].to_numpy())
    columns: dict[str, np.ndarray] = {
        "pair": np.arange(pairs.n),
        "retailer_id": pairs.first_of(orders["retailer_id"].to_numpy()),
        "product_id": pairs.first_of(orders["product_id"].to_numpy()),
    }
    order = OrderArrays.of(orders)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns.update(recency_frequency(order, pairs))
        columns.update(monetary(order, pairs))
        columns.update(trend(order, pairs, columns))
        columns.update(retailer_columns(order, pairs, past, context, columns["retailer_id"]))
        columns.update(context_product_columns(context.products, columns["product_id"]))
        columns.update(interaction(order, pairs, columns))
    if rhythm:
        with_rhythm = add_rhythm_features(pd.DataFrame(columns), orders, cutoff)
        columns = {name: with_rhythm[name].to_numpy() for name in with_rhythm.columns}
    if horizon:
        if context.horizon.windows != WINDOWS:
            raise ValueError(f"the horizon context is of windows {context.horizon.windows}, the features of {WINDOWS}")
        columns.update(_on_pairs(columns["pair"], horizon_columns(orders, context.horizon)))
    if decay:
        extra = decay_features(orders, cutoff)
        columns.update(_on_pairs(columns["pair"], {name: extra[name].to_numpy() for name in extra.columns}))
    columns.update(calendar_columns(cutoff, len(columns["pair"])))
    del columns["pair"]
    return _finished(columns)


def _orders_at(past: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """One row per pair and order day, with the days before the cutoff, the interval since the pair's previous
    order and its rank from the last."""
    orders = pair_orders(past)
    if orders.empty:
        return orders
    day = orders["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    retailers, products = orders["retailer_id"].to_numpy(), orders["product_id"].to_numpy()
    # Orders are sorted by pair, so one integer code per pair makes every grouping below a run of rows.
    new_pair = np.r_[True, (retailers[1:] != retailers[:-1]) | (products[1:] != products[:-1])]
    pair = np.cumsum(new_pair) - 1
    pairs = Segments(pair)
    interval = np.r_[np.nan, np.diff(day).astype(float)]
    interval[pairs.starts] = np.nan
    return orders.assign(
        days_ago=float(cutoff.value // 86_400_000_000_000) - day,
        pair=pair,
        interval=interval,
        rank_from_last=pairs.last[pairs.ids] - np.arange(len(pair)),
    )


def _finished(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The frame, with infinite and missing model inputs as 0.0, every input a float, rows in key order; built
    once from arrays, since adding columns to a frame one by one costs pandas bookkeeping each time."""
    excluded = {*KEYS, "cutoff", "days_to_next_order", "next_order_quantity", "next_order_date"}
    out = {}
    for name, values in columns.items():
        values = np.asarray(values)
        if name not in excluded and not name.startswith("ordered_within_") and pd.api.types.is_numeric_dtype(values):
            values = values.astype(float)
            values = np.where(np.isfinite(values), values, 0.0)
        out[name] = values
    features = pd.DataFrame(out)
    retailers, products = features["retailer_id"].to_numpy(), features["product_id"].to_numpy()
    in_order = len(features) < 2 or bool(
        np.all((retailers[1:] > retailers[:-1]) | ((retailers[1:] == retailers[:-1]) & (products[1:] > products[:-1])))
    )
    return features if in_order else features.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _on_pairs(pairs: np.ndarray, extra: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The columns of ``extra`` (one row per pair, its codes in ``extra["pair"]``) in the order of ``pairs``, keys
    left out; missing where ``extra`` has no row for a pair."""
    rows = pd.Index(extra["pair"]).get_indexer(pairs)
    aligned = bool((rows == np.arange(len(rows))).all()) and len(extra["pair"]) == len(rows)
    out = {}
    for name, values in extra.items():
        if name in ("pair", *KEYS):
            continue
        values = np.asarray(values)
        if aligned:
            out[name] = values
        else:
            out[name] = np.where(rows >= 0, values[rows].astype(float) if len(values) else np.nan, np.nan)
    return out
