"""Collaborative filtering on implicit feedback: ALS from the ``implicit`` library, and item-item kNN.

Both read the recency-weighted, log-compressed basket counts of :class:`~recommendations.ml.data.TrainingData` as
confidence, so a product bought every week lately outweighs one bought once a year ago.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from .base import Generator, dense_rows
from .data import TrainingData


class ImplicitALS(Generator):
    """Matrix factorisation of the confidence matrix (Hu, Koren and Volinsky 2008) by ``implicit``'s CPU ALS.

    ``num_threads`` is explicit and BLAS is held to one thread during the fit: ``implicit`` runs its own threads,
    and a second pool inside BLAS oversubscribes a small machine.
    """

    name = "implicit_als"
    params = ("factors", "regularization", "alpha", "iterations", "num_threads", "random_state")
    arrays = ("user_factors_", "item_factors_", "user_items_")

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 10.0,
        iterations: int = 15,
        num_threads: int = 1,
        random_state: int = 0,
    ):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.num_threads = num_threads
        self.random_state = random_state

    def _fit(self, data: TrainingData) -> None:
        from implicit.cpu.als import AlternatingLeastSquares

        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                num_threads=self.num_threads,
                random_state=self.random_state,
            )
            model.fit(data.confidence.tocsr(), show_progress=False)
        self.user_factors_ = np.asarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.asarray(model.item_factors, dtype=np.float32)
        self.user_items_ = data.confidence.tocsr()

    def score(self, retailer_ids) -> np.ndarray:
        rows = self._rows(retailer_ids)
        users = np.where(rows[:, None] >= 0, self.user_factors_[np.maximum(rows, 0)], 0.0)
        return users @ self.item_factors_.T

    def explain(self, retailer_id, product_ids) -> list[str]:
        row = int(self._rows([retailer_id])[0])
        bought = self.user_items_[row].indices if row >= 0 else np.array([], dtype=int)
        if len(bought) == 0:
            return ["shops that buy like you buy it"] * len(product_ids)
        targets = self.item_factors_[self._products(product_ids)]
        own = self.item_factors_[bought]
        similarity = _cosine(targets, own)
        nearest = bought[np.argmax(similarity, axis=1)]
        return [f"shops that buy like you, and buy {self.product_names_[p]}, buy it" for p in nearest]


class ItemKNN(Generator):
    """Item-item cosine similarity over shops, keeping each product's ``neighbours`` nearest (Deshpande and
    Karypis 2004); a shop's score for a product sums the similarities to what it buys, weighted by confidence."""

    name = "item_knn"
    params = ("neighbours", "shrink")
    arrays = ("similarity_", "user_items_")

    def __init__(self, neighbours: int = 100, shrink: float = 10.0):
        self.neighbours = neighbours
        self.shrink = shrink

    def _fit(self, data: TrainingData) -> None:
        items = data.confidence.T.tocsr()  # products x shops
        norms = np.sqrt(np.asarray(items.multiply(items).sum(axis=1)).ravel())
        rows, cols, values = [], [], []
        block = 512
        for start in range(0, items.shape[0], block):
            stop = min(start + block, items.shape[0])
            dots = (items[start:stop] @ items.T).toarray()
            dots /= norms[start:stop, None] * norms[None, :] + self.shrink
            dots[np.arange(stop - start), np.arange(start, stop)] = 0.0
            k = min(self.neighbours, dots.shape[1] - 1)
            if k <= 0:
                continue
            top = np.argpartition(-dots, k - 1, axis=1)[:, :k]
            picked = np.take_along_axis(dots, top, axis=1)
            keep = picked > 0
            rows.append(np.repeat(np.arange(start, stop), k).reshape(-1, k)[keep])
            cols.append(top[keep])
            values.append(picked[keep])
        n = items.shape[0]
        if rows:
            matrix = sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
        else:
            matrix = sp.csr_matrix((n, n))
        self.similarity_ = matrix.astype(np.float32)
        self.user_items_ = data.confidence.tocsr()

    def score(self, retailer_ids) -> np.ndarray:
        rows = self._rows(retailer_ids)
        return dense_rows(self.user_items_, rows, self.similarity_)

    def explain(self, retailer_id, product_ids) -> list[str]:
        row = int(self._rows([retailer_id])[0])
        if row < 0:
            return ["bought with products shops like yours buy"] * len(product_ids)
        history = self.user_items_[row]
        contributions = (self.similarity_[history.indices][:, self._products(product_ids)]).toarray()
        contributions *= history.data[:, None]
        nearest = history.indices[np.argmax(contributions, axis=0)] if len(history.indices) else []
        return [f"shops that buy {self.product_names_[p]} buy it too" for p in nearest]


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / (np.linalg.norm(a, axis=1, keepdims=True) + 1e-9)
    b = b / (np.linalg.norm(b, axis=1, keepdims=True) + 1e-9)
    return a @ b.T
