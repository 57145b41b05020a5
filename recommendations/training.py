"""The engine as a training run builds it from a job's parameters, the rules training judges with, and the
baseline that serves before any version is trained (fitted on demand from the orders)."""

import datetime as dt
from typing import Any

import pandas as pd

from .features import check_candidates
from .ml.baseline import PopularityRecommender
from .ml.recommender import GENERATOR_CLASSES, Recommender, RecommenderOptions, default_generators
from .ml.rules import BusinessRules

# Options a job may set; anything else it names is a mistake worth failing on.
OPTION_NAMES = ("per_generator", "label_days", "half_life_days", "max_training_retailers", "batch_size", "seed")
SERVED_LISTS = ("discover", "buy_again")  # next-basket is the bench's task; the pages serve these two and bundles


def build_recommender(params: dict[str, Any]) -> Recommender:
    """``generators``: names of the candidate generators (all by default; "frequency" and "co_purchase" are always
    kept: buy again and bundles need them); the options of ``OPTION_NAMES``; ``num_boost_round`` for the rankers."""
    unknown = set(params) - {*OPTION_NAMES, "generators", "num_boost_round"}
    if unknown:
        raise ValueError(f"unknown training parameters: {', '.join(sorted(unknown))}")
    generators = default_generators()
    if params.get("generators"):
        names = {*params["generators"], "frequency", "co_purchase"}
        missing = names - set(GENERATOR_CLASSES)
        if missing:
            raise ValueError(f"unknown generators: {', '.join(sorted(missing))}")
        generators = [g for g in generators if g.name in names]
    options = RecommenderOptions(lists=SERVED_LISTS, **{k: params[k] for k in OPTION_NAMES if k in params})
    if params.get("num_boost_round"):
        from dataclasses import replace

        options = replace(options, ranker=replace(options.ranker, num_boost_round=int(params["num_boost_round"])))
    return Recommender(generators, options, feature_check=check_candidates)


def dismissed_rules(feedback: pd.DataFrame | None) -> BusinessRules:
    """Products a shop dismissed are never shown to it, so the offline lists leave them out too."""
    if feedback is None or feedback.empty:
        return BusinessRules(diversity=0.0)
    dismissed = feedback[feedback["action"] == "dismissed"][["retailer_id", "product_id"]].drop_duplicates()
    return BusinessRules(blocked=dismissed, diversity=0.0)


class BaselineFromHistory:
    """Popularity, frequency and co-purchase lift fitted on the orders before the day asked for, once per day
    and data version (new orders or an import refit it)."""

    algorithm = "popularity"

    def fitted(self, as_of: dt.date) -> PopularityRecommender | None:
        from retailiq.web.cache import cached_for_data

        from .selectors import history_window, order_frame, product_frame, retailer_frame

        def fit() -> PopularityRecommender | None:
            start, end = history_window(as_of)
            orders = order_frame(start=start, end=end)
            return None if orders.empty else PopularityRecommender().fit(orders, product_frame(), retailer_frame())

        return cached_for_data(f"recommendations:baseline:{as_of}", fit)
