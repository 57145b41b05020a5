"""Co-purchase lift between products, for bundles ("often bought with X") and as a candidate source."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import Generator, dense_rows
from .data import TrainingData

BUNDLE_COLUMNS = ("product_id", "score", "lift", "together", "reason")


class CoPurchaseLift(Generator):
    """Lift P(a and b in one basket) / (P(a) P(b)) over baskets (one shop's lines on one day).

    Pairs seen together in fewer than ``min_together`` baskets, or with a lift of 1 or less, are dropped, and the score shrinks the lift towards
    zero by ``together / (together + shrink)`` so that two rare products seen together twice do not top every list;
    each product keeps its ``neighbours`` best partners. As a candidate source it starts from the products of the
    shop's last ``recent_baskets`` baskets.
    """

    name = "co_purchase"
    params = ("min_together", "shrink", "neighbours", "recent_baskets")
    arrays = ("score_", "lift_", "together_", "recent_")

    def __init__(self, min_together: int = 3, shrink: float = 5.0, neighbours: int = 100, recent_baskets: int = 3):
        self.min_together = min_together
        self.shrink = shrink
        self.neighbours = neighbours
        self.recent_baskets = recent_baskets

    def _fit(self, data: TrainingData) -> None:
        b = data.baskets
        basket = b.groupby(["r", "date"], sort=False).ngroup().to_numpy()
        n_baskets = int(basket.max()) + 1
        incidence = sp.csr_matrix((np.ones(len(b), dtype=np.float32), (basket, b["p"])), (n_baskets, data.n_products))
        incidence.data[:] = 1.0
        together = (incidence.T @ incidence).tocoo()
        off = (together.row != together.col) & (together.data >= self.min_together)
        rows, cols, both = together.row[off], together.col[off], together.data[off]
        support = np.asarray(incidence.sum(axis=0)).ravel()
        lift = both * n_baskets / (support[rows] * support[cols])
        positive = lift > 1.0  # bought together no more often than by chance is no bundle
        rows, cols, both, lift = rows[positive], cols[positive], both[positive], lift[positive]
        score = lift * both / (both + self.shrink)
        keep = _top_per_row(rows, score, self.neighbours)
        shape = (data.n_products, data.n_products)
        self.score_ = sp.csr_matrix((score[keep], (rows[keep], cols[keep])), shape=shape, dtype=np.float32)
        self.lift_ = sp.csr_matrix((lift[keep], (rows[keep], cols[keep])), shape=shape, dtype=np.float32)
        self.together_ = sp.csr_matrix((both[keep], (rows[keep], cols[keep])), shape=shape, dtype=np.float32)
        rank = b[["r", "date"]].drop_duplicates().groupby("r")["date"].rank(method="dense", ascending=False)
        recent_days = b[["r", "date"]].drop_duplicates().assign(rank=rank.to_numpy())
        recent_days = recent_days[recent_days["rank"] <= self.recent_baskets]
        recent = b.merge(recent_days[["r", "date"]], on=["r", "date"])
        self.recent_ = sp.csr_matrix(
            (np.ones(len(recent), dtype=np.float32), (recent["r"], recent["p"])),
            shape=(len(data.retailer_ids), data.n_products),
        )
        self.recent_.data[:] = 1.0

    def score(self, retailer_ids) -> np.ndarray:
        return dense_rows(self.recent_, self._rows(retailer_ids), self.score_)

    def explain(self, retailer_id, product_ids) -> list[str]:
        row = int(self._rows([retailer_id])[0])
        anchors = self.recent_[row].indices if row >= 0 else np.array([], dtype=int)
        return self._reasons(anchors, self._products(product_ids))

    def _reasons(self, anchors: np.ndarray, products: np.ndarray) -> list[str]:
        if len(anchors) == 0:
            return ["often bought together with your recent orders"] * len(products)
        scores = self.score_[anchors][:, products].toarray()
        best = anchors[np.argmax(scores, axis=0)]
        lifts = _lookup(self.lift_, best, products)
        return [
            f"often bought with {self.product_names_[a]} (lift {lift:.1f})"
            if lift > 0
            else "bought by shops like yours"
            for a, lift in zip(best, lifts, strict=True)
        ]

    def bundle(self, products, *, k: int = 10, exclude=()) -> pd.DataFrame:
        """Products often bought with an anchor product or with a whole cart (``products``), best first, with
        :data:`BUNDLE_COLUMNS`; the cart itself and ``exclude`` are left out."""
        anchors = self._products(products)
        anchors = anchors[anchors >= 0]
        if len(anchors) == 0:
            return pd.DataFrame(columns=list(BUNDLE_COLUMNS))
        scores = np.asarray(self.score_[anchors].sum(axis=0)).ravel()
        blocked = np.concatenate([anchors, self._products(list(exclude))]) if len(exclude) else anchors
        scores[blocked[blocked >= 0]] = 0.0
        order = np.argsort(-scores, kind="stable")[:k]
        order = order[scores[order] > 0]
        best = anchors[np.argmax(self.score_[anchors][:, order].toarray(), axis=0)] if len(order) else order
        return pd.DataFrame(
            {
                "product_id": self.product_ids_[order],
                "score": scores[order].astype(float),
                "lift": _lookup(self.lift_, best, order).astype(float),
                "together": _lookup(self.together_, best, order).astype(int),
                "reason": self._reasons(anchors, order),
            },
            columns=list(BUNDLE_COLUMNS),
        )


def _top_per_row(rows: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores within each row."""
    order = np.lexsort((-score, rows))
    rank = np.arange(len(order)) - np.searchsorted(rows[order], rows[order])
    return np.sort(order[rank < k])


def _lookup(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows[i], cols[i]]`` for each i, as a flat array."""
    return np.array([matrix[int(r), int(c)] for r, c in zip(rows, cols, strict=True)], dtype=np.float64)
