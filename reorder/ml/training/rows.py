"""Training rows: the features, labels and keys of many cutoffs stacked, and the plan of which cutoffs train,
validate and test.

Rows are built cutoff by cutoff and training rows are down-sampled by a hash of the pair as they are built, so a
large history never materialises every row of every cutoff at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from reorder.ml.call_features import with_call_features
from reorder.ml.features import KEYS, feature_columns, features_from_valid_history
from reorder.ml.labels import labels_from_valid_history
from reorder.ml.members import member_input
from reorder.ml.schedule import Schedule, plan_schedule
from reorder.ml.training.options import TrainingOptions
from reorder.ml.two_stage import ShopLabels


@dataclass
class Rows:
    """Stacked rows of several cutoffs: model inputs, labels, and the keys that say whose row it is."""

    X: np.ndarray  # (n, features) float32
    labels: np.ndarray  # (n, horizons) 0/1
    quantity: np.ndarray  # next order's quantity, NaN when none recorded
    keys: pd.DataFrame  # retailer_id, product_id, cutoff, refit (row kept when refitting)
    sequences: np.ndarray | None = None
    shop: ShopLabels | None = None  # whether the row's shop ordered anything within each horizon (two stages)

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, mask: np.ndarray) -> Rows:
        sequences = self.sequences[mask] if self.sequences is not None else None
        keys = self.keys[mask].reset_index(drop=True)
        shop = self.shop.subset(mask) if self.shop is not None else None
        return Rows(self.X[mask], self.labels[mask], self.quantity[mask], keys, sequences, shop)

    @staticmethod
    def concat(parts: Sequence[Rows]) -> Rows:
        sequences = None if parts[0].sequences is None else np.concatenate([p.sequences for p in parts])
        keys = pd.concat([p.keys for p in parts], ignore_index=True)
        shop = None if parts[0].shop is None else ShopLabels.concat([p.shop for p in parts])
        return Rows(
            np.concatenate([p.X for p in parts]),
            np.concatenate([p.labels for p in parts]),
            np.concatenate([p.quantity for p in parts]),
            keys,
            sequences,
            shop,
        )

    def frame(self, feature_names: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
        index = [list(feature_names).index(c) for c in columns]
        return pd.DataFrame(self.X[:, index].astype(float), columns=list(columns))

    def input(self, name: str) -> Any:
        return member_input(name, self.X, self.sequences)

    def fit_extras(self, name: str, prefix: str = "shop_train") -> dict[str, Any]:
        """What a member learns from beside its input: the shop labels of the LightGBM member's two stages."""
        return {prefix: self.shop} if name == "lightgbm" and self.shop is not None else {}


def plan_cutoffs(history: pd.DataFrame, options: TrainingOptions, horizons: Sequence[int]) -> Schedule:
    """Cutoffs of each part (train, validation, test), chosen from the history's length where not given."""
    return plan_schedule(
        history["date"].min(),
        history["date"].max(),
        longest_horizon=max(horizons),
        step_days=options.step_days,
        max_cutoffs=options.n_cutoffs,
        validation_cutoffs=options.validation_cutoffs,
        test_cutoffs=options.test_cutoffs,
        test_start=options.test_start,
        gap_days=options.gap_days,
    )


def build_rows(
    history: pd.DataFrame,
    cutoffs: Sequence[pd.Timestamp],
    horizons: Sequence[int],
    *,
    keep_rows: int | None,
    refit_rows_per_cutoff: float,
    sequence_length: int | None,
    feature_names: list[str] | None = None,
    calls: pd.DataFrame | None = None,
    rhythm: bool = False,
    lookback_days: int | None = None,
    horizon: bool = False,
    decay: bool = False,
) -> tuple[Rows, list[str]]:
    """Rows of these cutoffs, at most about ``keep_rows`` in all (a pair-hash sample of each cutoff).

    ``refit_rows_per_cutoff`` marks, by the same hash, the rows a refit over every cutoff keeps, so the refit has
    the same budget as the first fit.
    """
    parts = []
    for cutoff in cutoffs:
        features = features_from_valid_history(
            history, cutoff, rhythm=rhythm, horizon=horizon, decay=decay, lookback_days=lookback_days
        )
        if features.empty:
            continue
        if calls is not None:
            features = with_call_features(features, calls, cutoff)
        labels = labels_from_valid_history(history, cutoff, horizons)
        frame = features.merge(labels, on=KEYS, how="left", validate="one_to_one")
        if feature_names is None:
            feature_names = feature_columns(features)
        draw = pair_hash(frame[KEYS])
        frame["refit"] = draw < refit_rows_per_cutoff / len(frame)
        if keep_rows is not None:
            frame = frame[draw < keep_rows / len(cutoffs) / len(frame)].reset_index(drop=True)
        keys = frame[[*KEYS, "refit"]].copy()
        keys.insert(2, "cutoff", cutoff)
        sequences = None
        if sequence_length:
            from reorder.ml.sequences import order_sequences

            sequences = order_sequences(history, cutoff, frame[KEYS], length=sequence_length)
        parts.append(
            Rows(
                frame.reindex(columns=feature_names, fill_value=0.0).to_numpy(dtype=np.float32),
                frame[[f"ordered_within_{h}" for h in horizons]].to_numpy(dtype=np.int8),
                frame["next_order_quantity"].to_numpy(dtype=float),
                keys,
                sequences,
                ShopLabels.at_cutoff(history, cutoff, frame["retailer_id"], horizons),
            )
        )
    if not parts:
        raise ValueError("no cutoff has any order history before it")
    return Rows.concat(parts), feature_names


def pair_hash(keys: pd.DataFrame) -> np.ndarray:
    """A number in [0, 1) per row, fixed by the key values alone: the same pair is drawn at every cutoff."""
    hashed = pd.util.hash_pandas_object(keys.astype(str), index=False).to_numpy()
    return (hashed % np.uint64(2**32)).astype(float) / 2**32
