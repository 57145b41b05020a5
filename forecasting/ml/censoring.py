"""Stockout periods are lost sales, not zero demand: models that cannot skip them read
them filled with the recent in-stock level. Shared by the statistical and neural
forecasters, and free of their libraries so importing it costs nothing."""

import numpy as np
import pandas as pd

DEFAULT_FILL_WINDOW = {"D": 28, "W": 8}


def fill_censored(values: np.ndarray, censored: np.ndarray | None, *, window: int) -> np.ndarray:
    """Censored periods (stockouts) replaced by the mean of the last `window` in-stock
    periods before them, so lost sales are not read as zero demand. A stockout at the
    very start borrows the mean of the first `window` in-stock periods; a series never
    in stock stays at zero."""
    if censored is None or not censored.any():
        return values
    filled = values.astype(float, copy=True)
    for i in np.flatnonzero(censored.any(axis=1)):
        mask = censored[i]
        in_stock = values[i, ~mask]
        if in_stock.size == 0:
            filled[i, mask] = 0.0
            continue
        trailing = pd.Series(in_stock).rolling(window, min_periods=1).mean().to_numpy()
        last_in_stock = (np.cumsum(~mask) - 1)[mask]  # index into in_stock, -1 before the first
        filled[i, mask] = np.where(last_in_stock >= 0, trailing[np.maximum(last_in_stock, 0)], in_stock[:window].mean())
    return filled
