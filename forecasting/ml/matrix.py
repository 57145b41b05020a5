"""Daily demand as a dense series x day matrix: the shape the baselines and backtests
work on. Days without a sale are zero demand. Plain pandas/NumPy, no Django."""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class DemandMatrix:
    series_ids: np.ndarray  # one per row
    days: pd.DatetimeIndex  # one per column, consecutive
    values: np.ndarray  # float, shape (len(series_ids), len(days))

    @property
    def last_day(self) -> pd.Timestamp:
        return self.days[-1]


def demand_matrix(
    sales: pd.DataFrame, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> DemandMatrix:
    """sales: columns series_id, date, units (one row per series and day with a sale)."""
    dates = pd.to_datetime(sales["date"])
    start = pd.Timestamp(start) if start is not None else dates.min()
    end = pd.Timestamp(end) if end is not None else dates.max()
    days = pd.date_range(start, end, freq="D")
    wide = (
        sales.assign(date=dates)
        .pivot_table(index="series_id", columns="date", values="units", aggfunc="sum", fill_value=0.0)
        .reindex(columns=days, fill_value=0.0)
    )
    return DemandMatrix(series_ids=wide.index.to_numpy(), days=days, values=wide.to_numpy(dtype=float))


def long_frame(matrix: DemandMatrix) -> pd.DataFrame:
    """The long format the rest of the app shares: series_id, date, target."""
    return pd.DataFrame(
        {
            "series_id": np.repeat(matrix.series_ids, len(matrix.days)),
            "date": np.tile(matrix.days.to_numpy(), len(matrix.series_ids)),
            "target": matrix.values.ravel(),
        }
    )


def demand_features(matrix: DemandMatrix) -> pd.DataFrame:
    """What the baselines look at, per series and day: for drift monitoring."""
    frame = pd.DataFrame(matrix.values.T, index=matrix.days)
    return pd.DataFrame(
        {
            "units": frame.to_numpy().ravel(),
            "units_mean_7d": frame.rolling(7, min_periods=1).mean().to_numpy().ravel(),
            "units_mean_28d": frame.rolling(28, min_periods=1).mean().to_numpy().ravel(),
        }
    )
