"""Features of every retailer x product pair at a cutoff, from order history strictly before it.

All work is grouped pandas/NumPy over whole columns, no loop over pairs, so a cutoff of a ~1.4M-line history
builds in seconds. Only rows with ``date < cutoff`` are read: nothing on or after the cutoff can leak in.

One function serves training and serving alike. A pair's own figures and its shop's come from that shop's
orders; what compares it with the marketplace (the product's popularity, the segment's and city's size) comes from
a :class:`MarketContext`. Training computes the context from the whole history it holds; serving one shop passes
the context in (computed once per day and cached) with only that shop's orders, and gets the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reorder.ml.decay_features import decay_features
from reorder.ml.history import pair_orders, validate_history
from reorder.ml.horizon_features import WINDOWS, HorizonContext, horizon_columns, horizon_context
from reorder.ml.rhythm_features import add_rhythm_features
from reorder.ml.segments import Segments

KEYS = ["retailer_id", "product_id"]
RECENT_ORDER_WINDOWS = (3, 5, 10)
DAY_WINDOWS = (30, 60, 90, 180)


@dataclass(frozen=True)
class MarketContext:
    """The marketplace a pair is compared with at ``cutoff``: per product (index ``product_id``) the ``product_*``,
    ``category_*`` and ``vendor_*`` figures, per segment its shop count and mean shop value, per city its shop
    count; with ``horizon``, what the horizon and co-occurrence features compare a pair with (each product's
    repurchase intervals across shops, the basket co-occurrence counts: :class:`HorizonContext`). Small (a row per
    product, an entry per pair of products bought together), so it is computed once and handed to every shop's
    features."""

    cutoff: pd.Timestamp
    lookback_days: int | None
    products: pd.DataFrame
    segments: pd.DataFrame
    cities: pd.Series
    horizon: HorizonContext | None = None


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
    return _context(past, _orders_at(past, cutoff), cutoff, lookback_days, horizon=horizon)


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
        context = _context(past, orders, cutoff, lookback_days, horizon=horizon)

    pairs = Segments(orders["pair"].to_numpy())
    columns: dict[str, np.ndarray] = {
        "pair": np.arange(pairs.n),
        "retailer_id": pairs.first_of(orders["retailer_id"].to_numpy()),
        "product_id": pairs.first_of(orders["product_id"].to_numpy()),
    }
    order = _OrderArrays.of(orders)
    with np.errstate(invalid="ignore", divide="ignore"):
        columns.update(_recency_frequency(order, pairs))
        columns.update(_monetary(order, pairs))
        columns.update(_trend(order, pairs, columns))
        columns.update(_retailer(order, pairs, past, context, columns["retailer_id"]))
        columns.update(_context_products(context.products, columns["product_id"]))
        columns.update(_interaction(order, pairs, columns))
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
    columns.update(_calendar(cutoff, len(columns["pair"])))
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


def _context(
    past: pd.DataFrame, orders: pd.DataFrame, cutoff: pd.Timestamp, lookback_days: int | None, *, horizon: bool
) -> MarketContext:
    if orders.empty:
        empty = pd.DataFrame(index=pd.Index([], name="product_id"))
        return MarketContext(cutoff, lookback_days, empty, pd.DataFrame(), pd.Series(dtype=float))
    retailers = _retailer_value(orders).join(_retailer_attributes(past))
    segments = retailers.groupby("segment").agg(
        segment_retailer_count=("retailer_total_value", "size"),
        segment_mean_value=("retailer_total_value", "mean"),
    )
    cities = retailers.groupby("city").size().rename("city_retailer_count")
    horizon_part = horizon_context(orders) if horizon else None
    return MarketContext(cutoff, lookback_days, _products(past, orders), segments, cities, horizon_part)


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


class _OrderArrays:
    """The orders' columns as arrays, read once."""

    @classmethod
    def of(cls, orders: pd.DataFrame) -> _OrderArrays:
        arrays = cls()
        arrays.days_ago = orders["days_ago"].to_numpy(dtype=float)
        arrays.interval = orders["interval"].to_numpy(dtype=float)
        arrays.rank = orders["rank_from_last"].to_numpy()
        arrays.quantity = orders["quantity"].to_numpy(dtype=float)
        arrays.value = orders["value"].to_numpy(dtype=float)
        arrays.gross = orders["gross"].to_numpy(dtype=float)
        arrays.unit_price = orders["unit_price"].to_numpy(dtype=float)
        arrays.discount_rate = orders["discount_rate"].to_numpy(dtype=float)
        arrays.day = orders["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        arrays.retailer_id = orders["retailer_id"].to_numpy()
        arrays.product_id = orders["product_id"].to_numpy()
        return arrays


def _weekday(day: np.ndarray) -> np.ndarray:
    return (day + 3) % 7  # 1970-01-01, day 0, was a Thursday (weekday 3)


def _recency_frequency(orders: _OrderArrays, pairs: Segments) -> dict[str, np.ndarray]:
    days_ago, interval = orders.days_ago, orders.interval
    out = {
        "days_since_last_order": pairs.min(days_ago),
        "pair_age_days": pairs.max(days_ago),
        "n_orders": pairs.sizes.astype(float),
        "interval_mean": pairs.mean(interval),
        "interval_std": pairs.std(interval),
        "interval_median": pairs.median(interval),
        "interval_min": pairs.min(interval),
        "interval_max": pairs.max(interval),
    }
    for window in DAY_WINDOWS:
        out[f"orders_last_{window}d"] = pairs.sum(days_ago <= window)
    out["last_interval"] = pairs.last_of(interval)
    weekday = _weekday(pairs.last_of(orders.day))
    out["last_order_weekday_sin"] = np.sin(2 * np.pi * weekday / 7)
    out["last_order_weekday_cos"] = np.cos(2 * np.pi * weekday / 7)
    out["has_interval"] = (~np.isnan(out["interval_mean"])).astype(float)
    out["interval_cv"] = out["interval_std"] / out["interval_mean"]
    out["overdue_ratio"] = out["days_since_last_order"] / out["interval_mean"]
    out["overdue_days"] = out["days_since_last_order"] - out["interval_mean"]
    out["overdue_z"] = out["overdue_days"] / np.where(out["interval_std"] > 0, out["interval_std"], 1.0)
    out["order_rate_per_30d"] = out["n_orders"] / np.maximum(out["pair_age_days"], 1) * 30
    return out


def _monetary(orders: _OrderArrays, pairs: Segments) -> dict[str, np.ndarray]:
    quantity, value = orders.quantity, orders.value
    out = {
        "lifetime_quantity": pairs.sum(quantity),
        "lifetime_value": pairs.sum(value),
        "discount_mean": pairs.mean(orders.discount_rate),
    }
    out["avg_unit_price"] = pairs.sum(orders.gross) / out["lifetime_quantity"]
    for k in RECENT_ORDER_WINDOWS:
        recent = orders.rank < k
        # Every pair has its last order among its last k, so the runs of the recent rows are the pairs'.
        runs = Segments(pairs.ids[recent])
        out[f"qty_mean_last{k}"] = runs.mean(quantity[recent])
        out[f"qty_std_last{k}"] = runs.std(quantity[recent])
        out[f"value_mean_last{k}"] = runs.mean(value[recent])
    out["last_quantity"] = pairs.last_of(quantity)
    out["last_unit_price"] = pairs.last_of(orders.unit_price)
    out["last_price_vs_avg"] = out["last_unit_price"] / out["avg_unit_price"]
    for window in (30, 90):
        out[f"qty_last_{window}d"] = pairs.sum(np.where(orders.days_ago <= window, quantity, 0.0))
    discounted = orders.discount_rate > 0
    out["discounted_order_share"] = pairs.mean(discounted.astype(float))
    qty_discounted = pairs.mean(np.where(discounted, quantity, np.nan))
    qty_full_price = pairs.mean(np.where(~discounted, quantity, np.nan))
    # Both kinds of order are needed to say anything; otherwise the pair is neutral (1.0).
    sensitivity = qty_discounted / qty_full_price
    out["discount_sensitivity"] = np.where(np.isnan(sensitivity), 1.0, sensitivity)
    return out


def _trend(orders: _OrderArrays, pairs: Segments, pair_columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    recent = orders.rank < 5
    runs = Segments(pairs.ids[recent])
    x = -orders.rank[recent].astype(float)
    y = orders.quantity[recent]
    n, sx, sy = runs.sizes.astype(float), runs.sum(x), runs.sum(y)
    sxy, sxx = runs.sum(x * y), runs.sum(x**2)
    denominator = n * sxx - sx**2
    slope = (n * sxy - sx * sy) / np.where(denominator > 0, denominator, np.nan)
    out = {"qty_slope_last5": np.where(np.isnan(slope), 0.0, slope)}
    out["qty_slope_last5_rel"] = out["qty_slope_last5"] / (sy / n)
    days_ago = orders.days_ago
    out["orders_momentum_30d"] = pairs.sum(days_ago <= 30) - pairs.sum((days_ago > 30) & (days_ago <= 60))
    value_90 = pairs.sum(np.where(days_ago <= 90, orders.value, 0.0))
    value_prev_90 = pairs.sum(np.where((days_ago > 90) & (days_ago <= 180), orders.value, 0.0))
    out["value_momentum_90d"] = (value_90 + 1.0) / (value_prev_90 + 1.0)
    out["qty_last3_vs_last10"] = pair_columns["qty_mean_last3"] / pair_columns["qty_mean_last10"]
    out["last_interval_vs_mean"] = pair_columns["last_interval"] / pair_columns["interval_mean"]
    return out


def _retailer(
    orders: _OrderArrays, pairs: Segments, past: pd.DataFrame, context: MarketContext, pair_retailers: np.ndarray
) -> dict[str, np.ndarray]:
    """Each pair's shop's figures (orders are sorted by shop, so a shop's orders and pairs are contiguous runs)."""
    shops = Segments(orders.retailer_id)
    shop_of_pair = Segments(pair_retailers).ids
    # The shop's order days: one per shop and day, in day order within the shop.
    first_day = int(orders.day.min())
    _, first = np.unique(shops.ids * (int(orders.day.max()) - first_day + 1) + (orders.day - first_day), True)
    day_shops = Segments(shops.ids[first])
    day_days_ago = orders.days_ago[first]
    day = orders.day[first].astype(float)
    gap = np.r_[np.nan, np.diff(day)]
    gap[day_shops.starts] = np.nan
    shop = {
        "retailer_days_since_last_order": day_shops.min(day_days_ago),
        "retailer_age_days": day_shops.max(day_days_ago),
        "retailer_n_order_days": day_shops.sizes.astype(float),
        "retailer_interval_mean": day_shops.mean(gap),
        "retailer_order_days_last_30d": day_shops.sum(day_days_ago <= 30),
        "retailer_order_days_last_90d": day_shops.sum(day_days_ago <= 90),
    }
    shop["retailer_momentum"] = shop["retailer_order_days_last_30d"] / (shop["retailer_order_days_last_90d"] / 3)
    shop["retailer_n_products"] = np.bincount(shop_of_pair, minlength=shops.n).astype(float)
    shop["retailer_total_value"] = shops.sum(orders.value)
    shop["retailer_value_last_90d"] = shops.sum(np.where(orders.days_ago <= 90, orders.value, 0.0))
    pair_value = pairs.sum(orders.value)
    share = pair_value / Segments(shop_of_pair).sum(pair_value)[shop_of_pair]
    shop["retailer_concentration_hhi"] = Segments(shop_of_pair).sum(share**2)

    # The shop's segment and city as its last line says (the history is sorted by shop, product and day).
    attributes = _retailer_attributes(past).reindex(pd.Index(shops.first_of(orders.retailer_id)))
    shop["city_retailer_count"] = attributes["city"].map(context.cities).to_numpy(dtype=float)
    segment = context.segments.reindex(attributes["segment"])
    shop["segment_retailer_count"] = segment["segment_retailer_count"].to_numpy(dtype=float)
    shop["segment_mean_value"] = segment["segment_mean_value"].to_numpy(dtype=float)
    shop["retailer_value_vs_segment"] = shop["retailer_total_value"] / shop["segment_mean_value"]
    return {name: values[shop_of_pair] for name, values in shop.items()}


def _context_products(products: pd.DataFrame, product_ids: np.ndarray) -> dict[str, np.ndarray]:
    """The context's figures of each pair's product (missing for a product the context has not seen)."""
    rows = products.index.get_indexer(product_ids)
    found = rows >= 0
    out = {}
    for name in products.columns:
        values = np.full(len(rows), np.nan)
        values[found] = products[name].to_numpy(dtype=float)[rows[found]]
        out[name] = values
    return out


def _interaction(orders: _OrderArrays, pairs: Segments, f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {"share_of_wallet": f["lifetime_value"] / f["retailer_total_value"]}
    out["pair_value_last_90d"] = pairs.sum(np.where(orders.days_ago <= 90, orders.value, 0.0))
    out["share_of_wallet_last_90d"] = out["pair_value_last_90d"] / f["retailer_value_last_90d"]
    out["share_of_product_volume"] = f["lifetime_quantity"] / f["product_total_quantity"]
    out["qty_vs_typical_buyer"] = f["qty_mean_last10"] / f["product_typical_pair_qty"]
    out["price_vs_product_avg"] = f["avg_unit_price"] / f["product_avg_unit_price"]
    out["pair_value_rank_in_retailer"] = _percent_rank(Segments(f["retailer_id"]), f["lifetime_value"])
    out["pair_recency_vs_retailer"] = f["days_since_last_order"] - f["retailer_days_since_last_order"]
    out["pair_interval_vs_retailer"] = f["interval_mean"] / f["retailer_interval_mean"]
    return out


def _percent_rank(groups: Segments, values: np.ndarray) -> np.ndarray:
    """Each value's rank within its group over the group's size, ties at their mean rank (pandas'
    ``rank(pct=True)``); values are never missing here."""
    order = np.lexsort((values, groups.ids))
    ranked_groups, ranked = groups.ids[order], values[order]
    position = np.arange(len(values)) - groups.starts[ranked_groups] + 1.0
    ties = Segments(np.cumsum(np.r_[True, (ranked_groups[1:] != ranked_groups[:-1]) | (ranked[1:] != ranked[:-1])]))
    mean_position = ties.mean(position)[ties.ids]
    out = np.empty(len(values))
    out[order] = mean_position / groups.sizes[ranked_groups]
    return out


def _retailer_value(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.groupby("retailer_id")["value"].sum().rename("retailer_total_value").to_frame()


def _retailer_attributes(past: pd.DataFrame) -> pd.DataFrame:
    """Each shop's segment and city on its last line (index ``retailer_id``)."""
    retailers = past["retailer_id"]
    if not retailers.is_monotonic_increasing:
        return past.drop_duplicates("retailer_id", keep="last").set_index("retailer_id")[["segment", "city"]]
    last = Segments(retailers.to_numpy()).last
    return pd.DataFrame(
        {"segment": past["segment"].to_numpy()[last], "city": past["city"].to_numpy()[last]},
        index=pd.Index(retailers.to_numpy()[last], name="retailer_id"),
    )


def _products(past: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Every product's figures across the marketplace, with its category's and vendor's."""
    n_retailers = orders["retailer_id"].nunique()
    by_product = orders.groupby("product_id")
    product = by_product.agg(
        product_n_retailers=("retailer_id", "nunique"),
        product_total_quantity=("quantity", "sum"),
        product_n_orders=("quantity", "size"),
        product_days_since_last_order=("days_ago", "min"),
    )
    product["product_popularity"] = product["product_n_retailers"] / max(n_retailers, 1)
    product["product_orders_last_30d"] = (orders["days_ago"] <= 30).groupby(orders["product_id"]).sum()
    pair_counts = orders.groupby(["pair", "product_id"], sort=False).size().reset_index(name="n")
    product["product_reorder_rate"] = (pair_counts["n"] >= 2).groupby(pair_counts["product_id"]).mean()
    product["product_avg_unit_price"] = by_product["gross"].sum() / product["product_total_quantity"]
    pair_mean_qty = orders.groupby(["pair", "product_id"], sort=False)["quantity"].mean().reset_index()
    product["product_typical_pair_qty"] = pair_mean_qty.groupby("product_id")["quantity"].median()

    attributes = past.drop_duplicates("product_id", keep="last").set_index("product_id")[["category_id", "vendor_id"]]
    product = product.join(attributes)
    product["category_total_quantity"] = product.groupby("category_id")["product_total_quantity"].transform("sum")
    product["category_n_products"] = product.groupby("category_id")["product_n_orders"].transform("size")
    product["vendor_total_quantity"] = product.groupby("vendor_id")["product_total_quantity"].transform("sum")
    product["product_share_of_category"] = product["product_total_quantity"] / product["category_total_quantity"]
    vendor_of_order = orders["product_id"].map(product["vendor_id"])
    vendor_retailers = orders["retailer_id"].groupby(vendor_of_order).nunique()
    product["vendor_n_retailers"] = product["vendor_id"].map(vendor_retailers)
    return product.drop(columns=["category_id", "vendor_id"])


def _calendar(cutoff: pd.Timestamp, n: int) -> dict[str, np.ndarray]:
    values = {
        "cutoff_month_sin": np.sin(2 * np.pi * (cutoff.month - 1) / 12),
        "cutoff_month_cos": np.cos(2 * np.pi * (cutoff.month - 1) / 12),
        "cutoff_weekday_sin": np.sin(2 * np.pi * cutoff.weekday() / 7),
        "cutoff_weekday_cos": np.cos(2 * np.pi * cutoff.weekday() / 7),
        "cutoff_day_of_month": cutoff.day / cutoff.days_in_month,
        "cutoff_is_month_start": float(cutoff.day <= 3),
        "cutoff_is_month_end": float(cutoff.day > cutoff.days_in_month - 3),
    }
    return {name: np.full(n, float(value)) for name, value in values.items()}
