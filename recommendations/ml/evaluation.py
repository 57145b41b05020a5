"""Offline evaluation on a time split: the splits of the recommendations benchmark, the baselines and the scores.

``time_split``: train on everything before the last ``test_days`` days; the test is what each shop with history
bought in those days, split into products new to it (discover) and products bought before (buy again).
``last_basket_split``: per shop with at least three baskets (one shop's lines on one day), the last basket is the
test, the one before validates and the rest trains; every other shop's history trains too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .base import Generator
from .data import TrainingData
from .metrics import ranking_metrics
from .repeat import TIFU_PRESETS, TifuKNN

KS = (5, 10, 20)


@dataclass
class TimeSplit:
    train: pd.DataFrame
    discover: dict
    buy_again: dict


@dataclass
class LastBasketSplit:
    train: pd.DataFrame
    validation: pd.DataFrame
    test: dict


def time_split(orders: pd.DataFrame, test_days: int) -> TimeSplit:
    cutoff = orders["date"].max().normalize() + pd.Timedelta(days=1 - test_days)
    train, test = orders[orders["date"] < cutoff], orders[orders["date"] >= cutoff]
    seen = train.groupby("retailer_id")["product_id"].agg(set)
    bought = test[test["retailer_id"].isin(seen.index)].groupby("retailer_id")["product_id"].agg(set)
    discover = {r: products - seen[r] for r, products in bought.items()}
    buy_again = {r: products & seen[r] for r, products in bought.items()}
    return TimeSplit(train, {r: s for r, s in discover.items() if s}, {r: s for r, s in buy_again.items() if s})


def last_basket_split(orders: pd.DataFrame) -> LastBasketSplit:
    days = orders.assign(day=orders["date"].dt.normalize())
    rank = days.groupby("retailer_id")["day"].rank(method="dense", ascending=False)
    n_baskets = days.groupby("retailer_id")["day"].transform("nunique")
    eligible = n_baskets >= 3
    test = days[eligible & (rank == 1)]
    validation = days[eligible & (rank == 2)]
    train = days[~(eligible & (rank <= 2))]
    truth = test.groupby("retailer_id")["product_id"].agg(set).to_dict()
    return LastBasketSplit(train.drop(columns="day"), validation.drop(columns="day"), truth)


def generator_lists(
    generator: Generator,
    retailer_ids,
    *,
    k: int,
    data: TrainingData | None = None,
    exclude_bought: bool | None = None,
    batch_size: int = 512,
) -> dict:
    """Each retailer's top ``k`` product ids from a generator fitted on ``data``. ``exclude_bought``: True leaves
    out what the shop bought before (discover), False keeps only that (buy again), None scores every product."""
    lists: dict = {}
    retailer_ids = np.asarray(list(retailer_ids), dtype=object)
    for start in range(0, len(retailer_ids), batch_size):
        batch = retailer_ids[start : start + batch_size]
        scores = generator.score(batch).astype(np.float64)
        if exclude_bought is not None:
            bought = _bought(data.counts, data.retailer_positions(batch))
            scores = np.where(bought if exclude_bought else ~bought, -np.inf, scores)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        for i, retailer in enumerate(batch):
            keep = order[i][np.isfinite(scores[i, order[i]]) & (scores[i, order[i]] > 0)]
            lists[retailer] = list(generator.product_ids_[keep])
    return lists


def _bought(matrix, rows: np.ndarray) -> np.ndarray:
    out = np.zeros((len(rows), matrix.shape[1]), dtype=bool)
    known = rows >= 0
    out[known] = matrix[rows[known]].toarray() > 0
    return out


def score_lists(lists: dict, truth: dict, catalogue_size: int, fit_seconds: float) -> dict[str, float]:
    scores: dict[str, float] = {}
    for k in KS:
        trimmed = {r: items[:k] for r, items in lists.items()}
        scores.update(ranking_metrics(trimmed, truth, k=k, catalogue_size=catalogue_size))
    scores["fit_seconds"] = fit_seconds
    return scores


def timed(fit: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = fit()
    return result, time.perf_counter() - started


def best_tifu_preset(train: TrainingData, validation: pd.DataFrame, *, k: int = 10) -> tuple[str, dict[str, float]]:
    """The published TIFU-KNN setting with the best validation recall@k: the baseline gets its best documented
    configuration for these data rather than one picked at random."""
    truth = validation.groupby("retailer_id")["product_id"].agg(set).to_dict()
    recalls = {}
    for preset in TIFU_PRESETS:
        model = TifuKNN(preset=preset).fit(train)
        lists = generator_lists(model, list(truth), k=k, exclude_bought=None)
        recalls[preset] = ranking_metrics(lists, truth, k=k, catalogue_size=train.n_products)[f"recall_at_{k}"]
    return max(recalls, key=recalls.get), recalls
