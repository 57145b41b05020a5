"""Candidates from every generator, and the features the ranker reads for each (retailer, product) pair.

For a batch of retailers every generator scores every product once; a list's candidates are the union of each
generator's top ``per_generator`` among the products the list allows (discover: never bought; buy again: bought
before, all of them; next basket: any). Each pair's features are every generator's score and rank, the shop's own
order evidence for the product (orders, days since the last, typical gap, how overdue), and the sizes of the shop
and of the product's following.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from .base import Generator

LISTS = ("discover", "buy_again", "next_basket")
FREQUENCY = "frequency"
POPULARITY = "popularity"
# Called with every candidate frame (the pairs' keys beside their features) and the list's kind, in training and
# serving alike; the application validates it against its declared feature set and raises to stop the run.
FeatureCheck = Callable[[pd.DataFrame, str], None]


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1 for each row's best score, 2 for the next, ... (ties by column)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[1] + 1)[None, :].repeat(len(scores), 0), axis=1)
    return ranks


def candidate_features(
    generators: Mapping[str, Generator],
    retailer_ids,
    *,
    kind: str,
    per_generator: int,
    check: FeatureCheck | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Pairs (``retailer_id``, ``product_id``, positions ``row`` and ``p``), their features (same index), and every
    generator's score matrix for the batch (reused for the reasons). ``check`` sees the features with their keys
    before they are returned."""
    if kind not in LISTS:
        raise ValueError(f"kind must be one of {', '.join(LISTS)}, not {kind!r}")
    retailer_ids = np.asarray(list(retailer_ids), dtype=object)
    frequency = generators[FREQUENCY]
    scores = {name: np.nan_to_num(g.score(retailer_ids).astype(np.float32), nan=0.0) for name, g in generators.items()}
    evidence = frequency.evidence(retailer_ids)
    bought = evidence["orders"] > 0
    allowed = {"discover": ~bought, "buy_again": bought, "next_basket": np.ones_like(bought)}[kind]
    if kind == "buy_again":
        mask = bought.copy()
    else:
        mask = np.zeros_like(bought)
        k = min(per_generator, bought.shape[1])
        for matrix in scores.values():
            masked = np.where(allowed & (matrix > 0), matrix, -np.inf)
            top = np.argpartition(-masked, k - 1, axis=1)[:, :k]
            picked = np.zeros_like(mask)
            np.put_along_axis(picked, top, np.isfinite(np.take_along_axis(masked, top, axis=1)), axis=1)
            mask |= picked
    rows, cols = np.nonzero(mask)
    pairs = pd.DataFrame(
        {"retailer_id": retailer_ids[rows], "product_id": frequency.product_ids_[cols], "row": rows, "p": cols}
    )
    features: dict[str, np.ndarray] = {}
    for name, matrix in scores.items():
        features[name] = matrix[rows, cols]
        features[f"{name}_rank"] = _ranks(np.where(allowed, matrix, -np.inf))[rows, cols].astype(np.float32)
    orders = evidence["orders"][rows, cols]
    since = evidence["days_since_last"][rows, cols]
    gap = evidence["mean_gap"][rows, cols]
    features["orders"] = orders
    features["days_since_last"] = since
    features["mean_gap"] = gap
    with np.errstate(invalid="ignore", divide="ignore"):
        features["overdue"] = since / gap
    features["shop_orders"] = evidence["orders"].sum(axis=1)[rows]
    features["shop_products"] = bought.sum(axis=1)[rows].astype(np.float32)
    if POPULARITY in scores:
        features["product_popularity"] = scores[POPULARITY][0, cols] if len(rows) else np.array([])
    frame = pd.DataFrame(features, index=pairs.index)
    if check is not None and len(frame):
        check(pd.concat([pairs[["retailer_id", "product_id"]], frame], axis=1), kind)
    return pairs, frame, scores
