"""Business rules applied after ranking: what may not be shown, and diversity across categories (MMR)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import UNKNOWN


@dataclass(frozen=True)
class BusinessRules:
    """What the shop may be shown.

    ``inactive``: product ids no longer sold. ``blocked``: (``retailer_id``, ``product_id``) pairs never to show,
    the products the shop dismissed and those out of stock in every warehouse serving its region (the caller knows
    stock and regions; the engine only obeys). ``diversity``: the MMR trade-off in discover, 0 for pure relevance.
    """

    inactive: Collection = ()
    blocked: pd.DataFrame | None = None
    diversity: float = 0.3

    def allowed(self, pairs: pd.DataFrame) -> np.ndarray:
        """True for each (``retailer_id``, ``product_id``) row that may be shown."""
        keep = ~pairs["product_id"].isin(list(self.inactive)).to_numpy()
        if self.blocked is not None and len(self.blocked):
            keep &= ~_pairs_in(pairs, self.blocked)
        return keep


def _pairs_in(pairs: pd.DataFrame, blocked: pd.DataFrame) -> np.ndarray:
    """Whether each (``retailer_id``, ``product_id``) of ``pairs`` is one of ``blocked``'s. Integer ids are
    matched as one number per pair (a multi-index of both costs milliseconds to build for a single shop)."""
    left = [_whole_numbers(pairs[key]) for key in ("retailer_id", "product_id")]
    right = [_whole_numbers(blocked[key]) for key in ("retailer_id", "product_id")]
    if any(ids is None for ids in (*left, *right)):  # other ids (the ML's own tests use strings)
        index = pd.MultiIndex.from_frame(blocked[["retailer_id", "product_id"]])
        return pd.MultiIndex.from_frame(pairs[["retailer_id", "product_id"]]).isin(index)
    width = np.int64(max(int(left[1].max(initial=0)), int(right[1].max(initial=0))) + 1)
    return np.isin(left[0] * width + left[1], right[0] * width + right[1])


def _whole_numbers(values: pd.Series) -> np.ndarray | None:
    """The ids as int64 when every one is an integer (an object column of ints included), else None."""
    if pd.api.types.is_integer_dtype(values.dtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "integer"
    ):
        return values.to_numpy().astype(np.int64)
    return None


def mmr_order(relevance: np.ndarray, categories: np.ndarray, k: int, diversity: float) -> np.ndarray:
    """Maximal marginal relevance (Carbonell and Goldstein 1998) with "same category" as the similarity: greedily
    take the item maximising ``(1 - diversity) * relevance - diversity * [its category is already taken]``, with
    relevance scaled to 0..1. Unknown categories are never counted as the same. Returns positions, best first."""
    n = len(relevance)
    k = min(k, n)
    if n == 0 or diversity <= 0:
        return np.argsort(-relevance, kind="stable")[:k]
    span = relevance.max() - relevance.min()
    scaled = (relevance - relevance.min()) / span if span > 0 else np.ones(n)
    codes, _ = pd.factorize(pd.Series(categories, dtype=object).where(lambda c: c != UNKNOWN))
    taken_category = np.zeros(int(codes.max()) + 2, dtype=bool)
    free = np.ones(n, dtype=bool)
    picked = []
    for _ in range(k):
        penalty = np.where(codes >= 0, taken_category[codes], False)
        value = np.where(free, (1 - diversity) * scaled - diversity * penalty, -np.inf)
        best = int(np.argmax(value))
        picked.append(best)
        free[best] = False
        if codes[best] >= 0:
            taken_category[codes[best]] = True
    return np.asarray(picked, dtype=int)
