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

    Counted over NumPy arrays (integer codes, sorted runs, ``bincount``) rather than pandas group-bys: the same
    function gives the training rows and one shop's serving rows, and the group-bys' fixed cost per call was most
    of a shop's decayed features on demand.
    """
    cutoff = pd.Timestamp(cutoff)
    pair_values, pair = np.unique(orders["pair"].to_numpy(), return_inverse=True)
    shop, shop_values = pd.factorize(orders["retailer_id"].to_numpy(), sort=True)
    date_ns = orders["date"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    days_ago = orders["days_ago"].to_numpy(dtype=float)
    n_pairs, n_shops = len(pair_values), len(shop_values)

    baskets = _Baskets.of(shop, date_ns, days_ago, n_shops)
    weights = baskets.weights()  # one column per half-life, then TIFU's
    row_weights = weights[baskets.of_row]
    pair_sums = np.column_stack([np.bincount(pair, row_weights[:, k], n_pairs) for k in range(weights.shape[1])])
    shop_totals = np.column_stack([np.bincount(baskets.shop, weights[:, k], n_shops) for k in range(weights.shape[1])])
    pair_shop = np.zeros(n_pairs, dtype=np.int64)
    pair_shop[pair] = shop  # a pair is one shop's product: all its rows carry the same shop

    out: dict[str, np.ndarray] = {"pair": pair_values}
    for k, h in enumerate(HALF_LIVES):
        out[f"decay_pair_score_{h}d"] = pair_sums[:, k]
    shares = pair_sums / np.maximum(shop_totals[pair_shop], 1e-12)
    for k, h in enumerate(HALF_LIVES):
        out[f"decay_pair_share_{h}d"] = shares[:, k]
    out["decay_pair_tifu"] = shares[:, len(HALF_LIVES)]
    out["decay_pair_baskets_since"] = _run_min(pair, baskets.rank[baskets.of_row], n_pairs)
    rhythm = _shop_rhythm(orders, baskets, shop, days_ago, n_shops, cutoff, windows)
    for name, values in rhythm.items():
        out[name] = values[pair_shop]
    share = out[f"decay_pair_share_{RATE_HALF_LIFE}d"]
    rate = out[f"decay_shop_rate_{RATE_HALF_LIFE}d"]
    for window in windows:
        out[f"decay_two_stage_{window}d"] = out[f"decay_shop_order_within_{window}d"] * share
        out[f"decay_two_stage_rate_{window}d"] = 1.0 - np.exp(-rate * window * share)
    return pd.DataFrame(out)


_DAY_NS = 86_400_000_000_000


class _Baskets:
    """The shops' baskets (one per shop and order day), sorted by shop then day, with each order row's basket."""

    def __init__(self, shop, date_ns, days_ago, of_row, starts, rank) -> None:
        self.shop, self.date_ns, self.days_ago = shop, date_ns, days_ago
        self.of_row, self.starts, self.rank = of_row, starts, rank

    @classmethod
    def of(cls, shop: np.ndarray, date_ns: np.ndarray, days_ago: np.ndarray, n_shops: int) -> _Baskets:
        order = np.lexsort((date_ns, shop))
        s, d = shop[order], date_ns[order]
        new = np.r_[True, (s[1:] != s[:-1]) | (d[1:] != d[:-1])] if len(s) else np.zeros(0, dtype=bool)
        code = np.cumsum(new) - 1
        of_row = np.empty(len(shop), dtype=np.int64)
        of_row[order] = code
        first_rows = order[new]
        basket_shop = shop[first_rows]
        counts = np.bincount(basket_shop, minlength=n_shops)
        starts = np.r_[0, np.cumsum(counts)[:-1]] if n_shops else np.zeros(0, dtype=np.int64)
        # Rank from the shop's last basket (0: the last), as a descending count within the shop.
        position = np.arange(len(basket_shop)) - starts[basket_shop]
        rank = counts[basket_shop] - 1 - position
        return cls(basket_shop, date_ns[first_rows], days_ago[first_rows], of_row, starts, rank)

    def weights(self) -> np.ndarray:
        columns = [0.5 ** (self.days_ago / h) for h in HALF_LIVES]
        columns.append(TIFU_WITHIN ** (self.rank % TIFU_GROUP_SIZE) * TIFU_BETWEEN ** (self.rank // TIFU_GROUP_SIZE))
        return np.column_stack(columns)


def _run_min(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The smallest of ``values`` per code in ``0..n-1`` (every code present)."""
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    return np.minimum.reduceat(values[order], starts) if n else values[:0]


def _shop_rhythm(
    orders: pd.DataFrame,
    baskets: _Baskets,
    shop: np.ndarray,
    days_ago: np.ndarray,
    n_shops: int,
    cutoff: pd.Timestamp,
    windows: tuple[int, ...],
) -> dict[str, np.ndarray]:
    """The shop columns, one value per shop code."""
    out: dict[str, np.ndarray] = {}
    # Baskets run by shop, oldest first: a shop's first basket (its age, in days ago) and its last.
    first = np.maximum.reduceat(baskets.days_ago, baskets.starts) if n_shops else baskets.days_ago
    since = np.minimum.reduceat(baskets.days_ago, baskets.starts) if n_shops else baskets.days_ago
    later = baskets.days_ago < first[baskets.shop]  # every basket after the shop's first
    for h in HALF_LIVES:
        events = np.bincount(baskets.shop, np.where(later, 0.5 ** (baskets.days_ago / h), 0.0), n_shops)
        # Days since the first basket, each weighted as an order on it would be: the integral of 0.5 ** (t / h).
        exposure = h / np.log(2) * (1.0 - 0.5 ** (first / h))
        out[f"decay_shop_rate_{h}d"] = events / (exposure + PRIOR_DAYS)
    for window in windows:
        out[f"decay_shop_order_within_{window}d"] = 1.0 - np.exp(-out[f"decay_shop_rate_{RATE_HALF_LIFE}d"] * window)

    repeat = orders["interval"].notna().to_numpy(dtype=float)
    weight = 0.5 ** (days_ago / RATE_HALF_LIFE)
    lines = np.bincount(shop, minlength=n_shops)
    out["decay_shop_repeat_share"] = np.bincount(shop, repeat, n_shops) / lines
    decayed = np.bincount(shop, weight, n_shops)
    out["decay_shop_repeat_share_60d"] = np.bincount(shop, weight * repeat, n_shops) / np.maximum(decayed, 1e-12)

    median_gap = _median_gap(baskets, n_shops)
    out["decay_shop_overdue"] = since / np.maximum(median_gap, 1)

    counts = np.zeros((n_shops, 7))
    weekday = (baskets.date_ns // _DAY_NS + 3) % 7  # 1970-01-01 was a Thursday
    np.add.at(counts, (baskets.shop, weekday), 1.0)
    shares = counts / counts.sum(axis=1, keepdims=True)
    out["decay_shop_weekday_share"] = shares[:, cutoff.weekday()]
    out["decay_shop_weekday_concentration"] = (shares**2).sum(axis=1)
    out["decay_shop_days_to_usual_weekday"] = (shares.argmax(axis=1) - cutoff.weekday()) % 7
    return out


def _median_gap(baskets: _Baskets, n_shops: int) -> np.ndarray:
    """The median of the days between a shop's consecutive baskets (NaN for a shop of one basket)."""
    same = baskets.shop[1:] == baskets.shop[:-1]
    gap_shop = baskets.shop[1:][same]
    gaps = (np.diff(baskets.date_ns)[same] // _DAY_NS).astype(float)
    order = np.lexsort((gaps, gap_shop))  # by shop, then gap
    gaps = gaps[order]
    counts = np.bincount(gap_shop, minlength=n_shops)
    starts = np.r_[0, np.cumsum(counts)[:-1]] if n_shops else np.zeros(0, dtype=np.int64)
    median = np.full(n_shops, np.nan)
    has = counts > 0
    low, high = starts[has] + (counts[has] - 1) // 2, starts[has] + counts[has] // 2
    median[has] = (gaps[low] + gaps[high]) / 2
    return median
