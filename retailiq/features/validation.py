"""Check a feature frame against its set, and name the first thing wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import Column, FeatureSet


class FeatureValidationError(ValueError):
    """A feature frame breaks its set's promise; the message names the set, the column and what is wrong."""

    def __init__(self, feature_set: FeatureSet, column: str | None, reason: str) -> None:
        self.feature_set = feature_set.name
        self.version = feature_set.version
        self.column = column
        self.reason = reason
        where = f"column {column} " if column else ""
        super().__init__(f"{feature_set.name}: {where}{reason}")


def validate(frame: pd.DataFrame, feature_set: FeatureSet) -> pd.DataFrame:
    """Return ``frame`` unchanged when it holds every key and column of ``feature_set`` with the declared type,
    no key twice, present values in range and no more missing values than allowed; raise
    :class:`FeatureValidationError` otherwise. Extra columns are allowed (labels, reasons travel alongside).

    Serving validates every answer, so the numeric columns are checked together in one pass over one array; a
    column is looked at on its own only to name what is wrong with it."""
    missing = [name for name in (*feature_set.keys, *feature_set.column_names) if name not in frame.columns]
    if missing:
        column = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise FeatureValidationError(feature_set, column, f"is absent from the frame{more}")
    if len(frame) and frame.duplicated(list(feature_set.keys)).any():
        raise FeatureValidationError(feature_set, None, f"more than one row per {' x '.join(feature_set.keys)}")
    numeric = [column for column in feature_set.columns if column.dtype in ("float", "int")]
    dtypes = frame.dtypes  # read once: a column taken out of the frame one by one costs more than checking it
    for column in feature_set.columns:
        # A text column is judged by its values (a categorical of strings is text), the others by their dtype.
        values = dtypes[column.name] if column.dtype in ("float", "int", "date") else frame[column.name]
        if not _has_dtype(values, column.dtype):
            raise FeatureValidationError(
                feature_set, column.name, f"has type {dtypes[column.name]}, expected {column.dtype}"
            )
    if len(frame) and numeric and _numeric_block_breaks(frame, numeric):
        for column in numeric:
            _check_column(frame[column.name], column, feature_set)
    for column in feature_set.columns:
        if column.dtype not in ("float", "int"):
            _check_column(frame[column.name], column, feature_set)
    return frame


def _numeric_block_breaks(frame: pd.DataFrame, numeric: list[Column]) -> bool:
    """Whether any numeric column breaks its missing share or range, from one array of all of them."""
    values = frame[[column.name for column in numeric]].to_numpy(dtype=float)
    absent = ~np.isfinite(values)
    allowed = np.array([column.max_missing for column in numeric])
    if (absent.mean(axis=0) > allowed).any():
        return True
    with np.errstate(invalid="ignore"):
        low = np.array([-np.inf if c.minimum is None else c.minimum for c in numeric])
        high = np.array([np.inf if c.maximum is None else c.maximum for c in numeric])
        present = np.where(absent, np.nan, values)
        return bool((np.nanmin(present, axis=0, initial=np.inf) < low).any()) or bool(
            (np.nanmax(present, axis=0, initial=-np.inf) > high).any()
        )


def _check_column(values: pd.Series, column: Column, feature_set: FeatureSet) -> None:
    if not len(values):
        return
    numeric = column.dtype in ("float", "int")
    absent = values.isna()
    if numeric:
        absent = absent | np.isinf(values.to_numpy(dtype=float))
    share = float(absent.mean())
    if share > column.max_missing:
        raise FeatureValidationError(
            feature_set,
            column.name,
            f"has {share:.0%} missing, limit {column.max_missing:.0%}"
            if share >= 0.01
            else f"has {int(absent.sum())} missing values, limit {column.max_missing:.0%}",
        )
    if not numeric or (column.minimum is None and column.maximum is None):
        return
    present = values[~absent].to_numpy(dtype=float)
    if column.minimum is not None and (below := present < column.minimum).any():
        raise FeatureValidationError(
            feature_set,
            column.name,
            f"has {int(below.sum())} values below {column.minimum:g} (lowest {present.min():g})",
        )
    if column.maximum is not None and (above := present > column.maximum).any():
        raise FeatureValidationError(
            feature_set,
            column.name,
            f"has {int(above.sum())} values above {column.maximum:g} (highest {present.max():g})",
        )


def _has_dtype(values, dtype: str) -> bool:
    """Whether a column (or its dtype) is of the declared type."""
    if dtype == "float":
        return pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values)
    if dtype == "int":
        return pd.api.types.is_integer_dtype(values)
    if dtype == "date":
        return pd.api.types.is_datetime64_any_dtype(values)
    return pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
