"""The time split a version is trained and judged on, and its offline metrics against the baselines an analyst
would build first (popularity for discover, the shop's own most frequent products for buy again).

Shops on a wholesale marketplace take up a new product rarely, so a fixed 30-day label window can hold no
discovery at all; :func:`label_days_for` widens it until enough shops took something new in it, both for the
held-out test and for the ranker's own split before it."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .data import TrainingData, validate_orders
from .evaluation import generator_lists, score_lists, time_split, timed
from .features import FeatureCheck
from .popularity import Popularity
from .recommender import Recommender, RecommenderOptions
from .repeat import PersonalFrequency
from .rules import BusinessRules

K = 10
MIN_SHOPS = 3  # shops with a discovery in the window: fewer and a ranker has nothing to learn from
NO_DECAY = 1e9  # a plain count: the analyst's "what it buys most"


def _shops_discovering(orders: pd.DataFrame, days: int) -> int:
    cutoff = orders["date"].max() + pd.Timedelta(days=1 - days)
    before, after = orders[orders["date"] < cutoff], orders[orders["date"] >= cutoff]
    seen = pd.MultiIndex.from_frame(before[["retailer_id", "product_id"]])
    pairs = after[["retailer_id", "product_id"]].drop_duplicates()
    new = pairs[~pd.MultiIndex.from_frame(pairs).isin(seen) & pairs["retailer_id"].isin(before["retailer_id"])]
    return new["retailer_id"].nunique()


def label_days_for(orders: pd.DataFrame, first: int, *, windows: Sequence[int] = (30, 60, 90, 180, 365)) -> int:
    """The shortest window from ``first`` on in which at least ``MIN_SHOPS`` shops bought a product new to them,
    both at the end of the history (the test) and just before it (the ranker's own labels)."""
    orders = validate_orders(orders)
    span = (orders["date"].max() - orders["date"].min()).days + 1
    for days in sorted({first, *(w for w in windows if w > first)}):
        if 3 * days > span:
            break
        earlier = orders[orders["date"] < orders["date"].max() + pd.Timedelta(days=1 - days)]
        if _shops_discovering(orders, days) >= MIN_SHOPS and _shops_discovering(earlier, days) >= MIN_SHOPS:
            return days
    raise ValueError(
        f"no {first}-day window or longer (up to a third of the {span} days of history) in which {MIN_SHOPS} "
        "shops took up a product new to them: there is nothing yet to learn discovery from"
    )


BASELINE_GENERATORS = {"discover": "popularity", "buy_again": "frequency"}


def lists_served_by_baseline(metrics: dict[str, float]) -> dict[str, str]:
    """List -> the baseline that serves it, for each list whose ranker did not beat its baseline's NDCG@10 on the
    held-out window (a tie goes to the simpler baseline), as reorder serves its strong baseline."""
    served = {}
    for kind, name in BASELINE_GENERATORS.items():
        ours, theirs = metrics.get(f"ndcg_at_10_{kind}"), metrics.get(f"{name}_ndcg_at_10_{kind}")
        if ours is not None and theirs is not None and ours <= theirs:
            served[kind] = name
    return served


def holdout_metrics(
    orders: pd.DataFrame,
    products: pd.DataFrame | None,
    retailers: pd.DataFrame | None,
    *,
    options: RecommenderOptions,
    generators=None,
    rules: BusinessRules | None = None,
    feedback: pd.DataFrame | None = None,
    feature_check: FeatureCheck | None = None,
) -> dict[str, float]:
    """Fit on all but the last ``options.label_days`` days and score the two lists on them, beside popularity
    (discover) and frequency (buy again) on the same split; ``feature_check`` sees every candidate frame."""
    split = time_split(validate_orders(orders), options.label_days)
    rules = rules or BusinessRules(diversity=0.0)
    data = TrainingData.build(split.train, products, retailers)
    model, seconds = timed(
        lambda: Recommender(generators, options, feature_check=feature_check).fit(
            split.train, products, retailers, feedback=feedback
        )
    )
    metrics: dict[str, float] = {"label_days": float(options.label_days), "fit_seconds": round(seconds, 2)}
    baselines = {"discover": ("popularity", Popularity()), "buy_again": ("frequency", PersonalFrequency(NO_DECAY))}
    for kind, (name, baseline) in baselines.items():
        truth = getattr(split, kind)
        if not truth:
            continue
        ranked = model.recommend(list(truth), kind=kind, k=K, rules=rules)
        lists = ranked.groupby("retailer_id", sort=False)["product_id"].agg(list).to_dict()
        ours = score_lists(lists, truth, data.n_products, seconds)
        baseline.fit(data)
        theirs = score_lists(
            generator_lists(baseline, truth, k=K, data=data, exclude_bought=kind == "discover"),
            truth,
            data.n_products,
            0.0,
        )
        for metric in ("ndcg_at_10", "recall_at_10", "precision_at_10", "coverage_at_10"):
            metrics[f"{metric}_{kind}"] = round(ours[metric], 4)
            metrics[f"{name}_{metric}_{kind}"] = round(theirs[metric], 4)
        metrics[f"test_shops_{kind}"] = float(len(truth))
    return metrics
