"""The decayed features, counted over NumPy arrays, equal the pandas group-bys they replaced (kept here as the
reference) to a relative 1e-9, column for column, on seeded histories and at several cutoffs; only the order of
the floating-point sums differs."""

import numpy as np
import pandas as pd
import pytest

from reorder.ml.decay_features import (
    HALF_LIVES,
    PRIOR_DAYS,
    RATE_HALF_LIFE,
    TIFU_BETWEEN,
    TIFU_GROUP_SIZE,
    TIFU_WITHIN,
    WINDOWS,
    decay_features,
)
from reorder.ml.features import orders_before
from reorder.ml.history import validate_history
from tests.reorder.synthetic import periodic_history


def pandas_decay_features(
    orders: pd.DataFrame, cutoff: pd.Timestamp, windows: tuple[int, ...] = WINDOWS
) -> pd.DataFrame:
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


def assert_same(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) > 0
    for name in expected.columns:
        assert got[name].dtype == expected[name].dtype, name
        np.testing.assert_allclose(got[name].to_numpy(), expected[name].to_numpy(), rtol=1e-9, atol=0, err_msg=name)


@pytest.mark.parametrize("seed", [0, 3, 11])
@pytest.mark.parametrize("days_before_end", [1, 45, 120])
def test_numpy_decayed_features_equal_the_pandas_group_bys(seed, days_before_end):
    history = validate_history(periodic_history(n_retailers=40, n_products=15, days=300, seed=seed, churn_share=0.3))
    cutoff = history["date"].max() - pd.Timedelta(days=days_before_end)
    _, orders = orders_before(history, cutoff)
    assert_same(decay_features(orders, cutoff), pandas_decay_features(orders, cutoff))


def test_shops_of_one_basket_and_string_ids_match_too():
    """A shop with one basket has no gap (its overdue is NaN in both); ids need not be integers."""
    day0 = pd.Timestamp("2024-01-01")
    rows = [("s1", "a", 0), ("s1", "b", 0), ("s1", "a", 9), ("s1", "a", 30), ("s2", "c", 3), ("s3", "a", 5)]
    rows += [("s3", "b", 5), ("s3", "a", 12), ("s3", "a", 13), ("s3", "c", 40)]
    frame = pd.DataFrame(rows, columns=["retailer_id", "product_id", "day"])
    frame["date"] = day0 + pd.to_timedelta(frame.pop("day"), unit="D")
    history = validate_history(frame.assign(quantity=1.0, unit_price=1.0))
    cutoff = day0 + pd.Timedelta(days=44)
    _, orders = orders_before(history, cutoff)
    got, expected = decay_features(orders, cutoff), pandas_decay_features(orders, cutoff)
    assert_same(got, expected)
    assert got["decay_shop_overdue"].isna().sum() == 1
