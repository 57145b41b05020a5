"""Next-basket and repeat signals: a shop's own time-decayed purchase frequency, and TIFU-KNN."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.neighbors import NearestNeighbors

from .base import Generator, days_phrase, dense_rows
from .data import TrainingData


class PersonalFrequency(Generator):
    """How often the shop bought each product, recent orders weighing more (half-life ``half_life_days``).

    It also keeps the evidence a buyer understands: the number of orders, the typical gap between them and the days
    since the last one, for reasons like "you order it every 3 weeks; last order 25 days ago".
    """

    name = "frequency"
    params = ("half_life_days",)
    arrays = ("decayed_", "orders_", "first_age_", "last_age_")

    def __init__(self, half_life_days: float = 90.0):
        self.half_life_days = half_life_days

    def _fit(self, data: TrainingData) -> None:
        b = data.baskets
        shape = (len(data.retailer_ids), data.n_products)
        grouped = b.groupby(["r", "p"], sort=True)["age"].agg(["size", "min", "max"]).reset_index()
        weight = np.power(0.5, b["age"].to_numpy() / self.half_life_days)
        self.decayed_ = sp.csr_matrix((weight, (b["r"], b["p"])), shape=shape, dtype=np.float32)
        where = (grouped["r"].to_numpy(), grouped["p"].to_numpy())
        self.orders_ = sp.csr_matrix((grouped["size"].to_numpy(np.float32), where), shape=shape)
        # Ages are stored plus one, so that a purchase on the last day (age 0) is not a missing entry.
        self.first_age_ = sp.csr_matrix((grouped["max"].to_numpy(np.float32) + 1, where), shape=shape)
        self.last_age_ = sp.csr_matrix((grouped["min"].to_numpy(np.float32) + 1, where), shape=shape)

    def score(self, retailer_ids) -> np.ndarray:
        return dense_rows(self.decayed_, self._rows(retailer_ids))

    def evidence(self, retailer_ids) -> dict[str, np.ndarray]:
        """Per retailer x product: orders, days since the last one, and the mean gap between orders (NaN if < 2)."""
        rows = self._rows(retailer_ids)
        orders = dense_rows(self.orders_, rows)
        last = dense_rows(self.last_age_, rows) - 1
        first = dense_rows(self.first_age_, rows) - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = np.where(orders >= 2, (first - last) / np.maximum(orders - 1, 1), np.nan)
        return {"orders": orders, "days_since_last": np.where(orders > 0, last, np.nan), "mean_gap": gap}

    def explain(self, retailer_id, product_ids) -> list[str]:
        evidence = self.evidence([retailer_id])
        reasons = []
        for p in self._products(product_ids):
            orders, last, gap = (evidence[key][0, p] for key in ("orders", "days_since_last", "mean_gap"))
            if orders >= 2 and gap >= 1:
                reasons.append(f"you order it every {days_phrase(gap)}; last order {days_phrase(last)} ago")
            elif orders >= 1:
                times = "once" if orders == 1 else f"{int(orders)} times"
                reasons.append(f"you ordered it {times}; last order {days_phrase(last)} ago")
            else:
                reasons.append("not ordered before")
        return reasons


@dataclass(frozen=True)
class TifuParams:
    """TIFU-KNN's parameters (Hu et al., SIGIR 2020): neighbours ``k``, within-basket decay ``r_b``, group decay
    ``r_g``, weight ``alpha`` of the shop's own vector against its neighbours', and the number of groups ``m``."""

    k: int = 300
    r_b: float = 0.9
    r_g: float = 0.7
    alpha: float = 0.7
    m: int = 7


# The settings the authors published per data set (the README of github.com/HaojiHu/TIFUKNN).
TIFU_PRESETS = {
    "tafeng": TifuParams(k=300, r_b=0.9, r_g=0.7, alpha=0.7, m=7),
    "dunnhumby": TifuParams(k=900, r_b=0.9, r_g=0.6, alpha=0.2, m=3),
    "instacart": TifuParams(k=900, r_b=0.9, r_g=0.7, alpha=0.9, m=3),
    "valuedshopper": TifuParams(k=300, r_b=1.0, r_g=0.6, alpha=0.7, m=7),
}


def tifu_user_vector(baskets: list[np.ndarray], n_products: int, params: TifuParams) -> np.ndarray:
    """One shop's repeat vector exactly as the authors' code builds it.

    Each basket is a 0/1 vector decayed by ``r_b`` per basket before the last; the baskets form ``m`` consecutive
    groups (the later groups one basket larger when they do not divide evenly), each averaged; group ``i`` is
    decayed by ``r_g ** (m - 1 - i)`` and the sum divided by the number of groups. With fewer than ``m`` baskets
    each basket is its own group and the decay still counts from ``m``, as in the original.
    """
    n = len(baskets)
    vectors = np.zeros((n, n_products), dtype=np.float64)
    for i, items in enumerate(baskets):
        vectors[i, items] = params.r_b ** (n - 1 - i)
    if n < params.m:
        groups = [vectors[i] for i in range(n)]
    else:
        base, extra = divmod(n, params.m)
        sizes = [base] * (params.m - extra) + [base + 1] * extra
        bounds = np.cumsum([0, *sizes])
        groups = [vectors[bounds[g] : bounds[g + 1]].sum(axis=0) / sizes[g] for g in range(params.m)]
    total = sum(group * params.r_g ** (params.m - 1 - g) for g, group in enumerate(groups))
    return total / len(groups)


class TifuKNN(Generator):
    """TIFU-KNN (Hu, Sun, Zhang, Zhang and Chen, SIGIR 2020): a shop's time-decayed basket vector blended with the
    mean vector of its ``k`` nearest shops (Euclidean, the shop itself included, as in the authors' code)."""

    name = "tifu_knn"
    params = ("preset", "k", "r_b", "r_g", "alpha", "m")
    arrays = ("user_vectors_", "neighbours_")

    def __init__(
        self,
        preset: str | None = None,
        k: int | None = None,
        r_b: float | None = None,
        r_g: float | None = None,
        alpha: float | None = None,
        m: int | None = None,
    ):
        self.preset = preset
        self.k, self.r_b, self.r_g, self.alpha, self.m = k, r_b, r_g, alpha, m

    def tifu_params(self) -> TifuParams:
        base = TIFU_PRESETS[self.preset] if self.preset else TifuParams()
        given = {name: getattr(self, name) for name in ("k", "r_b", "r_g", "alpha", "m")}
        return TifuParams(**{**asdict(base), **{k: v for k, v in given.items() if v is not None}})

    def _fit(self, data: TrainingData) -> None:
        params = self.tifu_params()
        baskets = data.baskets.sort_values(["r", "date"], kind="stable")
        vectors = np.zeros((len(data.retailer_ids), data.n_products), dtype=np.float32)
        for r, shop in baskets.groupby("r", sort=False):
            per_day = [group.to_numpy() for _, group in shop.groupby("date", sort=True)["p"]]
            vectors[r] = tifu_user_vector(per_day, data.n_products, params)
        has_history = vectors.any(axis=1)
        k = max(1, min(params.k, int(has_history.sum())))
        finder = NearestNeighbors(n_neighbors=k, algorithm="brute", n_jobs=1).fit(vectors[has_history])
        neighbours = np.full((len(vectors), k), -1, dtype=np.int32)
        known = np.flatnonzero(has_history)
        neighbours[known] = known[finder.kneighbors(vectors[known], return_distance=False)]
        self.user_vectors_ = sp.csr_matrix(vectors)
        self.neighbours_ = neighbours

    def _parts(self, retailer_ids) -> tuple[np.ndarray, np.ndarray]:
        rows = self._rows(retailer_ids)
        own = dense_rows(self.user_vectors_, rows)
        known = np.flatnonzero(rows >= 0)
        neighbours = self.neighbours_[rows[known]]
        valid = neighbours >= 0
        weights = sp.csr_matrix(
            (
                np.broadcast_to(1.0 / neighbours.shape[1], neighbours.shape)[valid],
                (np.repeat(known, neighbours.shape[1]).reshape(neighbours.shape)[valid], neighbours[valid]),
            ),
            shape=(len(rows), self.user_vectors_.shape[0]),
        )
        others = (weights @ self.user_vectors_).toarray().astype(np.float32)
        return own, others

    def score(self, retailer_ids) -> np.ndarray:
        alpha = self.tifu_params().alpha
        own, others = self._parts(retailer_ids)
        return alpha * own + (1 - alpha) * others

    def explain(self, retailer_id, product_ids) -> list[str]:
        alpha = self.tifu_params().alpha
        own, others = self._parts([retailer_id])
        products = self._products(product_ids)
        return [
            "a regular in your recent orders"
            if alpha * own[0, p] >= (1 - alpha) * others[0, p]
            else "shops whose recent orders look like yours buy it"
            for p in products
        ]
