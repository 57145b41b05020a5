"""Popularity overall and among a retailer's peers (same segment and city, widening when the group is small)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .base import Generator
from .data import UNKNOWN, TrainingData


def _recent_buyers(data: TrainingData, window_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Per product, the recency-weighted number of distinct buyers and the number who bought within the window."""
    last = data.baskets.groupby(["r", "p"], sort=False)["age"].min().reset_index()
    weight = np.power(0.5, last["age"].to_numpy() / data.half_life_days)
    decayed = np.bincount(last["p"], weights=weight, minlength=data.n_products)
    recent = np.bincount(last["p"][last["age"] <= window_days], minlength=data.n_products)
    return decayed.astype(np.float32), recent.astype(np.int64)


class Popularity(Generator):
    """How many shops buy each product, recent buyers weighing more: the baseline every model must beat."""

    name = "popularity"
    params = ("window_days",)
    arrays = ("popularity_", "recent_buyers_")

    def __init__(self, window_days: int = 90):
        self.window_days = window_days

    def _fit(self, data: TrainingData) -> None:
        self.popularity_, self.recent_buyers_ = _recent_buyers(data, self.window_days)

    def score(self, retailer_ids) -> np.ndarray:
        return np.tile(self.popularity_, (len(list(retailer_ids)), 1))

    def explain(self, retailer_id, product_ids) -> list[str]:
        buyers = self.recent_buyers_[self._products(product_ids)]
        return [f"bought by {n} shops in the last {self.window_days} days" for n in buyers]


class PeerPopularity(Generator):
    """Share of a retailer's peers that stock each product.

    Peers are the shops of the same segment in the same city; when that group has fewer than ``min_peers`` shops
    with orders, the city, then the segment, then every shop. The reason names the group and how many stock it.
    """

    name = "peers"
    params = ("min_peers",)
    arrays = ("group_counts_", "group_sizes_", "retailer_group_")

    def __init__(self, min_peers: int = 5):
        self.min_peers = min_peers

    def _fit(self, data: TrainingData) -> None:
        attrs = data.retailers[["segment", "city"]].astype(str)
        levels = [
            ("segment_city", attrs["segment"] + "\x1f" + attrs["city"]),
            ("city", "\x1f" + attrs["city"]),
            ("segment", attrs["segment"] + "\x1f"),
            ("all", pd.Series("\x1f", index=attrs.index)),
        ]
        bought = (data.counts > 0).astype(np.float32).tocsr()
        active = np.asarray(bought.sum(axis=1)).ravel() > 0
        keys: list[str] = []
        counts: list[np.ndarray] = []
        sizes: list[int] = []
        chosen = np.full(len(attrs), -1, dtype=np.int64)
        for _level, key in levels:
            key = key.to_numpy()
            for value in pd.unique(key):
                if UNKNOWN in value.split("\x1f") and value != "\x1f":
                    continue
                members = key == value
                size = int((members & active).sum())
                if size < self.min_peers and value != "\x1f":
                    continue
                undecided = members & (chosen < 0)
                if not undecided.any() and value != "\x1f":  # the group of every shop is always kept
                    continue
                chosen[undecided] = len(keys)
                keys.append(value)
                counts.append(np.asarray(bought[members].sum(axis=0)).ravel())
                sizes.append(max(size, 1))
        self.group_keys_ = keys
        self.group_counts_ = np.vstack(counts).astype(np.float32)
        self.group_sizes_ = np.asarray(sizes, dtype=np.float32)
        self.retailer_group_ = chosen
        self.all_group_ = keys.index("\x1f")

    def _groups(self, retailer_ids) -> np.ndarray:
        rows = self._rows(retailer_ids)
        return np.where(rows >= 0, self.retailer_group_[np.maximum(rows, 0)], self.all_group_)

    def score(self, retailer_ids) -> np.ndarray:
        groups = self._groups(retailer_ids)
        return self.group_counts_[groups] / self.group_sizes_[groups, None]

    def explain(self, retailer_id, product_ids) -> list[str]:
        group = int(self._groups([retailer_id])[0])
        segment, city = self.group_keys_[group].split("\x1f")
        shops = f"{segment} shops" if segment else "shops"
        where = f" in {city}" if city else ""
        counts = self.group_counts_[group, self._products(product_ids)]
        return [f"popular with {int(n)} {shops}{where}" for n in counts]

    def _extra_header(self) -> dict[str, Any]:
        return {"group_keys": self.group_keys_, "all_group": self.all_group_}

    def _restore_header(self, extra: dict[str, Any]) -> None:
        self.group_keys_ = extra["group_keys"]
        self.all_group_ = extra["all_group"]
