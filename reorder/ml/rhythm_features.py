"""Features of repeat consumption and rhythm, added to the pair features of :mod:`reorder.ml.features`.

* Time-decayed repeat scores (the personal part of next-basket models such as TIFU-KNN): each of the shop's
  baskets weighs ``DECAY ** (baskets since)``, and a pair's score is the weight of the baskets that held it,
  divided by the weight of all the shop's baskets (the share of the shop's recent baskets with the product).
* Each product's repurchase-interval distribution across shops: how likely a pair that has waited ``s`` days
  since its last order is to order within the next ``w`` days, read from every shop's intervals for the product
  (an empirical hazard, shrunk towards all products' when a product has few intervals).
* The shop's own rhythm, the same hazard over the gaps between its baskets: will it order anything at all within
  ``w`` days; times the repeat share, a two-stage score (whether the shop orders x which products given an order).
* The shop's ordering weekdays: the share of its baskets on the cutoff's weekday, and how spread its weekdays are.

Windows are fixed (:data:`WINDOWS`), not the model's horizons, so the same columns serve every horizon.

They are off by default (``rhythm_features`` training option): on Online Retail they raised LightGBM's test PR AUC
by 4% but lowered its validation ROC AUC and PR AUC and its test ROC AUC, and they cost feature time at every
cutoff (docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WINDOWS = (7, 14, 30)
DECAY = 0.8  # per basket: the tenth-last basket weighs about a ninth of the last one
SHRINK = 5.0  # intervals' worth of pull towards the pooled hazard, for products and shops with few intervals
MAX_DAYS = 100_000  # larger than any interval in days: packs (group, days) into one sortable number


RHYTHM_COLUMNS = ("repeat_score_decay", "retailer_order_hazard_14d", "product_interval_hazard_14d")


def uses_rhythm_features(feature_names: list[str]) -> bool:
    """Whether a model was trained with these features (so serving must compute them too)."""
    return any(name in feature_names for name in RHYTHM_COLUMNS)


def add_rhythm_features(features: pd.DataFrame, orders: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """``features`` (one row per pair, with ``pair``) joined with the columns described in the module docstring.

    ``orders`` is one row per pair and day with ``pair``, ``days_ago`` and ``interval`` (days since the pair's
    previous order), as :func:`reorder.ml.features.features_from_valid_history` builds it.
    """
    baskets = _baskets(orders)
    features = features.merge(_repeat_scores(orders, baskets), on="pair", how="left")
    features = _product_interval_hazards(features, orders)
    features = features.merge(_retailer_rhythm(baskets, cutoff), on="retailer_id", how="left")
    for window in WINDOWS:
        features[f"two_stage_{window}d"] = features[f"retailer_order_hazard_{window}d"] * features["repeat_share_decay"]
    return features


def _baskets(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per shop and order day, most recent first, with its rank from the last and the gap before it."""
    baskets = orders.drop_duplicates(["retailer_id", "date"])[["retailer_id", "date", "days_ago"]]
    baskets = baskets.sort_values(["retailer_id", "date"], kind="stable").reset_index(drop=True)
    grouped = baskets.groupby("retailer_id", sort=False)
    baskets["rank_from_last"] = grouped.cumcount(ascending=False)
    baskets["gap"] = grouped["date"].diff().dt.days.astype(float)
    baskets["weight"] = DECAY ** baskets["rank_from_last"].to_numpy(dtype=float)
    return baskets


def _repeat_scores(orders: pd.DataFrame, baskets: pd.DataFrame) -> pd.DataFrame:
    weights = orders[["pair", "retailer_id", "date"]].merge(
        baskets[["retailer_id", "date", "weight", "rank_from_last"]], on=["retailer_id", "date"], how="left"
    )
    total = baskets.groupby("retailer_id", sort=False)["weight"].sum()
    by_pair = weights.groupby("pair", sort=False)
    out = pd.DataFrame({"repeat_score_decay": by_pair["weight"].sum()})
    out["repeat_share_decay"] = out["repeat_score_decay"] / by_pair["retailer_id"].first().map(total)
    # How many of the shop's baskets have passed since this product was last in one.
    out["baskets_since_pair_order"] = by_pair["rank_from_last"].min()
    n_baskets = baskets.groupby("retailer_id", sort=False).size()
    out["pair_basket_share"] = by_pair.size() / by_pair["retailer_id"].first().map(n_baskets)
    return out.reset_index()


def _product_interval_hazards(features: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    intervals = orders.loc[orders["interval"].notna(), ["product_id", "interval"]]
    by_product = intervals.groupby("product_id")["interval"]
    stats = pd.DataFrame(
        {
            "product_interval_median": by_product.median(),
            "product_interval_p25": by_product.quantile(0.25),
            "product_interval_p75": by_product.quantile(0.75),
            "product_n_intervals": by_product.size(),
        }
    )
    features = features.merge(stats, on="product_id", how="left")
    since = features["days_since_last_order"].to_numpy(dtype=float)
    hazards = _hazards(intervals["product_id"], intervals["interval"], features["product_id"], since)
    for window, hazard in hazards.items():
        features[f"product_interval_hazard_{window}d"] = hazard
    features["overdue_vs_product_median"] = since / features["product_interval_median"].clip(lower=1)
    return features


def _retailer_rhythm(baskets: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    by_retailer = baskets.groupby("retailer_id", sort=False)
    out = pd.DataFrame({"retailer_gap_median": by_retailer["gap"].median()})
    since = by_retailer["days_ago"].min()
    gaps = baskets[baskets["gap"].notna()]
    hazards = _hazards(gaps["retailer_id"], gaps["gap"], pd.Series(since.index), since.to_numpy(dtype=float))
    for window, hazard in hazards.items():
        out[f"retailer_order_hazard_{window}d"] = hazard
    weekday = baskets["date"].dt.weekday
    shares = pd.crosstab(baskets["retailer_id"], weekday, normalize="index").reindex(columns=range(7), fill_value=0)
    out["retailer_weekday_share_at_cutoff"] = shares[cutoff.weekday()]
    out["retailer_weekday_concentration"] = (shares**2).sum(axis=1)
    return out.reset_index()


def _hazards(
    groups: pd.Series, values: pd.Series, query_groups: pd.Series, since: np.ndarray, windows=WINDOWS
) -> dict[int, np.ndarray]:
    """P(interval <= since + window | interval > since) per query and window, from the intervals of the query's
    group.

    Counted with one sorted array of (group code, interval) packed into a number, so every query is a binary search
    (queries sorted first: in order, the searches stay in cache); groups with few intervals at risk lean on the
    pooled intervals of all groups.
    """
    codes, uniques = pd.factorize(groups, sort=False)
    query_codes = pd.Index(uniques).get_indexer(query_groups)
    known = query_codes >= 0
    query_codes = np.where(known, query_codes, 0).astype(np.int64)
    values = np.clip(values.to_numpy(dtype=float), 0, MAX_DAYS - 1)
    packed = np.sort(codes.astype(np.int64) * MAX_DAYS + values)
    group_start = np.searchsorted(packed, np.arange(len(uniques), dtype=np.int64) * MAX_DAYS, side="left")
    group_size = np.bincount(codes, minlength=len(uniques))
    pooled = np.sort(values)
    since = np.clip(np.nan_to_num(np.asarray(since, dtype=float)), 0, MAX_DAYS - max(windows) - 1)
    order = np.argsort(query_codes * MAX_DAYS + since, kind="stable")

    def up_to(limit: np.ndarray) -> np.ndarray:
        # Intervals of the query's group no longer than ``limit`` (0 for a group with none).
        keys = (query_codes * MAX_DAYS + limit)[order]
        counts = np.empty(len(keys), dtype=np.int64)
        counts[order] = np.searchsorted(packed, keys, side="right")
        return np.where(known, counts - group_start[query_codes], 0)

    done_before = up_to(since)
    at_risk = np.where(known, group_size[query_codes], 0) - done_before
    pooled_before = np.searchsorted(pooled, since, side="right")
    out = {}
    for window in windows:
        events = up_to(since + window) - done_before
        pooled_events = np.searchsorted(pooled, since + window, side="right") - pooled_before
        prior = pooled_events / np.maximum(len(pooled) - pooled_before, 1)
        out[window] = (events + SHRINK * prior) / (at_risk + SHRINK)
    return out
