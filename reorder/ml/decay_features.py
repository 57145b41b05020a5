"""Time-decayed repeat consumption and the shop's ordering rhythm, added to the pair features of
:mod:`reorder.ml.features`.

Everything here is counted from one shop's own order days before the cutoff, with fixed constants and no
statistic pooled across shops, so a shop's rows are the same whether its lines arrive alone (serving one shop) or
with the whole marketplace (training): no market context is needed.

Pair columns (``decay_pair_*``):

* ``decay_pair_score_{h}d``: the pair's order days, each weighing ``0.5 ** (days before the cutoff / h)``, for the
  half-lives ``h`` of :data:`HALF_LIVES`; ``decay_pair_share_{h}d`` divides it by the same sum over the shop's
  order days (its baskets), i.e. the time-decayed share of the shop's baskets that held the product.
* ``decay_pair_tifu``: the personal part of TIFU-KNN (Hu et al., 2020): the shop's baskets, latest first, fall in
  groups of :data:`TIFU_GROUP_SIZE`; a basket weighs ``TIFU_WITHIN ** (its place in its group)`` times
  ``TIFU_BETWEEN ** (its group's place)``, and the pair's score is the weight of the baskets holding the product
  over the weight of all of them (a share in [0, 1]).
* ``decay_pair_baskets_since``: how many of the shop's baskets came after the pair's last one (0: in the last).

Shop columns (``decay_shop_*``):

* ``decay_shop_rate_{h}d``: the shop's orders per day, with the same decay: the decayed count of its baskets after
  its first, over the decayed days since its first basket plus :data:`PRIOR_DAYS` (a young shop is not assumed to
  order daily from one gap).
* ``decay_shop_order_within_{w}d``: stage one of a two-stage model, the chance the shop orders anything within
  ``w`` days for ``w`` in :data:`WINDOWS`, Poisson at the 60-day rate: ``1 - exp(-rate * w)``.
* ``decay_shop_repeat_share`` and ``decay_shop_repeat_share_60d``: the share of the shop's ordered lines (pair
  days) that rebought a product it had bought before, plain and decayed: shops that explore rebuy less.
* ``decay_shop_overdue``: days since the shop's last basket over its median gap between baskets.
* ``decay_shop_weekday_share``: the share of its baskets on the cutoff's weekday (the first day of the horizon),
  ``decay_shop_weekday_concentration`` the sum of squared weekday shares, ``decay_shop_days_to_usual_weekday`` the
  days from the cutoff to its most frequent ordering weekday.

Two stages (``decay_two_stage_{w}d``): stage one above times stage two, the chance the product is in an order
given one, read as its 60-day decayed basket share; as a pair rate, ``1 - exp(-rate * w * share)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HALF_LIVES = (14, 60, 180)  # days: a fortnight, a season, half a year
RATE_HALF_LIFE = 60  # the half-life of the shop rate behind the two-stage columns
WINDOWS = (14, 30)
TIFU_GROUP_SIZE = 7
TIFU_WITHIN = 0.9  # TIFU-KNN's defaults for grocery baskets: within-group and between-group decay
TIFU_BETWEEN = 0.7
PRIOR_DAYS = 30.0  # days of exposure with no order added to every shop's rate

DECAY_PREFIXES = ("decay_",)


def uses_decay_features(feature_names: list[str]) -> bool:
    """Whether a model was trained with these features (so serving must compute them too)."""
    return any(name.startswith(DECAY_PREFIXES) for name in feature_names)


def decay_features(orders: pd.DataFrame, cutoff: pd.Timestamp, windows: tuple[int, ...] = WINDOWS) -> pd.DataFrame:
    """One row per ``pair`` with the columns of the module docstring.

    ``orders`` is one row per pair and day with ``pair``, ``retailer_id``, ``date``, ``days_ago`` and ``interval``
    (days since the pair's previous order, NaN for its first), as
    :func:`reorder.ml.features.features_from_valid_history` builds it from lines strictly before ``cutoff``.
    """
    baskets = _baskets(orders)
    shop = _shop_rhythm(orders, baskets, pd.Timestamp(cutoff), windows)
    weights = orders[["pair", "retailer_id", "date"]].merge(
        baskets.drop(columns=["days_ago"]), on=["retailer_id", "date"], how="left", validate="many_to_one"
    )
    weight_columns = [c for c in baskets.columns if c.startswith("w_")]
    by_pair = weights.groupby("pair", sort=True)
    pair = by_pair[weight_columns].sum()
    retailer = by_pair["retailer_id"].first()
    totals = baskets.groupby("retailer_id", sort=False)[weight_columns].sum().reindex(retailer).to_numpy()
    out = pd.DataFrame(index=pair.index)
    for h in HALF_LIVES:
        out[f"decay_pair_score_{h}d"] = pair[f"w_{h}"]
    shares = pair.to_numpy() / np.maximum(totals, 1e-12)
    for k, column in enumerate(weight_columns):
        name = "decay_pair_tifu" if column == "w_tifu" else f"decay_pair_share_{column[2:]}d"
        out[name] = shares[:, k]
    out["decay_pair_baskets_since"] = by_pair["rank"].min()
    out["retailer_id"] = retailer
    out = out.join(shop, on="retailer_id")
    for window in windows:
        share = out[f"decay_pair_share_{RATE_HALF_LIFE}d"]
        rate = out[f"decay_shop_rate_{RATE_HALF_LIFE}d"]
        out[f"decay_two_stage_{window}d"] = out[f"decay_shop_order_within_{window}d"] * share
        out[f"decay_two_stage_rate_{window}d"] = 1.0 - np.exp(-rate * window * share)
    return out.drop(columns="retailer_id").reset_index()


def _baskets(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per shop and order day, with its rank from the last basket and its decay weights."""
    baskets = orders.drop_duplicates(["retailer_id", "date"])[["retailer_id", "date", "days_ago"]]
    baskets = baskets.sort_values(["retailer_id", "date"], kind="stable").reset_index(drop=True)
    rank = baskets.groupby("retailer_id", sort=False).cumcount(ascending=False).to_numpy()
    baskets["rank"] = rank
    days_ago = baskets["days_ago"].to_numpy(dtype=float)
    for h in HALF_LIVES:
        baskets[f"w_{h}"] = 0.5 ** (days_ago / h)
    baskets["w_tifu"] = TIFU_WITHIN ** (rank % TIFU_GROUP_SIZE) * TIFU_BETWEEN ** (rank // TIFU_GROUP_SIZE)
    return baskets


def _shop_rhythm(
    orders: pd.DataFrame, baskets: pd.DataFrame, cutoff: pd.Timestamp, windows: tuple[int, ...]
) -> pd.DataFrame:
    by_shop = baskets.groupby("retailer_id", sort=True)
    first = by_shop["days_ago"].transform("max").to_numpy(dtype=float)
    since = by_shop["days_ago"].min()
    out = pd.DataFrame(index=since.index)
    later = baskets["days_ago"].to_numpy(dtype=float) < first  # every basket after the shop's first
    age = by_shop["days_ago"].max().to_numpy(dtype=float)
    for h in HALF_LIVES:
        events = pd.Series(np.where(later, baskets[f"w_{h}"], 0.0)).groupby(baskets["retailer_id"]).sum()
        # Days since the first basket, each weighted as an order on it would be: the integral of 0.5 ** (t / h).
        exposure = h / np.log(2) * (1.0 - 0.5 ** (age / h))
        out[f"decay_shop_rate_{h}d"] = events.to_numpy() / (exposure + PRIOR_DAYS)
    for window in windows:
        out[f"decay_shop_order_within_{window}d"] = 1.0 - np.exp(-out[f"decay_shop_rate_{RATE_HALF_LIFE}d"] * window)

    repeat = orders["interval"].notna().to_numpy(dtype=float)
    weight = 0.5 ** (orders["days_ago"].to_numpy(dtype=float) / RATE_HALF_LIFE)
    lines = pd.DataFrame({"repeat": repeat, "w": weight, "wr": weight * repeat}).groupby(
        orders["retailer_id"].to_numpy()
    )
    sums = lines.sum()
    counts = lines.size()
    out["decay_shop_repeat_share"] = (sums["repeat"] / counts).reindex(out.index)
    out["decay_shop_repeat_share_60d"] = (sums["wr"] / sums["w"].clip(lower=1e-12)).reindex(out.index)

    gaps = by_shop["date"].diff().dt.days
    median_gap = gaps.groupby(baskets["retailer_id"]).median().reindex(out.index)
    out["decay_shop_overdue"] = since / median_gap.clip(lower=1)

    # Counted in NumPy: pandas' crosstab cost a shop's answer more than all its other shop columns together.
    counts = np.zeros((len(out), 7))
    np.add.at(counts, (out.index.get_indexer(baskets["retailer_id"]), baskets["date"].dt.weekday.to_numpy()), 1.0)
    shares = pd.DataFrame(counts / counts.sum(axis=1, keepdims=True), index=out.index, columns=range(7))
    out["decay_shop_weekday_share"] = shares[cutoff.weekday()]
    out["decay_shop_weekday_concentration"] = (shares**2).sum(axis=1)
    usual = shares.to_numpy().argmax(axis=1)
    out["decay_shop_days_to_usual_weekday"] = (usual - cutoff.weekday()) % 7
    return out
