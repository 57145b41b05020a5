"""What serves before any model is trained: popularity for discover, the shop's own most frequent products for
buy again, co-purchase lift for bundles. Fitted on demand from the orders, with the recommender's columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import top_k
from .bundles import CoPurchaseLift
from .data import TrainingData
from .popularity import Popularity
from .recommender import RECOMMENDATION_COLUMNS
from .repeat import PersonalFrequency
from .rules import BusinessRules


class PopularityRecommender:
    """``recommend`` and ``bundle`` as :class:`~recommendations.ml.recommender.Recommender` answers them."""

    algorithm = "popularity"

    def fit(self, orders: pd.DataFrame, products=None, retailers=None) -> PopularityRecommender:
        data = TrainingData.build(orders, products, retailers)
        self.popularity_ = Popularity().fit(data)
        self.frequency_ = PersonalFrequency().fit(data)
        self.lift_ = CoPurchaseLift(min_together=2).fit(data)
        self.data_ = data
        self.generators_ = {CoPurchaseLift.name: self.lift_}
        return self

    def recommend(
        self, retailer_ids, *, kind: str, k: int = 10, rules: BusinessRules | None = None, **_
    ) -> pd.DataFrame:
        if kind not in ("discover", "buy_again"):
            raise ValueError(f"kind must be discover or buy_again, not {kind!r}")
        rules = rules or BusinessRules()
        retailer_ids = list(retailer_ids)
        generator = self.popularity_ if kind == "discover" else self.frequency_
        scores = generator.score(retailer_ids).astype(np.float64)
        rows = self.data_.retailer_positions(retailer_ids)
        bought = np.zeros_like(scores, dtype=bool)
        known = rows >= 0
        bought[known] = self.data_.counts[rows[known]].toarray() > 0
        scores = np.where(bought if kind == "discover" else ~bought, -np.inf, scores)
        r, c = top_k(scores, k * 3)
        pairs = pd.DataFrame(
            {
                "retailer_id": np.asarray(retailer_ids, dtype=object)[r],
                "product_id": generator.product_ids_[c],
                "score": scores[r, c],
            }
        )
        pairs = pairs[rules.allowed(pairs)]
        pairs = pairs.groupby("retailer_id", sort=False).head(k).copy()
        pairs["rank"] = pairs.groupby("retailer_id", sort=False).cumcount() + 1
        reasons = []
        for retailer, group in pairs.groupby("retailer_id", sort=False):
            reasons.extend(zip(group.index, generator.explain(retailer, group["product_id"].to_numpy()), strict=True))
        pairs["reason"] = pd.Series(dict(reasons), dtype=object).reindex(pairs.index)
        pairs["source"] = generator.name
        pairs["kind"] = kind
        return pairs[list(RECOMMENDATION_COLUMNS)].reset_index(drop=True)

    def bundle(self, products, *, k: int = 10, retailer_id=None, rules: BusinessRules | None = None) -> pd.DataFrame:
        items = self.lift_.bundle(list(products), k=k * 3)
        if retailer_id is not None and rules is not None:
            items = items[rules.allowed(items.assign(retailer_id=retailer_id))]
        return items.head(k).assign(rank=lambda f: np.arange(1, len(f) + 1)).reset_index(drop=True)
