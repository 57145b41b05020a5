"""Two outside peers for the forecasting benchmark, wrapped in RetailIQ's Forecaster
protocol so they run on exactly the same cutoffs as our models. Benchmark-only: the
app never imports this module.

- statsforecast_autoets: Nixtla statsforecast's AutoETS (model "ZZZ", its default), one
  model per series, weekly season for daily data (7) and yearly for weekly data (52)
  when the history holds two full seasons, none otherwise. It chooses among up to 30
  ETS models per series (about 0.5 s for a 364-day series here), so the benchmark may
  hand it only the last max_history periods (--ets-history); the table says so.
- mlforecast_lgbm: mlforecast's README quick-start setup with LightGBM as the model.
  Daily: lags [7, 14], lag_transforms {1: [ExpandingMean()], 7: [RollingMean(28)]},
  date_features ["dayofweek"], target_transforms [Differences([1])] (word for word).
  Weekly: the same shape at weekly scale: lags [1, 4], {1: [ExpandingMean()],
  4: [RollingMean(8)]}, date_features ["month"], Differences([1]).
  models=[lightgbm.LGBMRegressor(verbosity=-1)] (its defaults otherwise; the benchmark
  gives it the same thread count as RetailIQ's LightGBM, --threads).

Both get the demand history only (no prices or promotions: not part of either default
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
        season = matrix.season if matrix.n_periods >= 2 * matrix.season else 1
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


class MLForecastLightGBM(_Peer):
    name = "mlforecast_lgbm"

    def __init__(self, n_jobs: int = -1) -> None:
        # LightGBM's thread count only; on a busy machine its default (-1, every core)
        # spins its OpenMP threads and runs many times slower than one thread.
        self.n_jobs = n_jobs

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        import lightgbm
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import ExpandingMean, RollingMean
        from mlforecast.target_transforms import Differences

        if matrix.freq == "D":
            setup = {
                "lags": [7, 14],
                "lag_transforms": {1: [ExpandingMean()], 7: [RollingMean(window_size=28)]},
                "date_features": ["dayofweek"],
            }
        else:
            setup = {
                "lags": [1, 4],
                "lag_transforms": {1: [ExpandingMean()], 4: [RollingMean(window_size=8)]},
                "date_features": ["month"],
            }
        model = MLForecast(
            models=[lightgbm.LGBMRegressor(verbosity=-1, n_jobs=self.n_jobs)],
            freq=PERIOD_FREQ[matrix.freq],
            target_transforms=[Differences([1])],
            **setup,
        )
        model.fit(_long(matrix))
        return _wide(model.predict(horizon), "LGBMRegressor", matrix.n_series, horizon)
