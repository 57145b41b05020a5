"""What happened after a cutoff, for every pair that had ordered before it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reorder.ml.history import validate_history

KEYS = ["retailer_id", "product_id"]
DEFAULT_HORIZONS = (7, 14, 30)


def pair_labels(
    history: pd.DataFrame, cutoff: pd.Timestamp | str, horizons: Sequence[int] = DEFAULT_HORIZONS
) -> pd.DataFrame:
    """Validate ``history`` and label each pair with an order before ``cutoff``."""
    return labels_from_valid_history(validate_history(history), cutoff, horizons)


def labels_from_valid_history(
    history: pd.DataFrame, cutoff: pd.Timestamp | str, horizons: Sequence[int] = DEFAULT_HORIZONS
) -> pd.DataFrame:
    """Labels from a validated history.

    ``ordered_within_{N}`` is 1 when the pair orders on a day in ``[cutoff, cutoff + N days)``.
    ``days_to_next_order`` (0 = on the cutoff day), ``next_order_date`` and ``next_order_quantity`` (all lines of
    that day summed) describe the first order on or after the cutoff, and are NaN/NaT when none is recorded.
    """
    cutoff = pd.Timestamp(cutoff).normalize()
    pairs = history.loc[history["date"] < cutoff, KEYS].drop_duplicates()
    future = history[history["date"] >= cutoff]
    first_day = future.groupby(KEYS, sort=False)["date"].min().rename("next_order_date")
    next_lines = future.merge(first_day.reset_index(), on=KEYS)
    next_lines = next_lines[next_lines["date"] == next_lines["next_order_date"]]
    next_quantity = next_lines.groupby(KEYS, sort=False)["quantity"].sum().rename("next_order_quantity")
    labels = pairs.merge(first_day.reset_index(), on=KEYS, how="left")
    labels = labels.merge(next_quantity.reset_index(), on=KEYS, how="left")
    labels["days_to_next_order"] = (labels["next_order_date"] - cutoff).dt.days.astype(float)
    for horizon in horizons:
        within = labels["days_to_next_order"] < horizon
        labels[f"ordered_within_{horizon}"] = np.where(within, 1, 0).astype(int)
    columns = [*KEYS, *(f"ordered_within_{h}" for h in horizons), "next_order_quantity", "days_to_next_order"]
    labels = labels[[*columns, "next_order_date"]]
    return labels.sort_values(KEYS, kind="stable").reset_index(drop=True)
