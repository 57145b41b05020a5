"""Demand as a dense series x period matrix (daily, or weekly by ISO week starting
Monday): the shape every forecaster, backtest and benchmark works on. Periods without
a sale are zero demand; periods flagged censored (stockouts) are lost sales, not zeros.
The long format (series_id, date, target) converts to and from it. Plain pandas/NumPy."""

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

SEASON_LENGTH = {"D": 7, "W": 52}
PERIOD_FREQ = {"D": "D", "W": "W-MON"}


@dataclass
class DemandMatrix:
    series_ids: np.ndarray  # one per row
    days: pd.DatetimeIndex  # one per column, consecutive at `freq` (for weekly: each week's Monday)
    values: np.ndarray  # float, shape (len(series_ids), len(days))
    freq: str = "D"  # "D" or "W"
    # Known-in-advance drivers, name -> series x (periods + future periods) array; a column
    # beyond len(days) is a planned value for the forecast horizon (price, promotion, event).
    exogenous: dict[str, np.ndarray] = field(default_factory=dict)
    # Per-series integer codes (category, brand, vendor, region, price band).
    static: dict[str, np.ndarray] = field(default_factory=dict)
    censored: np.ndarray | None = None  # bool, same shape as values
    # Drivers observed with the sales and known only up to the last period (orders per
    # period, the largest line): name -> series x periods, never any future column, so a
    # forecast can read them at its origin only.
    history: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def last_day(self) -> pd.Timestamp:
        return self.days[-1]

    @property
    def season(self) -> int:
        return SEASON_LENGTH[self.freq]

    @property
    def n_series(self) -> int:
        return self.values.shape[0]

    @property
    def n_periods(self) -> int:
        return self.values.shape[1]

    def head(self, n_periods: int) -> "DemandMatrix":
        """The history up to (not including) period n_periods, as a backtest origin sees
        it. Exogenous arrays keep their later columns: they are planned, not observed."""
        return replace(
            self,
            days=self.days[:n_periods],
            values=self.values[:, :n_periods],
            censored=None if self.censored is None else self.censored[:, :n_periods],
            history={k: v[:, :n_periods] for k, v in self.history.items()},
        )

    def rows(self, index: np.ndarray) -> "DemandMatrix":
        """A subset of series, with their drivers."""
        return replace(
            self,
            series_ids=self.series_ids[index],
            values=self.values[index],
            exogenous={k: v[index] for k, v in self.exogenous.items()},
            static={k: v[index] for k, v in self.static.items()},
            censored=None if self.censored is None else self.censored[index],
            history={k: v[index] for k, v in self.history.items()},
        )

    def future_periods(self, horizon: int) -> pd.DatetimeIndex:
        return pd.date_range(self.days[-1], periods=horizon + 1, freq=PERIOD_FREQ[self.freq])[1:]

    def exogenous_until(self, name: str, n_periods: int, *, fill: float = 0.0) -> np.ndarray:
        """An exogenous array cut or padded to n_periods columns; padding repeats the last
        known value for prices and uses `fill` otherwise."""
        array = self.exogenous[name]
        if array.shape[1] >= n_periods:
            return array[:, :n_periods]
        pad_value = array[:, -1:] if name == "price" and array.shape[1] else np.full((array.shape[0], 1), fill)
        return np.concatenate([array, np.repeat(pad_value, n_periods - array.shape[1], axis=1)], axis=1)


def demand_matrix(
    sales: pd.DataFrame, *, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None
) -> DemandMatrix:
    """sales: columns series_id, date, units (one row per series and day with a sale)."""
    dates = pd.to_datetime(sales["date"])
    start = pd.Timestamp(start) if start is not None else dates.min()
    end = pd.Timestamp(end) if end is not None else dates.max()
    days = pd.date_range(start, end, freq="D")
    # Laid onto the grid with NumPy: pandas' pivot_table cost ~10 ms for one product's year,
    # a fifth of an on-demand forecast. Every series in `sales` gets a row (sorted, as the
    # pivot gave), days outside start..end are dropped, repeated days are summed.
    series_ids, row = np.unique(sales["series_id"].to_numpy(), return_inverse=True)
    offset = (
        (dates.to_numpy().astype("datetime64[D]") - days[0].to_datetime64().astype("datetime64[D]")).astype(int)
        if len(days)
        else np.zeros(len(sales), dtype=int)
    )
    inside = (offset >= 0) & (offset < len(days))
    values = np.zeros((len(series_ids), len(days)))
    np.add.at(values, (row[inside], offset[inside]), sales["units"].to_numpy(dtype=float)[inside])
    return DemandMatrix(series_ids=series_ids, days=days, values=values)


def to_weekly(matrix: DemandMatrix, *, complete_weeks_only: bool = True) -> DemandMatrix:
    """Sum a daily matrix into weeks starting Monday. Partial weeks at either end are
    dropped (a half week is not low demand). Exogenous drivers become weekly means
    (prices, promotion share, event share); a week is censored when most of it was."""
    if matrix.freq == "W":
        return matrix
    week_start = matrix.days - pd.to_timedelta(matrix.days.dayofweek, unit="D")
    codes, weeks = pd.factorize(week_start)
    counts = np.bincount(codes, minlength=len(weeks))
    keep = counts == 7 if complete_weeks_only else counts > 0
    if not keep.any():
        raise ValueError("The history holds no complete week; weekly forecasts need at least 7 whole days.")

    def summed(array: np.ndarray, how: str) -> np.ndarray:
        frame = pd.DataFrame(array.T)
        grouped = frame.groupby(codes[: array.shape[1]])
        result = (grouped.sum() if how == "sum" else grouped.mean()).to_numpy().T
        return result[:, keep[: result.shape[1]]]

    exogenous = {}
    for name, array in matrix.exogenous.items():
        # Future columns beyond the history keep going week by week.
        n_future_days = array.shape[1] - matrix.n_periods
        history = summed(array[:, : matrix.n_periods], "mean")
        future = array[:, matrix.n_periods :]
        n_future_weeks = n_future_days // 7
        future_weeks = (
            future[:, : n_future_weeks * 7].reshape(array.shape[0], n_future_weeks, 7).mean(axis=2)
            if n_future_weeks
            else np.zeros((array.shape[0], 0))
        )
        exogenous[name] = np.concatenate([history, future_weeks], axis=1)
    censored = None
    if matrix.censored is not None:
        censored = summed(matrix.censored.astype(float), "mean") > 0.5
    return DemandMatrix(
        series_ids=matrix.series_ids,
        days=pd.DatetimeIndex(weeks[keep]),
        values=summed(matrix.values, "sum"),
        freq="W",
        exogenous=exogenous,
        static=dict(matrix.static),
        censored=censored,
        # Counts (orders) add up over the week.
        history={name: summed(array, "sum") for name, array in matrix.history.items()},
    )


def long_frame(matrix: DemandMatrix) -> pd.DataFrame:
    """The long format the rest of the app shares: series_id, date, target."""
    return pd.DataFrame(
        {
            "series_id": np.repeat(matrix.series_ids, len(matrix.days)),
            "date": np.tile(matrix.days.to_numpy(), len(matrix.series_ids)),
            "target": matrix.values.ravel(),
        }
    )


def matrix_from_long(
    frame: pd.DataFrame,
    *,
    id_col: str = "series_id",
    date_col: str = "date",
    target_col: str = "target",
    freq: str = "D",
    exogenous_cols: tuple[str, ...] = (),
    history_cols: tuple[str, ...] = (),
) -> DemandMatrix:
    """A long frame (one row per series and period; missing periods are zero demand) as a
    matrix. Exogenous columns are pivoted the same way, missing values carried forward;
    history columns (counts observed with the sales, DemandMatrix.history) are summed, zero
    where missing, like the target."""
    dates = pd.to_datetime(frame[date_col])
    if freq == "W":
        dates = dates - pd.to_timedelta(dates.dt.dayofweek, unit="D")
    dates = dates.dt.normalize()
    periods = pd.date_range(dates.min(), dates.max(), freq=PERIOD_FREQ[freq])
    data = frame.assign(**{date_col: dates})
    wide = data.pivot_table(index=id_col, columns=date_col, values=target_col, aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=periods, fill_value=0.0)
    exogenous = {}
    for column in exogenous_cols:
        pivot = data.pivot_table(index=id_col, columns=date_col, values=column, aggfunc="mean")
        pivot = pivot.reindex(index=wide.index, columns=periods).ffill(axis=1).bfill(axis=1).fillna(0.0)
        exogenous[column] = pivot.to_numpy(dtype=float)
    history = {}
    for column in history_cols:
        pivot = data.pivot_table(index=id_col, columns=date_col, values=column, aggfunc="sum", fill_value=0.0)
        history[column] = pivot.reindex(index=wide.index, columns=periods, fill_value=0.0).to_numpy(dtype=float)
    return DemandMatrix(
        series_ids=wide.index.to_numpy(),
        days=periods,
        values=wide.to_numpy(dtype=float),
        freq=freq,
        exogenous=exogenous,
        history=history,
    )


def demand_features(matrix: DemandMatrix) -> pd.DataFrame:
    """What the forecasters look at, per series and period: for drift monitoring."""
    frame = pd.DataFrame(matrix.values.T, index=matrix.days)
    return pd.DataFrame(
        {
            "units": frame.to_numpy().ravel(),
            "units_mean_7d": frame.rolling(7, min_periods=1).mean().to_numpy().ravel(),
            "units_mean_28d": frame.rolling(28, min_periods=1).mean().to_numpy().ravel(),
        }
    )
