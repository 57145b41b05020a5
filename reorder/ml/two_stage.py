"""Two stages for a long horizon: will the shop order anything at all within it, and, if it does, will the order
hold this product.

A pair reorders within ``w`` days only if its shop orders within ``w`` days, so
``P(pair) = P(shop orders) x P(pair | shop orders)``. Stage one sees only the shop's columns (:func:`shop_columns`:
its own figures, its rhythm, the calendar), so it learns the shop's rhythm from every shop's history instead of
each pair relearning it; stage two learns which products a shop buys when it orders, from the rows of shops that
did. Stage one learns from one row per shop and cutoff (:class:`ShopLabels` says which pair rows share one): on
Online Retail that beat fitting it on the pair rows, which weigh each shop by its number of products
(docs/benchmarks.md).

The stage-one label of every pair row, :func:`shop_order_labels`, is 1 when its shop has any line within the
horizon after the cutoff, of any product (new ones too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SHOP_PREFIXES = ("retailer_", "decay_shop_", "cutoff_")


def shop_columns(feature_names: Sequence[str]) -> list[int]:
    """Positions of the columns that describe the shop and the cutoff, not the pair or the product."""
    return [i for i, name in enumerate(feature_names) if name.startswith(SHOP_PREFIXES)]


def shop_order_labels(
    history: pd.DataFrame, cutoff: pd.Timestamp, retailers: pd.Series, horizons: Sequence[int]
) -> np.ndarray:
    """``(len(retailers), len(horizons))`` 0/1: the row's shop has any line in ``[cutoff, cutoff + h days)``."""
    cutoff = pd.Timestamp(cutoff).normalize()
    ahead = history[(history["date"] >= cutoff) & (history["date"] < cutoff + pd.Timedelta(days=max(horizons)))]
    first = ahead.groupby("retailer_id", sort=False)["date"].min()
    days = (retailers.map(first) - cutoff).dt.days.to_numpy(dtype=float)
    return np.column_stack([np.nan_to_num(days, nan=np.inf) < h for h in horizons]).astype(np.int8)


@dataclass
class ShopLabels:
    """Stage one's labels beside the pair rows: ``ordered`` (n, horizons) 0/1 from :func:`shop_order_labels`, and
    ``group``, one value per shop and cutoff, so stage one learns from one row per shop and cutoff."""

    ordered: np.ndarray
    group: np.ndarray

    def subset(self, mask: np.ndarray) -> ShopLabels:
        return ShopLabels(self.ordered[mask], self.group[mask])

    @staticmethod
    def concat(parts: Sequence[ShopLabels]) -> ShopLabels:
        return ShopLabels(np.concatenate([p.ordered for p in parts]), np.concatenate([p.group for p in parts]))

    def first_rows(self) -> np.ndarray:
        """The position of each shop and cutoff's first row, in row order."""
        return np.sort(np.unique(self.group, return_index=True)[1])

    @classmethod
    def at_cutoff(
        cls, history: pd.DataFrame, cutoff: pd.Timestamp, retailers: pd.Series, horizons: Sequence[int]
    ) -> ShopLabels:
        ordered = shop_order_labels(history, cutoff, retailers, horizons)
        keys = pd.DataFrame({"retailer_id": retailers.astype(str).to_numpy(), "cutoff": str(pd.Timestamp(cutoff))})
        return cls(ordered, pd.util.hash_pandas_object(keys, index=False).to_numpy())
