"""Top-K ranking metrics over per-retailer lists: precision, recall, NDCG, MAP, hit rate, and catalogue coverage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def ranking_metrics(
    recommended: Mapping[object, Sequence], truth: Mapping[object, set], *, k: int, catalogue_size: int
) -> dict[str, float]:
    """Means over the retailers of ``truth`` with at least one relevant product (a retailer missing from
    ``recommended`` counts with an empty list); coverage is the share of the catalogue recommended to anyone."""
    precision, recall, ndcg, average_precision, hits = [], [], [], [], []
    shown: set = set()
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for retailer, relevant in truth.items():
        if not relevant:
            continue
        top = list(recommended.get(retailer, ()))[:k]
        shown.update(top)
        gains = np.array([product in relevant for product in top], dtype=float)
        n_hits = gains.sum()
        precision.append(n_hits / k)
        recall.append(n_hits / len(relevant))
        ideal = discounts[: min(len(relevant), k)].sum()
        ndcg.append(float((gains * discounts[: len(gains)]).sum() / ideal))
        cumulative = np.cumsum(gains)
        ranks = np.arange(1, len(gains) + 1)
        average_precision.append(float((cumulative / ranks * gains).sum() / min(len(relevant), k)))
        hits.append(float(n_hits > 0))
    for retailer, top in recommended.items():
        if retailer not in truth:
            shown.update(list(top)[:k])
    mean = lambda values: float(np.mean(values)) if values else 0.0  # noqa: E731
    return {
        f"precision_at_{k}": mean(precision),
        f"recall_at_{k}": mean(recall),
        f"ndcg_at_{k}": mean(ndcg),
        f"map_at_{k}": mean(average_precision),
        f"hit_rate_at_{k}": mean(hits),
        f"coverage_at_{k}": len(shown) / catalogue_size if catalogue_size else 0.0,
        "retailers": float(len(recall)),
    }
