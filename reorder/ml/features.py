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
from reorder.ml.horizon_features import HorizonContext, horizon_context, horizon_features
from reorder.ml.rhythm_features import add_rhythm_features

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

    features = _recency_frequency(orders)
    features = features.join(_monetary(orders))
    features = features.join(_trend(orders))
    pair_keys = orders.drop_duplicates("pair").set_index("pair")[KEYS]
    features = pair_keys.join(features).reset_index()
    features = _merge_retailer(features, past, orders, context)
    features = features.merge(context.products, left_on="product_id", right_index=True, how="left")
    features = _interaction(features, orders)
    if rhythm:
        features = add_rhythm_features(features, orders, cutoff)
    if horizon:
        horizon_columns = horizon_features(orders, context=context.horizon).drop(columns=KEYS)
        features = features.merge(horizon_columns, on="pair", how="left")
    if decay:
        features = features.merge(decay_features(orders, cutoff), on="pair", how="left")
    features = _calendar(features, cutoff).drop(columns="pair")
    numeric = feature_columns(features)
    features[numeric] = features[numeric].replace([np.inf, -np.inf], np.nan).fillna(0.0).astype(float)
    return features.sort_values(KEYS, kind="stable").reset_index(drop=True)


def _orders_at(past: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """One row per pair and order day, with the days before the cutoff, the interval since the pair's previous
    order and its rank from the last."""
    orders = pair_orders(past)
    if orders.empty:
        return orders
    orders["days_ago"] = (cutoff - orders["date"]).dt.days.astype(float)
    # Orders are sorted by pair, so one integer code per pair makes every grouping below a cheap one-key groupby.
    orders["pair"] = orders.groupby(KEYS, sort=False).ngroup()
    grouped = orders.groupby("pair", sort=False)
    orders["interval"] = grouped["date"].diff().dt.days.astype(float)
    orders["rank_from_last"] = grouped.cumcount(ascending=False)
    return orders


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


def _recency_frequency(orders: pd.DataFrame) -> pd.DataFrame:
    grouped = orders.groupby("pair", sort=False)
    out = grouped.agg(
        days_since_last_order=("days_ago", "min"),
        pair_age_days=("days_ago", "max"),
        n_orders=("days_ago", "size"),
        interval_mean=("interval", "mean"),
        interval_median=("interval", "median"),
        interval_min=("interval", "min"),
        interval_max=("interval", "max"),
    )
    out.insert(4, "interval_std", grouped["interval"].std(ddof=0))
    for window in DAY_WINDOWS:
        out[f"orders_last_{window}d"] = (orders["days_ago"] <= window).groupby(orders["pair"]).sum()
    last = orders[orders["rank_from_last"] == 0].set_index("pair")
    out["last_interval"] = last["interval"]
    out["last_order_weekday_sin"] = np.sin(2 * np.pi * last["date"].dt.weekday / 7)
    out["last_order_weekday_cos"] = np.cos(2 * np.pi * last["date"].dt.weekday / 7)
    out["has_interval"] = out["interval_mean"].notna().astype(float)
    out["interval_cv"] = out["interval_std"] / out["interval_mean"]
    out["overdue_ratio"] = out["days_since_last_order"] / out["interval_mean"]
    out["overdue_days"] = out["days_since_last_order"] - out["interval_mean"]
    out["overdue_z"] = out["overdue_days"] / out["interval_std"].where(out["interval_std"] > 0, 1.0)
    out["order_rate_per_30d"] = out["n_orders"] / out["pair_age_days"].clip(lower=1) * 30
    return out


def _monetary(orders: pd.DataFrame) -> pd.DataFrame:
    grouped = orders.groupby("pair", sort=False)
    out = grouped.agg(
        lifetime_quantity=("quantity", "sum"),
        lifetime_value=("value", "sum"),
        lifetime_gross=("gross", "sum"),
        discount_mean=("discount_rate", "mean"),
    )
    out["avg_unit_price"] = out["lifetime_gross"] / out["lifetime_quantity"]
    out = out.drop(columns="lifetime_gross")
    for k in RECENT_ORDER_WINDOWS:
        recent = orders[orders["rank_from_last"] < k].groupby("pair", sort=False)
        out[f"qty_mean_last{k}"] = recent["quantity"].mean()
        out[f"qty_std_last{k}"] = recent["quantity"].std(ddof=0)
        out[f"value_mean_last{k}"] = recent["value"].mean()
    last = orders[orders["rank_from_last"] == 0].set_index("pair")
    out["last_quantity"] = last["quantity"]
    out["last_unit_price"] = last["unit_price"]
    out["last_price_vs_avg"] = out["last_unit_price"] / out["avg_unit_price"]
    for window in (30, 90):
        in_window = orders["quantity"].where(orders["days_ago"] <= window, 0.0)
        out[f"qty_last_{window}d"] = in_window.groupby(orders["pair"]).sum()
    discounted = orders["discount_rate"] > 0
    by_pair = orders["pair"]
    out["discounted_order_share"] = discounted.groupby(by_pair).mean()
    qty_discounted = orders["quantity"].where(discounted).groupby(by_pair).mean()
    qty_full_price = orders["quantity"].where(~discounted).groupby(by_pair).mean()
    # Both kinds of order are needed to say anything; otherwise the pair is neutral (1.0).
    out["discount_sensitivity"] = (qty_discounted / qty_full_price).fillna(1.0)
    return out


def _trend(orders: pd.DataFrame) -> pd.DataFrame:
    recent = orders[orders["rank_from_last"] < 5].copy()
    recent["x"] = -recent["rank_from_last"].astype(float)
    recent["xy"] = recent["x"] * recent["quantity"]
    recent["xx"] = recent["x"] ** 2
    sums = recent.groupby("pair", sort=False).agg(
        n=("x", "size"), sx=("x", "sum"), sy=("quantity", "sum"), sxy=("xy", "sum"), sxx=("xx", "sum")
    )
    denominator = sums["n"] * sums["sxx"] - sums["sx"] ** 2
    slope = (sums["n"] * sums["sxy"] - sums["sx"] * sums["sy"]) / denominator.where(denominator > 0)
    out = pd.DataFrame({"qty_slope_last5": slope.fillna(0.0)})
    out["qty_slope_last5_rel"] = out["qty_slope_last5"] / (sums["sy"] / sums["n"])
    by_pair = orders["pair"]
    last_30 = (orders["days_ago"] <= 30).groupby(by_pair).sum()
    prev_30 = ((orders["days_ago"] > 30) & (orders["days_ago"] <= 60)).groupby(by_pair).sum()
    out["orders_momentum_30d"] = last_30 - prev_30
    value_90 = orders["value"].where(orders["days_ago"] <= 90, 0.0).groupby(by_pair).sum()
    value_prev_90 = orders["value"].where((orders["days_ago"] > 90) & (orders["days_ago"] <= 180), 0.0)
    out["value_momentum_90d"] = (value_90 + 1.0) / (value_prev_90.groupby(by_pair).sum() + 1.0)
    recent_3 = orders[orders["rank_from_last"] < 3].groupby("pair", sort=False)["quantity"].mean()
    recent_10 = orders[orders["rank_from_last"] < 10].groupby("pair", sort=False)["quantity"].mean()
    out["qty_last3_vs_last10"] = recent_3 / recent_10
    last = orders[orders["rank_from_last"] == 0].set_index("pair")
    mean_interval = orders.groupby("pair", sort=False)["interval"].mean()
    out["last_interval_vs_mean"] = last["interval"] / mean_interval
    return out


def _merge_retailer(
    features: pd.DataFrame, past: pd.DataFrame, orders: pd.DataFrame, context: MarketContext
) -> pd.DataFrame:
    days = orders[["retailer_id", "date", "days_ago", "value"]]
    retailer_days = days.groupby(["retailer_id", "date"], sort=True).agg(days_ago=("days_ago", "first"))
    retailer_days = retailer_days.reset_index()
    retailer_days["interval"] = retailer_days.groupby("retailer_id")["date"].diff().dt.days
    retailer = retailer_days.groupby("retailer_id").agg(
        retailer_days_since_last_order=("days_ago", "min"),
        retailer_age_days=("days_ago", "max"),
        retailer_n_order_days=("days_ago", "size"),
        retailer_interval_mean=("interval", "mean"),
    )
    retailer["retailer_order_days_last_30d"] = (
        (retailer_days["days_ago"] <= 30).groupby(retailer_days["retailer_id"]).sum()
    )
    retailer["retailer_order_days_last_90d"] = (
        (retailer_days["days_ago"] <= 90).groupby(retailer_days["retailer_id"]).sum()
    )
    retailer["retailer_momentum"] = retailer["retailer_order_days_last_30d"] / (
        retailer["retailer_order_days_last_90d"] / 3
    )
    by_retailer = orders.groupby("retailer_id")
    retailer["retailer_n_products"] = by_retailer["product_id"].nunique()
    retailer = retailer.join(_retailer_value(orders))
    retailer["retailer_value_last_90d"] = (
        orders["value"].where(orders["days_ago"] <= 90, 0.0).groupby(orders["retailer_id"]).sum()
    )
    pair_value = orders.groupby(["pair", "retailer_id"], sort=False)["value"].sum().reset_index()
    share = pair_value["value"] / pair_value.groupby("retailer_id")["value"].transform("sum")
    retailer["retailer_concentration_hhi"] = (share**2).groupby(pair_value["retailer_id"]).sum()

    attributes = _retailer_attributes(past).reindex(retailer.index)
    retailer["city_retailer_count"] = attributes["city"].map(context.cities)
    segment = context.segments.reindex(attributes["segment"]).set_axis(retailer.index)
    retailer["segment_retailer_count"] = segment["segment_retailer_count"]
    retailer["segment_mean_value"] = segment["segment_mean_value"]
    retailer["retailer_value_vs_segment"] = retailer["retailer_total_value"] / retailer["segment_mean_value"]
    return features.merge(retailer, on="retailer_id", how="left")


def _retailer_value(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.groupby("retailer_id")["value"].sum().rename("retailer_total_value").to_frame()


def _retailer_attributes(past: pd.DataFrame) -> pd.DataFrame:
    return past.drop_duplicates("retailer_id", keep="last").set_index("retailer_id")[["segment", "city"]]


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


def _interaction(features: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    features["share_of_wallet"] = features["lifetime_value"] / features["retailer_total_value"]
    value_90 = orders["value"].where(orders["days_ago"] <= 90, 0.0).groupby(orders["pair"]).sum()
    features["pair_value_last_90d"] = features["pair"].map(value_90)
    features["share_of_wallet_last_90d"] = features["pair_value_last_90d"] / features["retailer_value_last_90d"]
    features["share_of_product_volume"] = features["lifetime_quantity"] / features["product_total_quantity"]
    features["qty_vs_typical_buyer"] = features["qty_mean_last10"] / features["product_typical_pair_qty"]
    features["price_vs_product_avg"] = features["avg_unit_price"] / features["product_avg_unit_price"]
    features["pair_value_rank_in_retailer"] = features.groupby("retailer_id")["lifetime_value"].rank(pct=True)
    features["pair_recency_vs_retailer"] = (
        features["days_since_last_order"] - features["retailer_days_since_last_order"]
    )
    features["pair_interval_vs_retailer"] = features["interval_mean"] / features["retailer_interval_mean"]
    return features


def _calendar(features: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    features["cutoff_month_sin"] = np.sin(2 * np.pi * (cutoff.month - 1) / 12)
    features["cutoff_month_cos"] = np.cos(2 * np.pi * (cutoff.month - 1) / 12)
    features["cutoff_weekday_sin"] = np.sin(2 * np.pi * cutoff.weekday() / 7)
    features["cutoff_weekday_cos"] = np.cos(2 * np.pi * cutoff.weekday() / 7)
    features["cutoff_day_of_month"] = cutoff.day / cutoff.days_in_month
    features["cutoff_is_month_start"] = float(cutoff.day <= 3)
    features["cutoff_is_month_end"] = float(cutoff.day > cutoff.days_in_month - 3)
    return features
