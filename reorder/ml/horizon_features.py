"""Horizon-aware features and co-occurrence with the products a shop is due for, added to the pair features of
:mod:`reorder.ml.features`.

For each window ``w`` of :data:`WINDOWS` (the model horizons):

* ``horizon_product_within_{w}d``: the share of the product's repurchase intervals, across every shop, of at most
  ``w`` days (shrunk towards all products' share when the product has few intervals). The pair-free answer to
  "is this a product people rebuy within the horizon at all".
* ``horizon_pair_gamma_{w}d``: the chance the pair's next order falls within ``w`` days, given the days it has
  already waited, under a gamma model of its intervals: the mean is the pair's own mean interval shrunk towards
  the product's, the shape comes from how regular the product's buyers are (the mean squared coefficient of
  variation of their intervals). ``P(T <= s + w | T > s)``; a pair with no interval borrows the product's mean.
* ``cooc_due_{w}d`` and ``cooc_due_lift_{w}d``: how often the product shares a basket with the shop's other
  products, weighted by how due each of them is. With ``u_d`` the gamma chance above for the shop's product ``d``
  and ``P(p | d)`` the share of baskets (a shop's orders of one day) holding ``d`` that also hold ``p``,
  ``sum_d u_d P(p | d) / sum_d u_d`` over the shop's products ``d != p``; the lift divides it by ``P(p)``, the
  product's share of all baskets. A product that travels with what is due now is likely in the next order too.

What compares a pair with the marketplace (the product's intervals across shops, the basket co-occurrence counts)
is a :class:`HorizonContext`, computed once from every shop's orders before the cutoff and carried by the market
context; a pair's features need only its own shop's orders and the context, so one shop is served from its own
lines, and training (which computes the context from the whole history) gets the same rows.

Everything is counted from the orders passed in, which :func:`reorder.ml.features.features_from_valid_history`
builds from lines strictly before the cutoff, so baskets on or after it cannot leak in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import gammaincc

from reorder.ml.segments import Segments

WINDOWS = (14, 30)
INTERVAL_SHRINK = 5.0  # intervals' worth of pull towards all products' share, for products with few intervals
MEAN_SHRINK = 2.0  # intervals' worth of pull of the pair's mean interval towards the product's
SHAPE_BOUNDS = (0.3, 20.0)  # gamma shapes outside this are noise of a few intervals, not rhythm
DENSE_PRODUCTS = 6_000  # up to this many products the co-occurrence counts are held dense (at most 144 MB)
SHOP_CHUNK = 512  # shops per sparse product: bounds the memory of the co-occurrence scores

HORIZON_PREFIXES = ("horizon_product_within_", "horizon_pair_gamma_")
COOCCURRENCE_PREFIXES = ("cooc_due_",)


@dataclass(frozen=True)
class HorizonContext:
    """What the horizon features compare a pair with, across every shop, at one cutoff.

    ``products`` (index ``product_id``): each product's mean repurchase interval, the regularity of its buyers
    (``product_cv2``) and its share of intervals within each window (``within_{w}d``), already shrunk; ``pooled``:
    the same for all products together, for a product the context has not seen. ``cooccurrence`` counts the
    baskets (a shop's orders of one day) holding both products, rows and columns in the order of
    ``basket_products``, its diagonal each product's baskets; ``n_baskets`` is the number of baskets. Sparse, with
    one entry per pair of products ever bought together, so it is small beside the order lines it sums."""

    windows: tuple[int, ...]
    products: pd.DataFrame
    pooled: pd.Series
    basket_products: pd.Index
    cooccurrence: sparse.csr_matrix
    n_baskets: int


def uses_horizon_features(feature_names: list[str]) -> bool:
    """Whether a model was trained with these features (so serving must compute them too)."""
    return any(name.startswith(HORIZON_PREFIXES + COOCCURRENCE_PREFIXES) for name in feature_names)


def horizon_context(orders: pd.DataFrame, windows: tuple[int, ...] = WINDOWS) -> HorizonContext:
    """The :class:`HorizonContext` of every shop's ``orders`` (one row per pair and day, as
    :func:`reorder.ml.features.features_from_valid_history` builds them from the lines before the cutoff)."""
    windows = tuple(windows)
    products, pooled = _product_interval_stats(orders, _pair_stats(orders), windows)
    basket_products, cooccurrence, n_baskets = _cooccurrence_counts(orders)
    return HorizonContext(windows, products, pooled, basket_products, cooccurrence, n_baskets)


def horizon_features(
    orders: pd.DataFrame, windows: tuple[int, ...] = WINDOWS, *, context: HorizonContext | None = None
) -> pd.DataFrame:
    """One row per ``pair`` (with ``retailer_id`` and ``product_id``) and the columns of the module docstring.

    ``orders`` is one row per pair and day with ``pair``, ``retailer_id``, ``product_id``, ``date``, ``days_ago``
    and ``interval`` (days since the pair's previous order), as
    :func:`reorder.ml.features.features_from_valid_history` builds it. Without ``context`` they are every shop's
    and the context comes from them; with one, they may be some shops' only (each shop's every order).
    """
    windows = tuple(windows)
    if context is None:
        context = horizon_context(orders, windows)
    elif context.windows != windows:
        raise ValueError(f"the horizon context is of windows {context.windows}, the features of {windows}")
    return pd.DataFrame(horizon_columns(orders, context))


def horizon_columns(orders: pd.DataFrame, context: HorizonContext) -> dict[str, np.ndarray]:
    """What :func:`horizon_features` returns, as arrays (``pair`` in order, its keys, the columns), so the pair
    features add them without a join."""
    pair_stats = _pair_stats(orders)
    pairs: dict[str, np.ndarray] = {name: pair_stats[name].to_numpy() for name in pair_stats.columns}
    # Each pair's product's figures from the context; a product it has not seen takes the pooled ones.
    rows = context.products.index.get_indexer(pairs["product_id"])
    for name in context.products.columns:
        known = context.products[name].to_numpy(dtype=float)
        pairs[name] = np.where(rows >= 0, known[rows], float(context.pooled[name]))
    out = {"pair": pair_stats.index.to_numpy(), "retailer_id": pairs["retailer_id"], "product_id": pairs["product_id"]}
    for window in context.windows:
        out[f"horizon_product_within_{window}d"] = pairs[f"within_{window}d"]
    gamma = _gamma_within(pairs, context.windows)
    for window in context.windows:
        out[f"horizon_pair_gamma_{window}d"] = gamma[window]
    for window, (cond, lift) in _cooccurrence_with_due(pairs, gamma, context).items():
        out[f"cooc_due_{window}d"] = cond
        out[f"cooc_due_lift_{window}d"] = lift
    return out


def _pair_stats(orders: pd.DataFrame) -> pd.DataFrame:
    """Per pair (index ``pair``, in order): its keys, days since its last order and its intervals' sums."""
    if not orders["pair"].is_monotonic_increasing:  # the features' orders are; a hand-built frame may not be
        orders = orders.sort_values("pair", kind="stable")
    runs = Segments(orders["pair"].to_numpy())
    interval = orders["interval"].to_numpy(dtype=float)
    present = ~np.isnan(interval)
    n_intervals = runs.sum(present)
    pairs = pd.DataFrame(
        {
            "retailer_id": runs.first_of(orders["retailer_id"].to_numpy()),
            "product_id": runs.first_of(orders["product_id"].to_numpy()),
            "since": runs.min(orders["days_ago"].to_numpy(dtype=float)),
            "interval_sum": runs.sum(interval),
            "interval_sq_sum": runs.sum(interval**2),
            "n_intervals": n_intervals.astype(np.int64),
        },
        index=pd.Index(runs.first_of(orders["pair"].to_numpy()), name="pair"),
    )
    mean = pairs["interval_sum"] / pairs["n_intervals"].clip(lower=1)
    pairs["interval_var"] = (pairs["interval_sq_sum"] / pairs["n_intervals"].clip(lower=1) - mean**2).clip(lower=0)
    return pairs


def _product_interval_stats(
    orders: pd.DataFrame, pairs: pd.DataFrame, windows: tuple[int, ...]
) -> tuple[pd.DataFrame, pd.Series]:
    """Every product's interval figures (index ``product_id``, one row per product of ``orders``) and the pooled
    figures a product without intervals takes."""
    intervals = orders.loc[orders["interval"].notna(), ["product_id", "interval"]]
    by_product = intervals.groupby("product_id")["interval"]
    stats = pd.DataFrame({"product_mean_interval": by_product.mean(), "product_n_intervals": by_product.size()})
    pooled = {"product_mean_interval": intervals["interval"].mean() if len(intervals) else 30.0}
    for window in windows:
        within = (intervals["interval"] <= window).groupby(intervals["product_id"]).sum()
        pooled[f"within_{window}d"] = (intervals["interval"] <= window).mean() if len(intervals) else 0.0
        stats[f"within_{window}d"] = (within + INTERVAL_SHRINK * pooled[f"within_{window}d"]) / (
            stats["product_n_intervals"] + INTERVAL_SHRINK
        )
    # Regularity of the product's buyers: each pair's squared coefficient of variation, over pairs with 2+ intervals.
    regular = pairs[pairs["n_intervals"] >= 2]
    pair_mean = regular["interval_sum"] / regular["n_intervals"]
    cv2 = (regular["interval_var"] / pair_mean.clip(lower=1) ** 2).groupby(regular["product_id"])
    pooled["product_cv2"] = (
        float(np.nanmean(regular["interval_var"] / pair_mean.clip(lower=1) ** 2)) if len(regular) else 1.0
    )
    n_regular = cv2.size().reindex(stats.index, fill_value=0)
    mean_cv2 = cv2.mean().reindex(stats.index)
    stats["product_cv2"] = (mean_cv2.fillna(0) * n_regular + INTERVAL_SHRINK * pooled["product_cv2"]) / (
        n_regular + INTERVAL_SHRINK
    )
    pooled = pd.Series(pooled, dtype=float)
    stats = stats.drop(columns="product_n_intervals").reindex(pd.Index(pairs["product_id"].unique(), name="product_id"))
    return stats.fillna(pooled)[pooled.index], pooled


def _cooccurrence_counts(orders: pd.DataFrame) -> tuple[pd.Index, sparse.csr_matrix, int]:
    """The products (sorted), the baskets holding both of two products, and the number of baskets."""
    product_codes, products = pd.factorize(orders["product_id"], sort=True)
    shop_of_order, _ = pd.factorize(orders["retailer_id"], sort=False)
    if not len(orders):
        return pd.Index(products), sparse.csr_matrix((0, 0), dtype=np.float32), 0
    day = (orders["date"] - orders["date"].min()).dt.days.to_numpy(dtype=np.int64)
    basket_codes, _ = pd.factorize(shop_of_order.astype(np.int64) * (int(day.max()) + 1) + day)
    n_baskets, n_products = int(basket_codes.max()) + 1, len(products)
    baskets = sparse.csr_matrix(
        (np.ones(len(orders), dtype=np.float32), (basket_codes, product_codes)), shape=(n_baskets, n_products)
    )
    together = (baskets.T @ baskets).tocsr()  # baskets holding both products; the diagonal, each one's baskets
    together.sort_indices()
    return pd.Index(products), together, n_baskets


def _gamma_within(pairs: Mapping[str, np.ndarray], windows: tuple[int, ...]) -> dict[int, np.ndarray]:
    interval_sum, n_intervals = np.asarray(pairs["interval_sum"], dtype=float), np.asarray(pairs["n_intervals"])
    product_mean = np.asarray(pairs["product_mean_interval"], dtype=float)
    mean = np.maximum((interval_sum + MEAN_SHRINK * product_mean) / (n_intervals + MEAN_SHRINK), 1.0)
    shape = np.clip(1.0 / np.maximum(np.asarray(pairs["product_cv2"], dtype=float), 1e-6), *SHAPE_BOUNDS)
    scale = mean / shape
    since = np.asarray(pairs["since"], dtype=float)
    survive = gammaincc(shape, since / scale)
    out = {}
    for window in windows:
        survive_after = gammaincc(shape, (since + window) / scale)
        with np.errstate(divide="ignore", invalid="ignore"):
            conditional = 1.0 - survive_after / survive
        # Far in the tail both survivals underflow; there the gamma hazard tends to 1 / scale.
        tail = 1.0 - np.exp(-window / scale)
        out[window] = np.where(survive > 1e-12, np.clip(conditional, 0.0, 1.0), tail)
    return out


def _cooccurrence_with_due(
    pairs: Mapping[str, np.ndarray], due: dict[int, np.ndarray], context: HorizonContext
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per window and pair (in ``pairs`` order): the due-weighted mean of ``P(product | d)`` over the shop's other
    products ``d``, and the same over ``P(product)``. Only the context's counts between the products of the shops
    asked about are read, so one shop costs its own products squared, not the catalogue's."""
    shops = pd.Index(pd.unique(pairs["retailer_id"]))
    codes = context.basket_products.get_indexer(pairs["product_id"])
    # A product the context has never seen in a basket shares none: it gets a column of its own, all zero.
    local, pair_products = np.unique(codes, return_inverse=True)
    known = local >= 0
    matrix = sparse.csr_matrix((len(local), len(local)), dtype=np.float32)
    if len(local) == context.cooccurrence.shape[0] and known.all():
        matrix = context.cooccurrence  # every product (the training path): no copy of the counts
    elif known.any():
        block = context.cooccurrence[local[known]][:, local[known]]
        embed = sparse.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (np.flatnonzero(known), np.arange(int(known.sum())))),
            shape=(len(local), int(known.sum())),
        )
        matrix = (embed @ block @ embed.T).tocsr() if not known.all() else block
    in_baskets = np.zeros(len(local))
    in_baskets[known] = context.cooccurrence.diagonal()[local[known]]
    in_baskets_of_pair = in_baskets[pair_products]
    shop_codes = shops.get_indexer(pairs["retailer_id"])
    n_shops, windows, n_products = len(shops), list(due), len(local)
    weights = np.column_stack([np.nan_to_num(np.asarray(due[w], dtype=float)) for w in windows])
    # P(p | d) = together[d, p] / in_baskets[d]: the due weights take the 1 / in_baskets[d], not the matrix. One row
    # per shop and window, so the co-occurrence matrix is read once for every window.
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(in_baskets_of_pair[:, None] > 0, weights / in_baskets_of_pair[:, None], 0.0)
    rows = (shop_codes[:, None] * len(windows) + np.arange(len(windows))).ravel()
    weighted = sparse.csr_matrix(
        (scaled.ravel(), (rows, np.repeat(pair_products, len(windows)))),
        shape=(n_shops * len(windows), n_products),
    )
    score = np.empty((len(pair_products), len(windows)))
    chunk = SHOP_CHUNK * len(windows)
    # Sparse times dense is several times faster than sparse times sparse when the catalogue is small enough.
    matrix = matrix.toarray() if n_products <= DENSE_PRODUCTS else matrix
    for start in range(0, n_shops * len(windows), chunk):
        block = weighted[start : start + chunk] @ matrix
        block = block if isinstance(block, np.ndarray) else block.toarray()
        in_block = (shop_codes >= start // len(windows)) & (shop_codes < (start + chunk) // len(windows))
        local_rows = shop_codes[in_block] * len(windows) - start
        for k in range(len(windows)):
            score[in_block, k] = block[local_rows + k, pair_products[in_block]]
    out = {}
    base_rate = in_baskets_of_pair / max(context.n_baskets, 1)
    for k, window in enumerate(windows):
        total = np.bincount(shop_codes, weights=weights[:, k], minlength=n_shops)[shop_codes]
        # The product's own term (P(p | p) = 1 times its own weight) leaves the mean: it is about the others.
        own = np.where(in_baskets_of_pair > 0, weights[:, k], 0.0)
        others = total - weights[:, k]
        conditional = np.where(others > 1e-9, (score[:, k] - own) / np.maximum(others, 1e-9), 0.0)
        # A mean of shares lies in [0, 1]; taking the own term back out of the sum can leave an ulp on either side,
        # which a small sum of the others' weights magnifies past the feature set's bounds.
        conditional = np.clip(conditional, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lift = np.where(base_rate > 0, conditional / base_rate, 0.0)
        out[window] = (conditional, lift)
    return out
