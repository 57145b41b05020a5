"""Retailer segments: RFM segments with stable codes, and behavioural clusters named from their centroids.

RFM scores are quintiles (1-5) over the shops with orders. The segment is the first rule a shop meets, in the
order of ``SEGMENT_LABELS`` (see :func:`rfm_segment`), so a code always means the same thing. Clusters are KMeans (seeded) on standardised
behaviour (log order interval, log basket value, categories per order, interval regularity); each cluster is
named from its centroid in words of cadence and basket size ("Weekly stock-up", "Monthly top-up").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .orders import check_lines, order_days, orders_of

SEGMENT_LABELS = {
    "new": "New",
    "lost": "Lost",
    "lapsing": "Lapsing",
    "champion": "Best customers",
    "big_occasional": "Big occasional",
    "loyal": "Loyal regulars",
    "small_frequent": "Small frequent",
    "regular": "Regulars",
    "occasional": "Occasional",
}
FEATURES = ["log_interval", "log_basket", "categories_per_order", "interval_cv"]


def quintile(values: pd.Series, *, reverse: bool = False) -> pd.Series:
    ranks = values.rank(method="average", pct=True, ascending=not reverse)
    return np.ceil(ranks * 5).clip(1, 5).astype(int)


def rfm_table(lines: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    orders = orders_of(lines, as_of)
    days = order_days(orders)
    gaps = days.groupby("retailer_id")["date"].diff().dt.days
    per_shop = (
        days.assign(gap=gaps)
        .groupby("retailer_id")
        .agg(
            first_order=("date", "min"),
            last_order=("date", "max"),
            order_days=("date", "size"),
            mean_interval_days=("gap", "mean"),
            interval_sd=("gap", "std"),
        )
    )
    year = orders[orders["date"] >= as_of - pd.Timedelta(days=365)]
    per_shop["frequency"] = year.groupby("retailer_id").size().reindex(per_shop.index, fill_value=0)
    per_shop["monetary"] = year.groupby("retailer_id")["value"].sum().reindex(per_shop.index, fill_value=0.0)
    per_shop["basket_value"] = orders.groupby("retailer_id")["value"].mean()
    per_shop["recency_days"] = (as_of - per_shop["last_order"]).dt.days
    per_shop["tenure_days"] = (as_of - per_shop["first_order"]).dt.days
    before = lines[lines["date"] < as_of]
    breadth = before.groupby(["retailer_id", "order_id"])["category"].nunique().groupby("retailer_id").mean()
    per_shop["categories_per_order"] = breadth.reindex(per_shop.index).fillna(0.0)
    per_shop["r_score"] = quintile(per_shop["recency_days"], reverse=True)
    per_shop["f_score"] = quintile(per_shop["frequency"])
    per_shop["m_score"] = quintile(per_shop["monetary"])
    return per_shop


def rfm_segment(row: pd.Series, median_basket: float) -> str:
    interval = row["mean_interval_days"] if np.isfinite(row["mean_interval_days"]) else np.nan
    if row["tenure_days"] <= 60 or row["order_days"] < 3:
        return "new"
    usual = interval if np.isfinite(interval) else 30.0
    if row["recency_days"] > max(90.0, 4 * usual):
        return "lost"
    if row["recency_days"] > max(14.0, 2 * usual):
        return "lapsing"
    if row["r_score"] >= 4 and row["f_score"] >= 4 and row["m_score"] >= 4:
        return "champion"
    if row["f_score"] <= 2 and row["basket_value"] >= 1.5 * median_basket:
        return "big_occasional"
    if row["f_score"] >= 4:
        return "small_frequent" if row["basket_value"] <= 0.67 * median_basket else "loyal"
    return "regular" if usual <= 45 else "occasional"


def cadence_word(interval_days: float) -> str:
    for limit, word in ((2.5, "Daily"), (10, "Weekly"), (20, "Fortnightly"), (45, "Monthly")):
        if interval_days <= limit:
            return word
    return "Occasional"


def basket_word(ratio: float) -> str:
    return "stock-up" if ratio >= 1.4 else "top-up" if ratio <= 0.7 else "regular"


def cluster_names(centroids: pd.DataFrame, median_basket: float) -> list[str]:
    names = []
    for centroid in centroids.itertuples():
        ratio = float(np.exp(centroid.log_basket)) / max(median_basket, 1e-9)
        name = f"{cadence_word(float(np.exp(centroid.log_interval)))} {basket_word(ratio)}"
        names.append(name)
    # Two clusters with the same words are told apart by breadth, the next feature a person would ask about.
    for name in set(names):
        same = [i for i, n in enumerate(names) if n == name]
        if len(same) > 1:
            order = sorted(same, key=lambda i: centroids.iloc[i]["categories_per_order"])
            for rank, i in enumerate(order):
                names[i] = f"{name}, {'narrow' if rank == 0 else 'broad' if rank == len(order) - 1 else 'mid'} range"
    return names


def cluster_shops(per_shop: pd.DataFrame, *, n_clusters: int, seed: int) -> tuple[np.ndarray, list[str]]:
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    interval = per_shop["mean_interval_days"].fillna(per_shop["tenure_days"].clip(lower=1))
    features = pd.DataFrame(
        {
            "log_interval": np.log(interval.clip(lower=1)),
            "log_basket": np.log1p(per_shop["basket_value"].clip(lower=0)),
            "categories_per_order": per_shop["categories_per_order"],
            "interval_cv": (per_shop["interval_sd"] / interval).fillna(0.0),
        },
        index=per_shop.index,
    )
    k = min(n_clusters, len(features))
    if k < 2:
        labels = np.zeros(len(features), dtype=int)
        centroids = features.mean().to_frame().T
    else:
        scaler = StandardScaler().fit(features)
        model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(scaler.transform(features))
        centroids = pd.DataFrame(scaler.inverse_transform(model.cluster_centers_), columns=FEATURES)
        # Numbered from the most frequent orderers to the least, so cluster 0 means the same kind of shop
        # whatever order KMeans found them in.
        order = np.argsort(centroids["log_interval"].to_numpy(), kind="stable")
        labels = np.argsort(order)[model.labels_]
        centroids = centroids.iloc[order].reset_index(drop=True)
    median_basket = float(np.expm1(features["log_basket"].median()))
    return labels, cluster_names(centroids, median_basket)


def segment_retailers(lines: pd.DataFrame, *, as_of: pd.Timestamp, n_clusters: int = 5, seed: int = 0) -> pd.DataFrame:
    """One row per retailer with an order before ``as_of``.

    Columns: retailer_id, segment (stable code, see SEGMENT_LABELS), segment_label, recency_days, frequency
    (orders in the last 365 days), monetary (their value), r_score, f_score, m_score (1-5), mean_interval_days
    (between order days; NaN with one order day), basket_value (mean order value), categories_per_order,
    cluster (int), cluster_label (e.g. "Weekly stock-up").
    """
    as_of = pd.Timestamp(as_of)
    lines = check_lines(lines)
    per_shop = rfm_table(lines, as_of)
    columns = [
        "retailer_id", "segment", "segment_label", "recency_days", "frequency", "monetary", "r_score", "f_score",
        "m_score", "mean_interval_days", "basket_value", "categories_per_order", "cluster", "cluster_label",
    ]  # fmt: skip
    if per_shop.empty:
        return pd.DataFrame(columns=columns)
    median_basket = float(per_shop["basket_value"].median())
    per_shop["segment"] = [rfm_segment(row, median_basket) for _, row in per_shop.iterrows()]
    per_shop["segment_label"] = per_shop["segment"].map(SEGMENT_LABELS)
    labels, names = cluster_shops(per_shop, n_clusters=n_clusters, seed=seed)
    per_shop["cluster"] = labels
    per_shop["cluster_label"] = [names[i] for i in labels]
    return per_shop.reset_index()[columns]
