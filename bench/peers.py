"""Outside peers for the forecasting benchmark, wrapped in RetailIQ's Forecaster
protocol so they run on exactly the same cutoffs as our models, each set up as its
documentation recommends for the data's frequency. Benchmark-only: the app never
imports this module. settings(freq, n_periods) says, in words, what each one gets; the
benchmark prints it.

- statsforecast_autoets: statsforecast's AutoETS (model "ZZZ", its default) with
  season_length the frequency's season (7 for daily, 52 for weekly) when the history
  holds two full seasons, none otherwise (statsforecast's guidance: season_length is the
  number of observations per seasonal cycle). It tries up to 30 ETS models per series,
  so the benchmark may hand it only the last max_history periods (--ets-history).
- statsforecast_mstl: statsforecast's MSTL, its recommendation for multiple seasonalities:
  season_length [7, 364] for daily data, [52] for weekly, with its default trend
  forecaster AutoETS(model="ZZN"). Only where the history holds two years (STL needs two
  full cycles of the longest season); elsewhere it is left out and the table says why.
- mlforecast_lgbm: mlforecast with LightGBM, following its guides for the frequency.
  Weekly: lags [1, 2, 4] plus 52 when the history holds a year and half a year more,
  lag_transforms {1: [RollingMean(4), RollingMean(13)]} (rolling means of recent
  demand), date_features month and week of the year. Daily: lags [1, 7, 14] plus 364
  where the history allows, lag_transforms {1: [RollingMean(7), RollingMean(28)],
  7: [RollingMean(28)]}, date_features day of week, month and day of the year. No
  Differences: most retail series here are intermittent or lumpy, where differencing
  turns each sale into a spike and a drop (mlforecast's target-transform guide uses
  Differences for trending, smooth series); instead LocalStandardScaler, its transform for
  series on very different scales, so one model serves products selling thousands a
  week and ones selling a few. models=[lightgbm.LGBMRegressor(verbosity=-1)], its
  defaults otherwise (the benchmark gives it RetailIQ's LightGBM thread count).

All get the demand history only (no prices or promotions: not part of any default
setup). Their forecasts are clipped at zero, the one change we make: the protocol (and
every metric's fairness) asks for non-negative demand.
"""

import numpy as np
import pandas as pd

from forecasting.ml.base import non_negative
from forecasting.ml.matrix import PERIOD_FREQ, DemandMatrix


def _long(matrix: DemandMatrix) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(matrix.n_series), matrix.n_periods),
            "ds": np.tile(matrix.days.to_numpy(), matrix.n_series),
            "y": matrix.values.ravel().astype(float),
        }
    )


def _wide(predictions: pd.DataFrame, column: str, n_series: int, horizon: int) -> np.ndarray:
    """Series that the library could not forecast (too short, all zero) stay at zero."""
    result = np.zeros((n_series, horizon))
    for uid, group in predictions.groupby("unique_id", sort=False):
        values = group.sort_values("ds")[column].to_numpy()[:horizon]
        result[int(uid), : len(values)] = values
    return non_negative(result)


def _tail(matrix: DemandMatrix, periods: int) -> DemandMatrix:
    return DemandMatrix(
        series_ids=matrix.series_ids,
        days=matrix.days[-periods:],
        values=matrix.values[:, -periods:],
        freq=matrix.freq,
    )


class _Peer:
    name = "peer"

    def fit(self, matrix: DemandMatrix) -> "_Peer":
        # Both libraries fit and forecast in one step on the history they are handed.
        self.freq_ = matrix.freq
        return self

    def to_bytes(self) -> bytes:
        raise NotImplementedError("Benchmark peers are not saved.")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "_Peer":
        raise NotImplementedError("Benchmark peers are not saved.")


YEAR = {"D": 364, "W": 52}
SEASON = {"D": 7, "W": 52}


def mlforecast_setup(freq: str, n_periods: int) -> dict:
    """mlforecast's lags, lag transforms and date features for the frequency, with the
    yearly lag only where the history holds a year and half a year of rows after it."""
    from mlforecast.lag_transforms import RollingMean

    yearly = n_periods >= YEAR[freq] * 3 // 2
    if freq == "W":
        return {
            "lags": [1, 2, 4, *([52] if yearly else [])],
            "lag_transforms": {1: [RollingMean(window_size=4), RollingMean(window_size=13)]},
            "date_features": ["month", week_of_year],
        }
    return {
        "lags": [1, 7, 14, *([364] if yearly else [])],
        "lag_transforms": {
            1: [RollingMean(window_size=7), RollingMean(window_size=28)],
            7: [RollingMean(window_size=28)],
        },
        "date_features": ["dayofweek", "month", "dayofyear"],
    }


def week_of_year(dates: pd.DatetimeIndex) -> np.ndarray:
    return pd.DatetimeIndex(dates).isocalendar().week.to_numpy(dtype=int)


def settings(freq: str, n_periods: int) -> dict[str, str]:
    """Each peer's configuration on this history, in words, for the benchmark's output."""
    setup = mlforecast_setup(freq, n_periods)
    transforms = {k: [f"RollingMean({t.window_size})" for t in v] for k, v in setup["lag_transforms"].items()}
    dates = [f if isinstance(f, str) else f.__name__ for f in setup["date_features"]]
    season = SEASON[freq] if n_periods >= 2 * SEASON[freq] else 1
    mstl = [7, YEAR["D"]] if freq == "D" else [YEAR["W"]]
    return {
        "statsforecast_autoets": f"AutoETS(ZZZ, season_length={season})",
        "statsforecast_mstl": (
            f"MSTL(season_length={mstl}, trend AutoETS(ZZN))"
            if n_periods >= 2 * YEAR[freq]
            else f"left out: {n_periods} periods hold fewer than two years"
        ),
        "mlforecast_lgbm": (
            f"lags {setup['lags']}, lag_transforms {transforms}, date_features {dates}, "
            "target_transforms [LocalStandardScaler()], no differencing, LGBMRegressor defaults"
        ),
    }


class StatsForecastAutoETS(_Peer):
    name = "statsforecast_autoets"

    def __init__(self, n_jobs: int = 1, max_history: int | None = None) -> None:
        self.n_jobs = n_jobs
        self.max_history = max_history

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS

        if self.max_history and matrix.n_periods > self.max_history:
            matrix = _tail(matrix, self.max_history)
        season = SEASON[matrix.freq] if matrix.n_periods >= 2 * SEASON[matrix.freq] else 1
        # AutoETS cannot fit a series that never sold; its forecast is zero anyway.
        sold = np.flatnonzero(matrix.values.sum(axis=1) > 0)
        result = np.zeros((matrix.n_series, horizon))
        if sold.size:
            frame = _long(matrix.rows(sold))
            model = StatsForecast(
                models=[AutoETS(season_length=season)], freq=PERIOD_FREQ[matrix.freq], n_jobs=self.n_jobs
            )
            result[sold] = _wide(model.forecast(df=frame, h=horizon), "AutoETS", sold.size, horizon)
        return result


class StatsForecastMSTL(_Peer):
    name = "statsforecast_mstl"

    def __init__(self, n_jobs: int = 1) -> None:
        self.n_jobs = n_jobs

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL

        year = YEAR[matrix.freq]
        if matrix.n_periods < 2 * year:
            raise ValueError(
                f"MSTL needs two years of history for a yearly season; this has {matrix.n_periods} periods"
            )
        seasons = [7, year] if matrix.freq == "D" else [year]
        sold = np.flatnonzero(matrix.values.sum(axis=1) > 0)
        result = np.zeros((matrix.n_series, horizon))
        if sold.size:
            model = StatsForecast(
                models=[MSTL(season_length=seasons)], freq=PERIOD_FREQ[matrix.freq], n_jobs=self.n_jobs
            )
            result[sold] = _wide(model.forecast(df=_long(matrix.rows(sold)), h=horizon), "MSTL", sold.size, horizon)
        return result


class MLForecastLightGBM(_Peer):
    name = "mlforecast_lgbm"

    def __init__(self, n_jobs: int = -1) -> None:
        # LightGBM's thread count only; on a busy machine its default (-1, every core)
        # spins its OpenMP threads and runs many times slower than one thread.
        self.n_jobs = n_jobs

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        import lightgbm
        from mlforecast import MLForecast
        from mlforecast.target_transforms import LocalStandardScaler

        model = MLForecast(
            models=[lightgbm.LGBMRegressor(verbosity=-1, n_jobs=self.n_jobs)],
            freq=PERIOD_FREQ[matrix.freq],
            target_transforms=[LocalStandardScaler()],
            **mlforecast_setup(matrix.freq, matrix.n_periods),
        )
        model.fit(_long(matrix))
        return _wide(model.predict(horizon), "LGBMRegressor", matrix.n_series, horizon)
