"""Training rows: features and labels stacked over several cutoffs, split by time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from reorder.ml.features import KEYS, features_from_valid_history
from reorder.ml.history import validate_history
from reorder.ml.labels import DEFAULT_HORIZONS, labels_from_valid_history


@dataclass(frozen=True)
class DatasetSplit:
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame


def cutoff_schedule(history: pd.DataFrame, *, n_cutoffs: int, step_days: int, horizon_days: int) -> list[pd.Timestamp]:
    """``n_cutoffs`` cutoffs ``step_days`` apart, the last leaving ``horizon_days`` of observed history after it."""
    last_day = pd.Timestamp(pd.to_datetime(history["date"]).max()).normalize()
    latest = last_day + pd.Timedelta(days=1) - pd.Timedelta(days=horizon_days)
    return [latest - pd.Timedelta(days=step_days * i) for i in reversed(range(n_cutoffs))]


def build_dataset(
    history: pd.DataFrame, cutoffs: Sequence[pd.Timestamp | str], horizons: Sequence[int] = DEFAULT_HORIZONS
) -> pd.DataFrame:
    """Features and labels of every pair at every cutoff, with a ``cutoff`` column; sorted by cutoff.

    Each cutoff must leave the longest horizon fully observed, or its negatives would be unknowns in disguise.
    """
    valid = validate_history(history)
    observed_until = valid["date"].max() + pd.Timedelta(days=1)
    frames = []
    for cutoff in sorted(pd.Timestamp(c).normalize() for c in cutoffs):
        if cutoff + pd.Timedelta(days=max(horizons)) > observed_until:
            raise ValueError(
                f"cutoff {cutoff.date()} + {max(horizons)} days runs past the history's last day "
                f"{(observed_until - pd.Timedelta(days=1)).date()}"
            )
        features = features_from_valid_history(valid, cutoff)
        if features.empty:
            continue
        labels = labels_from_valid_history(valid, cutoff, horizons)
        frame = features.merge(labels, on=KEYS, how="left", validate="one_to_one")
        frame.insert(0, "cutoff", cutoff)
        frames.append(frame)
    if not frames:
        raise ValueError("no cutoff has any order history before it")
    return pd.concat(frames, ignore_index=True)


def temporal_split(
    dataset: pd.DataFrame, validation_cutoffs: int = 1, test_cutoffs: int = 1, *, gap_days: int = 0
) -> DatasetSplit:
    """Train on the earliest cutoffs, validate on the next ``validation_cutoffs``, test on the last ``test_cutoffs``.

    A cutoff is never shared between parts. ``gap_days`` drops training cutoffs closer than that to the first
    validation cutoff, so that training labels (which look ``horizon`` days ahead) do not overlap it.
    """
    cutoffs = sorted(dataset["cutoff"].unique())
    if len(cutoffs) < validation_cutoffs + test_cutoffs + 1:
        raise ValueError(
            f"{len(cutoffs)} cutoffs cannot give {validation_cutoffs} validation, {test_cutoffs} test and any training"
        )
    test_set = cutoffs[len(cutoffs) - test_cutoffs :]
    validation_set = cutoffs[len(cutoffs) - test_cutoffs - validation_cutoffs : len(cutoffs) - test_cutoffs]
    first_held_out = validation_set[0] if validation_set else test_set[0]
    train_set = [c for c in cutoffs[: len(cutoffs) - test_cutoffs - validation_cutoffs]]
    train_set = [c for c in train_set if c + pd.Timedelta(days=gap_days) <= first_held_out]
    if not train_set:
        raise ValueError(f"gap_days={gap_days} leaves no training cutoff")

    def part(selected: list) -> pd.DataFrame:
        return dataset[dataset["cutoff"].isin(selected)].reset_index(drop=True)

    return DatasetSplit(train=part(train_set), validation=part(validation_set), test=part(test_set))
