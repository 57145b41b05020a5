"""Content similarity: category, brand, price band and the TF-IDF of the product name.

Every catalogue product has a content vector, sold or not, and a shop's taste is the confidence-weighted sum of the
vectors of what it bought: a new product and a shop with a single order both get sensible candidates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .base import Generator, dense_rows
from .data import UNKNOWN, TrainingData


def _one_hot(values: pd.Series) -> sp.csr_matrix:
    codes, _ = pd.factorize(values.where(values != UNKNOWN))
    known = codes >= 0
    n_levels = int(codes.max()) + 1 if known.any() else 0
    return sp.csr_matrix(
        (np.ones(known.sum()), (np.flatnonzero(known), codes[known])), shape=(len(values), max(n_levels, 1))
    )


class ContentSimilarity(Generator):
    """Cosine between a shop's taste and each product's content vector.

    Blocks are weighted before the rows are normalised: the name's TF-IDF by ``name_weight``, the category by
    ``category_weight``, the brand by ``brand_weight`` and the price band (``price_bands`` quantiles) by
    ``price_weight``.
    """

    name = "content"
    params = ("name_weight", "category_weight", "brand_weight", "price_weight", "price_bands")
    arrays = ("features_", "user_items_", "buyers_")

    def __init__(
        self,
        name_weight: float = 1.0,
        category_weight: float = 1.0,
        brand_weight: float = 0.5,
        price_weight: float = 0.3,
        price_bands: int = 5,
    ):
        self.name_weight = name_weight
        self.category_weight = category_weight
        self.brand_weight = brand_weight
        self.price_weight = price_weight
        self.price_bands = price_bands

    def _fit(self, data: TrainingData) -> None:
        products = data.products
        names = products["name"].fillna("").astype(str).str.lower()
        tfidf = TfidfVectorizer(token_pattern=r"(?u)\b[a-z][a-z]+\b", min_df=1, sublinear_tf=True)
        try:
            words = tfidf.fit_transform(names)
        except ValueError:  # no word in any name
            words = sp.csr_matrix((len(names), 1))
        prices = products["unit_price"]
        if prices.notna().sum() >= self.price_bands:
            bands = pd.qcut(prices.rank(method="first"), self.price_bands, labels=False).astype("Int64").astype(str)
            bands = bands.where(prices.notna(), UNKNOWN)
        else:
            bands = pd.Series(UNKNOWN, index=products.index)
        blocks = [
            normalize(words) * self.name_weight,
            _one_hot(products["category_id"].astype(str)) * self.category_weight,
            _one_hot(products["brand"].astype(str)) * self.brand_weight,
            _one_hot(bands.astype(str)) * self.price_weight,
        ]
        self.features_ = normalize(sp.hstack(blocks).tocsr()).astype(np.float32)
        self.user_items_ = data.confidence.tocsr()
        self.buyers_ = np.asarray((data.counts > 0).sum(axis=0)).ravel().astype(np.int64)
        self.categories_ = products["category_id"].astype(str).to_numpy(dtype=object)

    def score(self, retailer_ids) -> np.ndarray:
        rows = self._rows(retailer_ids)
        taste = sp.csr_matrix(dense_rows(self.user_items_, rows, self.features_))
        return (normalize(taste) @ self.features_.T).toarray()

    def explain(self, retailer_id, product_ids) -> list[str]:
        row = int(self._rows([retailer_id])[0])
        bought = self.user_items_[row].indices if row >= 0 else np.array([], dtype=int)
        products = self._products(product_ids)
        if len(bought) == 0:
            return ["matches what shops like yours stock"] * len(products)
        similarity = (self.features_[products] @ self.features_[bought].T).toarray()
        nearest = bought[np.argmax(similarity, axis=1)]
        own_categories = set(self.categories_[bought]) - {UNKNOWN}
        reasons = []
        for p, near in zip(products, nearest, strict=True):
            category = self.categories_[p]
            if self.buyers_[p] == 0 and category in own_categories:
                reasons.append(f"new in {category}, a category you buy")
            elif self.buyers_[p] == 0:
                reasons.append(f"new, and like {self.product_names_[near]}, which you buy")
            else:
                reasons.append(f"like {self.product_names_[near]}, which you buy")
        return reasons

    def _extra_header(self) -> dict[str, Any]:
        return {"categories": list(self.categories_)}

    def _restore_header(self, extra: dict[str, Any]) -> None:
        self.categories_ = np.asarray(extra["categories"], dtype=object)
