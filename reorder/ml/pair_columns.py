"""The column families of a retailer x product pair's features, each from the pair's own orders and its shop's:
recency and frequency, quantities and value, trend, the shop's figures, the product's from the market context,
how the pair compares with its shop and product, and the cutoff's calendar.

Every function takes the orders as arrays sorted by pair (:class:`OrderArrays`) and the pairs as
:class:`~reorder.ml.segments.Segments`, and returns one array per column, one value per pair;
:func:`reorder.ml.features.features_from_valid_history` puts them together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reorder.ml.market_context import MarketContext, retailer_attributes
from reorder.ml.segments import Segments

RECENT_ORDER_WINDOWS = (3, 5, 10)
DAY_WINDOWS = (30, 60, 90, 180)


class OrderArrays:
    """The orders' columns as arrays, read once."""

    @classmethod
    def of(cls, orders: pd.DataFrame) -> OrderArrays:
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


def recency_frequency(orders: OrderArrays, pairs: Segments) -> dict[str, np.ndarray]:
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


def monetary(orders: OrderArrays, pairs: Segments) -> dict[str, np.ndarray]:
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


def trend(orders: OrderArrays, pairs: Segments, pair_columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
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


def retailer_columns(
    orders: OrderArrays, pairs: Segments, past: pd.DataFrame, context: MarketContext, pair_retailers: np.ndarray
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
    attributes = retailer_attributes(past).reindex(pd.Index(shops.first_of(orders.retailer_id)))
    shop["city_retailer_count"] = attributes["city"].map(context.cities).to_numpy(dtype=float)
    segment = context.segments.reindex(attributes["segment"])
    shop["segment_retailer_count"] = segment["segment_retailer_count"].to_numpy(dtype=float)
    shop["segment_mean_value"] = segment["segment_mean_value"].to_numpy(dtype=float)
    shop["retailer_value_vs_segment"] = shop["retailer_total_value"] / shop["segment_mean_value"]
    return {name: values[shop_of_pair] for name, values in shop.items()}


def context_product_columns(products: pd.DataFrame, product_ids: np.ndarray) -> dict[str, np.ndarray]:
    """The context's figures of each pair's product (missing for a product the context has not seen)."""
    rows = products.index.get_indexer(product_ids)
    found = rows >= 0
    out = {}
    for name in products.columns:
        values = np.full(len(rows), np.nan)
        values[found] = products[name].to_numpy(dtype=float)[rows[found]]
        out[name] = values
    return out


def interaction(orders: OrderArrays, pairs: Segments, f: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
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


def calendar_columns(cutoff: pd.Timestamp, n: int) -> dict[str, np.ndarray]:
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
