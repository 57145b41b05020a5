"""Reorder's features in the feature store: the pair feature set, the offline rows a training cutoff sees and the
online rows of one shop now, from the one function :func:`reorder.ml.features.features_from_valid_history`.

Offline, the function reads the whole marketplace's history. Online, it reads only the shop's own order lines and
a :class:`~reorder.ml.features.MarketContext` (one row per product, segment and city, and the products' repurchase
intervals and basket co-occurrence counts the horizon features compare a pair with) computed once per day and data
version and kept in the cache: the rows are the same (``tests/reorder/test_features_store.py`` proves it), and
a shop's answer reads its few thousand lines instead of every line of the marketplace."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from retailiq.features import Column, FeatureSet, register, validate
from retailiq.features.cache import cached_features
from retailiq.features.spec import columns

from .conf import reorder_settings
from .ml.features import KEYS, MarketContext, features_from_valid_history, market_context
from .ml.history import validate_history
from .ml.horizon_features import WINDOWS
from .selectors import order_history_before

# Shares are quotients of sums taken in different orders (a pair's value over its shop's), so a share of the whole
# may come out a few ulps above 1.
SHARE_MAX = 1.0 + 1e-9

PAIR_FEATURES = register(
    FeatureSet(
        name="reorder.pair",
        keys=tuple(KEYS),
        description="A retailer x product pair at a cutoff: its rhythm, quantities and value, its shop's, and "
        "how both compare with the marketplace, with the horizon and co-occurrence features.",
        # 2: the horizon and co-occurrence columns joined the set, computed from the market context.
        revision=2,
        columns=(
            *columns(
                [
                    "days_since_last_order",
                    "pair_age_days",
                    "n_orders",
                    "interval_mean",
                    "interval_std",
                    "interval_median",
                    "interval_min",
                    "interval_max",
                    "orders_last_30d",
                    "orders_last_60d",
                    "orders_last_90d",
                    "orders_last_180d",
                    "last_interval",
                ],
                minimum=0,
            ),
            *columns(["last_order_weekday_sin", "last_order_weekday_cos"], minimum=-1, maximum=1),
            *columns(["has_interval"], minimum=0, maximum=1),
            *columns(["interval_cv", "overdue_ratio"], minimum=0),
            *columns(["overdue_days", "overdue_z"]),
            *columns(
                [
                    "order_rate_per_30d",
                    "lifetime_quantity",
                    "lifetime_value",
                ],
                minimum=0,
            ),
            *columns(["discount_mean"], minimum=0, maximum=1),
            *columns(
                [
                    "avg_unit_price",
                    "qty_mean_last3",
                    "qty_std_last3",
                    "value_mean_last3",
                    "qty_mean_last5",
                    "qty_std_last5",
                    "value_mean_last5",
                    "qty_mean_last10",
                    "qty_std_last10",
                    "value_mean_last10",
                    "last_quantity",
                    "last_unit_price",
                    "last_price_vs_avg",
                    "qty_last_30d",
                    "qty_last_90d",
                ],
                minimum=0,
            ),
            *columns(["discounted_order_share"], minimum=0, maximum=1),
            *columns(["discount_sensitivity"], minimum=0),
            *columns(["qty_slope_last5", "qty_slope_last5_rel", "orders_momentum_30d"]),
            *columns(
                [
                    "value_momentum_90d",
                    "qty_last3_vs_last10",
                    "last_interval_vs_mean",
                    "retailer_days_since_last_order",
                    "retailer_age_days",
                    "retailer_n_order_days",
                    "retailer_interval_mean",
                    "retailer_order_days_last_30d",
                    "retailer_order_days_last_90d",
                    "retailer_momentum",
                    "retailer_n_products",
                    "retailer_total_value",
                    "retailer_value_last_90d",
                ],
                minimum=0,
            ),
            *columns(["retailer_concentration_hhi"], minimum=0, maximum=SHARE_MAX),
            *columns(
                [
                    "city_retailer_count",
                    "segment_retailer_count",
                    "segment_mean_value",
                    "retailer_value_vs_segment",
                    "product_n_retailers",
                    "product_total_quantity",
                    "product_n_orders",
                    "product_days_since_last_order",
                ],
                minimum=0,
            ),
            *columns(["product_popularity"], minimum=0, maximum=1),
            *columns(["product_orders_last_30d"], minimum=0),
            *columns(["product_reorder_rate"], minimum=0, maximum=1),
            *columns(
                [
                    "product_avg_unit_price",
                    "product_typical_pair_qty",
                    "category_total_quantity",
                    "category_n_products",
                    "vendor_total_quantity",
                ],
                minimum=0,
            ),
            *columns(["product_share_of_category"], minimum=0, maximum=SHARE_MAX),
            *columns(["vendor_n_retailers"], minimum=0),
            *columns(["share_of_wallet"], minimum=0, maximum=SHARE_MAX),
            *columns(["pair_value_last_90d"], minimum=0),
            *columns(["share_of_wallet_last_90d", "share_of_product_volume"], minimum=0, maximum=SHARE_MAX),
            *columns(["qty_vs_typical_buyer", "price_vs_product_avg"], minimum=0),
            *columns(["pair_value_rank_in_retailer"], minimum=0, maximum=1),
            *columns(["pair_recency_vs_retailer", "pair_interval_vs_retailer"], minimum=0),
            *columns(
                [f"horizon_{kind}_{window}d" for kind in ("product_within", "pair_gamma") for window in WINDOWS],
                minimum=0,
                maximum=1,
            ),
            *(
                column
                for window in WINDOWS
                for column in (
                    Column(f"cooc_due_{window}d", minimum=0, maximum=SHARE_MAX),
                    Column(f"cooc_due_lift_{window}d", minimum=0),
                )
            ),
            *columns(
                ["cutoff_month_sin", "cutoff_month_cos", "cutoff_weekday_sin", "cutoff_weekday_cos"],
                minimum=-1,
                maximum=1,
            ),
            *columns(["cutoff_day_of_month", "cutoff_is_month_start", "cutoff_is_month_end"], minimum=0, maximum=1),
        ),
    )
)

MARKETPLACE = "marketplace"


def lookback_days() -> int:
    """How many days before a cutoff its features read: the serving window, so a training cutoff and a serving day
    summarise the same span of history."""
    return reorder_settings().history_days


def offline_pair_features(
    history: pd.DataFrame, cutoff: dt.date | pd.Timestamp, *, decay: bool = False
) -> pd.DataFrame:
    """Every pair's features at ``cutoff`` from a whole-marketplace history (the training path), validated; with
    ``decay``, also the shop-own decayed repeat and rhythm features (reorder.ml.decay_features)."""
    features = features_from_valid_history(
        validate_history(history), pd.Timestamp(cutoff), horizon=True, decay=decay, lookback_days=lookback_days()
    )
    return validate(features, PAIR_FEATURES) if len(features) else features


def market_context_compute(as_of: dt.date) -> MarketContext:
    """The marketplace the pairs are compared with as of ``as_of``, from one read of every shop's lines."""
    history = order_history_before(as_of=as_of, retailer_ids=None)
    return market_context(validate_history(history), pd.Timestamp(as_of), lookback_days=lookback_days(), horizon=True)


def market_context_at(as_of: dt.date) -> MarketContext:
    """The market context as of ``as_of``: computed once per day and data version, then read from the cache by
    every shop, and kept in the process under the same key (one shop's answer would otherwise spend more time
    unpickling the marketplace than computing its own rows)."""
    return cached_features(
        PAIR_FEATURES,
        entity=MARKETPLACE,
        cutoff=as_of,
        compute=lambda: market_context_compute(as_of),
        in_process=True,
    )


def market_context_warm(history: pd.DataFrame, as_of: dt.date) -> None:
    """Cache the day's market context from a whole-marketplace history already read (batch scoring reads it), so
    the shops asked about after the nightly run do not pay for computing it."""
    cached_features(
        PAIR_FEATURES,
        entity=MARKETPLACE,
        cutoff=as_of,
        compute=lambda: market_context(
            validate_history(history), pd.Timestamp(as_of), lookback_days=lookback_days(), horizon=True
        ),
    )


def shop_history(*, retailer_id: int, as_of: dt.date) -> pd.DataFrame:
    """The shop's own lines of the window before ``as_of``: all the online path reads from the order lines."""
    return order_history_before(as_of=as_of, retailer_ids=[retailer_id])


def online_pair_features(
    *, retailer_id: int, as_of: dt.date, history: pd.DataFrame | None = None, decay: bool = False
) -> pd.DataFrame:
    """The shop's pairs' features as of ``as_of`` (the serving path), validated: the shop's lines (``history``
    when already read, else :func:`shop_history`) and the cached market context."""
    if history is None:
        history = shop_history(retailer_id=retailer_id, as_of=as_of)
    return shops_pair_features(history=history, as_of=as_of, context=market_context_at(as_of), decay=decay)


def shops_pair_features(
    *, history: pd.DataFrame, as_of: dt.date, context: MarketContext, decay: bool = False
) -> pd.DataFrame:
    """The pairs' features of the shops whose own lines ``history`` holds, against a market context as of the same
    day: one shop on demand, or a scoring chunk's shops with the context its job computed once."""
    features = features_from_valid_history(
        validate_history(history),
        pd.Timestamp(as_of),
        horizon=True,
        decay=decay,
        context=context,
        lookback_days=lookback_days(),
    )
    return validate(features, PAIR_FEATURES) if len(features) else features
