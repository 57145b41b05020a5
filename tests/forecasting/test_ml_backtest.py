"""Rolling-origin backtests and the scaled error measures, on seeded synthetic series."""

import json

import numpy as np
import pandas as pd
import pytest

from forecasting.ml import metrics
from forecasting.ml.backtest import IntervalWidths, origins, rolling_origin
from forecasting.ml.matrix import DemandMatrix


def make_matrix(n_series: int = 60, periods: int = 120, *, seed: int = 1, censored: bool = False) -> DemandMatrix:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-06", periods=periods, freq="D")
    level = rng.gamma(3.0, 4.0, n_series)[:, None]
    weekly = np.array([1.2, 1.0, 1.0, 1.0, 1.1, 1.3, 0.4])[days.dayofweek.to_numpy()]
    values = rng.poisson(level * weekly).astype(float)
    mask = np.zeros_like(values, bool)
    if censored:
        mask[:5, -10:] = True
    return DemandMatrix(series_ids=np.arange(n_series), days=days, values=values, censored=mask if censored else None)


class LastValue:
    name = "last_value"

    def fit(self, matrix: DemandMatrix) -> "LastValue":
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return np.repeat(matrix.values[:, -1:], horizon, axis=1)

    def to_bytes(self) -> bytes:
        return b"{}"

    @classmethod
    def from_bytes(cls, raw: bytes) -> "LastValue":
        return cls()


class Recorder(LastValue):
    """Remembers how much history it was given; tries to 'peek' at the future by reading
    past the end of what it was handed, which a backtest must make impossible."""

    seen: list[int] = []

    def fit(self, matrix: DemandMatrix) -> "Recorder":
        Recorder.seen.append(matrix.n_periods)
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        peeked = matrix.values[:, matrix.n_periods : matrix.n_periods + horizon]
        assert peeked.shape[1] == 0, "the model could see periods after its origin"
        return super().predict(matrix, horizon)


def oracle_for(matrix: DemandMatrix):
    """A cheat only a test can build: it is handed the full truth from outside."""

    class Oracle(LastValue):
        def predict(self, history: DemandMatrix, horizon: int) -> np.ndarray:
            return matrix.values[:, history.n_periods : history.n_periods + horizon]

    return Oracle


def test_origins_leave_exactly_the_horizon_after_the_last_cutoff():
    assert origins(100, horizon=14, n_origins=3) == [58, 72, 86]
    assert origins(100, horizon=14, n_origins=3, step=7) == [72, 79, 86]
    with pytest.raises(ValueError, match="Not enough history"):
        origins(10, horizon=14, n_origins=1)


def test_each_model_gets_only_the_history_before_its_origin():
    Recorder.seen = []
    matrix = make_matrix()
    result = rolling_origin(matrix, {"recorder": Recorder}, horizon=7, n_origins=3, raise_errors=True)
    assert Recorder.seen == [99, 106, 113] == [f.cutoff for f in result.folds]
    for fold in result.folds:
        assert np.array_equal(fold.actual, matrix.values[:, fold.cutoff : fold.cutoff + 7])
        assert np.array_equal(
            fold.forecasts["recorder"], np.repeat(matrix.values[:, fold.cutoff - 1 : fold.cutoff], 7, 1)
        )


def test_a_perfect_forecast_scores_zero_and_a_worse_one_scores_higher():
    matrix = make_matrix()
    result = rolling_origin(matrix, {"oracle": oracle_for(matrix), "last": LastValue}, horizon=7, n_origins=3)
    scores = result.metrics()["models"]
    assert scores["oracle"]["mae"] == scores["oracle"]["rmsse"] == scores["oracle"]["wape"] == 0.0
    assert scores["last"]["rmsse"] > 0.5 and scores["last"]["mase"] > 0.5
    assert set(scores["last"]) >= {"mae", "rmse", "wape", "smape", "mase", "rmsse", "coverage_80", "coverage_95"}
    assert scores["last"]["fit_seconds"] >= 0
    json.dumps(result.metrics())  # plain numbers only: it is stored on the model version


def _errors(metrics: dict) -> dict:
    """The metrics without the wall-clock fit time, which differs between any two runs."""
    if isinstance(metrics, dict):
        return {k: _errors(v) for k, v in metrics.items() if k != "fit_seconds"}
    return metrics


def test_censored_periods_are_left_out_of_every_error():
    class Constant(LastValue):
        def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
            return np.full((matrix.n_series, horizon), 5.0)

    clean = make_matrix(censored=True)
    # What a censored period holds is lost sales, whatever the number: nothing may change.
    spoiled = DemandMatrix(
        series_ids=clean.series_ids,
        days=clean.days,
        values=np.where(clean.censored, 1e6, clean.values),
        censored=clean.censored,
    )
    a = _errors(rolling_origin(clean, {"c": Constant}, horizon=7, n_origins=2).metrics())
    b = _errors(rolling_origin(spoiled, {"c": Constant}, horizon=7, n_origins=2).metrics())
    assert a == b
    uncensored = DemandMatrix(series_ids=spoiled.series_ids, days=spoiled.days, values=spoiled.values)
    c = rolling_origin(uncensored, {"c": Constant}, horizon=7, n_origins=2).metrics()
    assert c["models"]["c"]["mae"] > 1000 * a["models"]["c"]["mae"]


def test_rmsse_is_m5s_formula():
    history = np.array([[1.0, 3.0, 1.0, 3.0]])  # naive squared errors 4, 4, 4
    actual = np.array([[2.0, 2.0]])
    forecast = np.array([[0.0, 4.0]])  # squared errors 4, 4
    assert metrics.rmsse(actual, forecast, history) == pytest.approx(1.0)
    # leading zeros (not yet launched) are left out of the scale, like in M5
    launched_late = np.array([[np.nan, np.nan, 1.0, 3.0, 1.0, 3.0]])
    assert metrics.rmsse(actual, forecast, launched_late) == pytest.approx(1.0)
    assert metrics.mase(actual, forecast, history) == pytest.approx(1.0)


def test_a_failing_model_is_reported_not_fatal():
    class Broken(LastValue):
        def fit(self, matrix: DemandMatrix) -> "Broken":
            raise ValueError("needs more history")

    result = rolling_origin(make_matrix(), {"broken": Broken, "last": LastValue}, horizon=7, n_origins=2)
    assert result.models == ["last"]
    assert "needs more history" in result.errors["broken"]
    with pytest.raises(ValueError):
        rolling_origin(make_matrix(), {"broken": Broken}, horizon=7, n_origins=2, raise_errors=True)


def test_inner_origins_are_kept_but_not_scored():
    matrix = make_matrix()
    result = rolling_origin(matrix, {"last": LastValue}, horizon=7, n_origins=2, inner_origins=2)
    assert [f.cutoff for f in result.folds] == [92, 99, 106, 113] and result.first_scored == 2
    assert [f.cutoff for f in result.scored_folds] == [106, 113]
    Recorder.seen = []
    peers_too = rolling_origin(
        matrix,
        {"last": LastValue, "recorder": Recorder},
        horizon=7,
        n_origins=2,
        inner_origins=2,
        inner_models={"last"},
    )
    assert Recorder.seen == [106, 113]  # a model the nested one does not use skips the inner origins
    assert "recorder" in peers_too.metrics()["models"] and len(peers_too.fit_seconds["recorder"]) == 2


def test_classes_come_from_the_history_before_the_first_scored_origin():
    matrix = make_matrix(n_series=4)
    matrix.values[0] = 0.0
    matrix.values[0, -3:] = 50.0  # sells only after the first origin
    matrix.values[1, ::5] = 0.0
    metrics_ = rolling_origin(matrix, {"last": LastValue}, horizon=3, n_origins=1).metrics()
    assert rolling_origin(matrix, {"last": LastValue}, horizon=3, n_origins=1).classes[0] == "no demand"
    assert sum(metrics_["class_counts"].values()) == 4
    assert set(metrics_["classes"]) == set(metrics_["class_counts"])


def test_honest_interval_widths_cover_near_nominal_on_stable_noise():
    rng = np.random.default_rng(5)
    relative = rng.normal(0, 1, (2000, 7))
    widths = IntervalWidths.calibrate(relative, np.full(2000, "smooth"))
    forecast = np.full((4000, 7), 10.0)
    actual = forecast + rng.normal(0, 1, forecast.shape)
    bounds = widths.apply(forecast, np.ones(4000), np.full(4000, "smooth"))
    for level in (80, 95):
        inside = (actual >= bounds[f"lower_{level}"]) & (actual <= bounds[f"upper_{level}"])
        assert abs(inside.mean() - level / 100) < 0.02


def test_interval_bounds_are_symmetric_and_survive_a_change_of_bias():
    # Calibrated where the forecast ran low (errors mostly above it, a long upper tail),
    # applied where it runs as much too high: separate signed quantiles would put the whole
    # band above the forecast and miss every actual below it.
    rng = np.random.default_rng(6)
    relative = 0.5 + rng.gamma(2.0, 0.5, (2000, 4))
    widths = IntervalWidths.calibrate(relative, np.full(2000, "erratic"))
    for level in ("80", "95"):
        low, high = (np.asarray(b) for b in widths.bounds["all"][level])
        np.testing.assert_allclose(low, -high)
        assert np.all(high >= np.quantile(np.abs(relative), int(level) / 100, axis=0) - 1e-9)
    forecast = np.full((3000, 4), 50.0)
    actual = forecast - (0.5 + rng.gamma(2.0, 0.5, forecast.shape))  # the same errors, now below
    bounds = widths.apply(forecast, np.ones(3000), np.full(3000, "erratic"))
    for level in (80, 95):
        inside = (actual >= bounds[f"lower_{level}"]) & (actual <= bounds[f"upper_{level}"])
        assert abs(inside.mean() - level / 100) < 0.03


class Memorizer(LastValue):
    """Forecasts the last value it saw when fitted, whatever it is later handed."""

    def fit(self, matrix: DemandMatrix) -> "Memorizer":
        self.last_ = matrix.values[:, -1:].copy()
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return np.repeat(self.last_, horizon, axis=1)


def test_stale_forecasts_come_from_the_model_fitted_at_the_previous_origin():
    matrix = make_matrix()
    result = rolling_origin(matrix, {"m": Memorizer}, horizon=7, n_origins=3, stale_models={"m"})
    first, second, third = result.folds
    assert "m" not in first.stale_forecasts
    assert np.array_equal(second.stale_forecasts["m"], first.forecasts["m"])
    assert np.array_equal(third.stale_forecasts["m"], second.forecasts["m"])
    assert not np.array_equal(third.forecasts["m"], second.forecasts["m"])
