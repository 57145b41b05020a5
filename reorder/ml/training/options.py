"""What a reorder training run may be told (:class:`TrainingOptions`) and what it gives back
(:class:`TrainingResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from reorder.ml.prediction import ReorderModel

# The nets stay available by name (members=lightgbm,ffn,lstm) but left the default: on Online Retail they added
# 0.002 ROC AUC for four times LightGBM's training time (docs/benchmarks.md), so TensorFlow is no longer loaded by
# a default training or scoring run. The strong baseline's logistic regression is a member by name too
# (members=lightgbm,logreg_strong); blended with LightGBM it tied on validation at 30 days, and at 14 days raised
# the validation PR AUC but tied or lowered the ROC AUC (docs/benchmarks.md), so it is not in the default.
DEFAULT_MEMBERS = ("lightgbm",)
ENSEMBLE = "retailiq_ensemble"
BASELINES = ("baseline_overdue", "baseline_logreg", "baseline_logreg_strong")
STRONG_BASELINE = "baseline_logreg_strong"  # the simpler model that serves when the ensemble does not beat it


@dataclass(frozen=True)
class TrainingOptions:
    """Everything ``params`` may set; unknown keys are kept in the result's params but otherwise ignored."""

    horizon_days: int = 14  # the primary horizon: headline metrics and the reasons shown
    # The cutoffs (see reorder.ml.schedule): None or 0 means "chosen from the history's length".
    n_cutoffs: int | None = 12  # at most this many cutoffs in all (the latest kept): a cost bound on large data
    step_days: int | None = None
    validation_cutoffs: int | None = None
    test_cutoffs: int | None = 1  # 0: a test period chosen from the history's length (at most 13 weeks)
    gap_days: int | None = None  # default: the longest horizon, so training labels never reach validation
    test_start: str | None = None  # cutoffs on or after it are test; earlier ones whose labels reach it dropped
    rhythm_features: bool = False  # the repeat and rhythm features of reorder.ml.rhythm_features
    lookback_days: int | None = None  # each cutoff's features read this many days before it (None: all history)
    # The horizon and co-occurrence features of reorder.ml.horizon_features: on Online Retail they raised LightGBM's
    # validation ROC AUC and PR AUC at 14 and 30 days (docs/benchmarks.md), the only feature set that did both.
    horizon_features: bool = True
    # The time-decayed repeat and shop rhythm features of reorder.ml.decay_features (the shop's own lines only).
    # Computed by default for the 30-day classifier's two stages, the only one that reads them (LightGBMOptions).
    decay_features: bool = True
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
