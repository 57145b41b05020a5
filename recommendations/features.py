"""Recommendations' features in the feature store: the candidate feature set the rankers read, declared, versioned
and validated, from the one function :func:`recommendations.ml.features.candidate_features`.

Training (the time split the rankers learn on and the held-out evaluation) and serving (a shop's lists on demand,
the nightly batch) build every candidate frame with that function, and each frame is checked against
:data:`CANDIDATE_FEATURES` on the way: a generator that starts to return scores out of range, or evidence that goes
missing, stops the run with the column named instead of ranking on it. A shop's rows do not depend on which other
shops are scored beside it (``tests/recommendations/test_features_store.py`` proves it), so the rows one shop's
answer reads are the rows the batch stored for it. The model version records the set, and serving refuses a version
whose set has moved on, as for reorder and forecasting.

The features are read from the fitted generators' state (the interaction matrices of the training window), not
from the order lines, so an answer reads no rows: there is nothing a cache would save."""

from __future__ import annotations

from typing import Any

import pandas as pd

from retailiq.features import FeatureSet, register, validate
from retailiq.features.spec import columns

from .ml.features import candidate_features
from .ml.recommender import GENERATOR_CLASSES

# Scores that can fall below zero: ALS's factor dot products. Every other generator scores counts, lifts,
# similarities of non-negative vectors or shares.
SIGNED_SCORES = ("implicit_als",)

CANDIDATE_FEATURES = register(
    FeatureSet(
        name="recommendations.candidate",
        keys=("retailer_id", "product_id"),
        description="A candidate product for a shop's list: every generator's score and its rank in the shop's "
        "list, the shop's own order evidence for the product, and the sizes of the shop and the product's following.",
        columns=(
            *(
                column
                for name in GENERATOR_CLASSES
                for column in (
                    *columns([name], minimum=None if name in SIGNED_SCORES else 0),
                    *columns([f"{name}_rank"], minimum=1),
                )
            ),
            *columns(["orders"], minimum=0),
            # Absent for a product the shop never bought (days since the last) or bought once (gap, overdue).
            *columns(["days_since_last", "mean_gap", "overdue"], minimum=0, max_missing=1.0),
            *columns(["shop_orders", "shop_products", "product_popularity"], minimum=0),
        ),
    )
)


def generator_columns(name: str) -> tuple[str, ...]:
    """The columns a generator adds: its score and rank (and the popularity generator the product's following)."""
    return (name, f"{name}_rank", *(("product_popularity",) if name == "popularity" else ()))


def check_candidates(frame: pd.DataFrame, kind: str) -> None:
    """Validate a candidate frame against the set, without the columns of generators the model was built
    without (a job may leave some out): their absence is no error, a present generator's broken values are, and
    so is any missing evidence column."""
    left_out = {column for name in GENERATOR_CLASSES if name not in frame.columns for column in generator_columns(name)}
    validate(frame, CANDIDATE_FEATURES.restricted_to(set(CANDIDATE_FEATURES.column_names) - left_out))


def with_feature_checks(model: Any) -> Any:
    """The model with its candidate frames validated from now on (a recommender; the baseline has no ranker)."""
    if hasattr(model, "feature_check"):
        model.feature_check = check_candidates
    return model


def shop_candidate_features(model: Any, retailer_ids: list, *, kind: str) -> pd.DataFrame:
    """The validated candidate rows (keys and features) of the shops ``retailer_ids`` for list ``kind``, from a
    fitted recommender: what its ranker scores for them, in one batch or shop by shop alike."""
    pairs, features, _ = candidate_features(
        model.generators_,
        list(retailer_ids),
        kind=kind,
        per_generator=model.options.per_generator,
        check=check_candidates,
    )
    return pd.concat([pairs[["retailer_id", "product_id"]], features], axis=1).reset_index(drop=True)
