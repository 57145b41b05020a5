"""Recommendations' settings: environment variables read once through the one reader the settings use
(retailiq.core.env), so the project's settings know nothing of them."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from retailiq.core.env import env


@dataclass(frozen=True)
class RecommendationsSettings:
    """``history_days``: the orders a training or scoring run reads. ``label_days``: the first label window the
    time split tries (widened until shops took up new products in it, see ``recommendations.ml.holdout``).
    ``list_size``: items stored per shop and list by the nightly batch. ``uptake_days``: how long after a list
    an order counts as taking a recommendation up. ``active_days``: shops scored nightly ordered within it or are
    new. ``train_params``: NAME=VALUE pairs a run uses unless it names its own ("generators=popularity;frequency")."""

    history_days: int = 730
    label_days: int = 30
    list_size: int = 20
    uptake_days: int = 30
    active_days: int = 365
    scoring_chunk_size: int = 500
    train_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_env(cls) -> "RecommendationsSettings":
        default = cls()
        return cls(
            history_days=env.int("RETAILIQ_RECOMMENDATIONS_HISTORY_DAYS", default=default.history_days),
            label_days=env.int("RETAILIQ_RECOMMENDATIONS_LABEL_DAYS", default=default.label_days),
            list_size=env.int("RETAILIQ_RECOMMENDATIONS_LIST_SIZE", default=default.list_size),
            uptake_days=env.int("RETAILIQ_RECOMMENDATIONS_UPTAKE_DAYS", default=default.uptake_days),
            active_days=env.int("RETAILIQ_RECOMMENDATIONS_ACTIVE_DAYS", default=default.active_days),
            scoring_chunk_size=env.int(
                "RETAILIQ_RECOMMENDATIONS_SCORING_CHUNK_SIZE", default=default.scoring_chunk_size
            ),
            train_params=MappingProxyType(env.dict("RETAILIQ_RECOMMENDATIONS_TRAIN_PARAMS", default={})),
        )


@cache
def recommendations_settings() -> RecommendationsSettings:
    """Read once per process."""
    return RecommendationsSettings.from_env()
