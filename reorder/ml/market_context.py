"""The marketplace a retailer x product pair is compared with at a cutoff: per product its popularity, reorder
rate, typical quantity and price, its category's and vendor's volume; per segment and city the shops' count and
value; and, for the horizon features, the products' repurchase intervals and basket co-occurrence.

Computed from the whole marketplace's lines before the cutoff, once, and handed to every shop's features
(:func:`reorder.ml.features.features_from_valid_history`), so one shop's rows need only its own lines."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reorder.ml.horizon_features import HorizonContext, horizon_context
from reorder.ml.segments import Segments


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


def build_context(
    past: pd.DataFrame, orders: pd.DataFrame, cutoff: pd.Timestamp, lookback_days: int | None, *, horizon: bool
) -> MarketContext:
    if orders.empty:
        empty = pd.DataFrame(index=pd.Index([], name="product_id"))
        return MarketContext(cutoff, lookback_days, empty, pd.DataFrame(), pd.Series(dtype=float))
    retailers = _retailer_value(orders).join(retailer_attributes(past))
    segments = retailers.groupby("segment").agg(
        segment_retailer_count=("retailer_total_value", "size"),
        segment_mean_value=("retailer_total_value", "mean"),
    )
    cities = retailers.groupby("city").size().rename("city_retailer_count")
    horizon_part = horizon_context(orders) if horizon else None
    return MarketContext(cutoff, lookback_days, _products(past, orders), segments, cities, horizon_part)


def _retailer_value(orders: pd.DataFrame) -> pd.DataFrame:
    return orders.groupby("retailer_id")["value"].sum().rename("retailer_total_value").to_frame()


def retailer_attributes(past: pd.DataFrame) -> pd.DataFrame:
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
