"""Reorder prediction's settings: environment variables read through the one reader the
settings use (retailiq.core.env), so the project's settings know nothing of them."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType

from retailiq.core.env import env


@dataclass(frozen=True)
class ReorderSettings:
    """The horizons every model answers (days), the one call lists rank by, how many shops
    a rep can call in a day, the history a training or scoring run reads, and which shops
    are scored (an order within the active window). A scoring chunk is a number of shops: each
    reads only its shops' lines, with the marketplace's half of the features computed once per job.

    `train_params` are the training parameters a run uses unless it names its own, from
    NAME=VALUE pairs separated by commas, list items by semicolons: "members=lightgbm;ffn,epochs=3"
    (scripts/demo.sh sets this so `make demo` trains quickly). Empty means the ML side's
    own defaults (LightGBM alone; the nets by name)."""

    horizons: tuple[int, ...] = (7, 14, 30)
    default_horizon: int = 14
    calls_per_day: int = 20
    history_days: int = 730
    active_days: int = 365
    scoring_chunk_size: int = 100
    train_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_env(cls) -> "ReorderSettings":
        default = cls()
        return cls(
            horizons=tuple(env.list("RETAILIQ_REORDER_HORIZONS", cast=int, default=list(default.horizons))),
            default_horizon=env.int("RETAILIQ_REORDER_DEFAULT_HORIZON", default=default.default_horizon),
            calls_per_day=env.int("RETAILIQ_REORDER_CALLS_PER_DAY", default=default.calls_per_day),
            history_days=env.int("RETAILIQ_REORDER_HISTORY_DAYS", default=default.history_days),
            active_days=env.int("RETAILIQ_REORDER_ACTIVE_DAYS", default=default.active_days),
            scoring_chunk_size=env.int("RETAILIQ_REORDER_SCORING_CHUNK_SIZE", default=default.scoring_chunk_size),
            train_params=MappingProxyType(env.dict("RETAILIQ_REORDER_TRAIN_PARAMS", default={})),
        )


@cache
def reorder_settings() -> ReorderSettings:
    """Read once per process (the app checks it at start, so a bad value stops the start)."""
    return ReorderSettings.from_env()
