"""What a reorder training run may be told (:class:`TrainingOptions`) and what it gives back
(:class:`TrainingResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from reorder.ml.prediction import ReorderModel

DEFAULT_MEMBERS = ("lightgbm", "ffn", "lstm")
ENSEMBLE = "retailiq_ensemble"
BASELINES = ("baseline_overdue", "baseline_logreg")


@dataclass(frozen=True)
class TrainingOptions:
    """Everything ``params`` may set; unknown keys are kept in the result's params but otherwise ignored."""

    horizon_days: int = 14  # the primary horizon: headline metrics and the reasons shown
    n_cutoffs: int = 12
    step_days: int = 14
    validation_cutoffs: int = 2
    test_cutoffs: int = 1
    gap_days: int | None = None  # default: the longest horizon, so training labels never reach validation
    test_start: str | None = None  # cutoffs on or after it are test; earlier ones whose labels reach it dropped
    max_train_rows: int = 300_000
    max_eval_rows: int | None = None
    members: tuple[str, ...] = DEFAULT_MEMBERS
    epochs: int = 10
    refit: bool = True
    seed: int = 0
    sequence_length: int = 10
    lightgbm: dict = field(default_factory=dict)  # LightGBMOptions overrides
    nets: dict = field(default_factory=dict)  # {"ffn": {...}, "lstm": {...}} constructor overrides

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TrainingOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in params.items() if k in known and v is not None}
        if "members" in values:
            members = values["members"]
            values["members"] = tuple(members.split(",") if isinstance(members, str) else members)
        return cls(**values)

    def primary_horizon(self, horizons: tuple[int, ...]) -> int:
        """The horizon of the headline metrics: the one asked for, else the one nearest 14 days."""
        return self.horizon_days if self.horizon_days in horizons else min(horizons, key=lambda h: abs(h - 14))


@dataclass
class TrainingResult:
    model: ReorderModel
    algorithm: str
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
