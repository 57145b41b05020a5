"""Reductions over runs of equal keys in a sorted frame, in NumPy.

The pair features group one shop's few hundred orders dozens of times; pandas' groupby costs about a millisecond
of fixed overhead each time whatever the size, which made one shop's answer cost 100 ms of bookkeeping. Orders
are sorted by pair (and pairs by shop), so every group is a contiguous run and ``ufunc.reduceat`` reduces them all
in one call. Missing values (NaN) are skipped, as pandas' groupby skips them; a run with none present gives NaN.
"""

from __future__ import annotations

import numpy as np


class Segments:
    """The runs of equal values in ``codes`` (already sorted, or at least grouped): ``starts`` of each run,
    ``sizes``, ``ids`` (each row's run number) and ``last`` (each run's last row)."""

    def __init__(self, codes: np.ndarray) -> None:
        codes = np.asarray(codes)
        n = len(codes)
        self.starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if n else np.array([], dtype=np.intp)
        self.sizes = np.diff(np.r_[self.starts, n])
        self.n = len(self.starts)
        self.ids = np.repeat(np.arange(self.n), self.sizes)
        self.last = self.starts + self.sizes - 1

    def first_of(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values)[self.starts]

    def last_of(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values)[self.last]

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Sum per run, NaN counted as 0 (pandas' ``sum``)."""
        values = np.asarray(values, dtype=float)
        if not self.n:
            return np.zeros(0)
        return np.add.reduceat(np.where(np.isnan(values), 0.0, values), self.starts)

    def count(self, values: np.ndarray) -> np.ndarray:
        """Present (non-NaN) values per run."""
        if not self.n:
            return np.zeros(0, dtype=np.int64)
        return np.add.reduceat((~np.isnan(np.asarray(values, dtype=float))).astype(np.int64), self.starts)

    def mean(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.sum(values) / self.count(values)

    def min(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.fmin.reduceat(values, self.starts) if self.n else np.zeros(0)

    def max(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return np.fmax.reduceat(values, self.starts) if self.n else np.zeros(0)

    def std(self, values: np.ndarray) -> np.ndarray:
        """Population standard deviation (``ddof=0``) per run."""
        values = np.asarray(values, dtype=float)
        mean = self.mean(values)
        deviation = values - mean[self.ids]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.sqrt(self.sum(deviation * deviation) / self.count(values))

    def median(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if not self.n:
            return np.zeros(0)
        # Sorted within each run, missing values last; the middle one or two of the present ones.
        order = np.lexsort((np.where(np.isnan(values), np.inf, values), self.ids))
        ranked = values[order]
        present = self.count(values)
        low = self.starts + np.maximum(present - 1, 0) // 2
        high = self.starts + present // 2
        high = np.minimum(high, self.last)
        with np.errstate(invalid="ignore"):
            return np.where(present > 0, (ranked[low] + ranked[high]) / 2.0, np.nan)

    def nunique(self, values: np.ndarray) -> np.ndarray:
        """Distinct values per run (values of one dtype, none missing)."""
        values = np.asarray(values)
        if not self.n:
            return np.zeros(0, dtype=np.int64)
        order = np.lexsort((values, self.ids))
        ids, ranked = self.ids[order], values[order]
        new = np.r_[True, (ids[1:] != ids[:-1]) | (ranked[1:] != ranked[:-1])]
        return np.add.reduceat(new.astype(np.int64), self.starts)
