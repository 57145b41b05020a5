"""Stockout periods from stock, with no database: the rule the demo generator and the ledger service share.

A product is out at a warehouse on a day when what that day could ship (the previous day's closing stock plus the
day's receipts, returns and positive adjustments) is less than one pack: no order line, which comes in whole packs,
could be filled. Consecutive such days form one period; a period that runs through the last day is still going.
"""

import numpy as np


def stockout_runs(out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True along each row of a pairs x days matrix: (row, first day, last day), row-major order."""
    rows, days = out.shape
    padded = np.zeros((rows, days + 2), dtype=np.int8)
    padded[:, 1:-1] = out
    step = np.diff(padded, axis=1)
    start_row, start = np.nonzero(step == 1)
    _, stop = np.nonzero(step == -1)
    return start_row, start, stop - 1


def out_of_stock(available: np.ndarray, pack_size: np.ndarray, stocked: np.ndarray) -> np.ndarray:
    """Days (pairs x days) on which a stocked pair could not ship one pack. `stocked` says from which day on the
    pair is carried at all: a warehouse that never held a product is not out of it."""
    return stocked & (available < pack_size[:, None])
