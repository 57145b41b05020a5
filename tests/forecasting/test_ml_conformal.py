"""Conformal interval widths in units of each series' own backtest error, the later origins counting
more. Seeded synthetic panels with known noise, no database."""

import numpy as np
import pandas as pd

from forecasting.ml import conformal
from forecasting.ml.conformal import IntervalWidths, calibrate_on_origins, conformal_quantile
from forecasting.ml.ensemble import EnsembleForecaster
from forecasting.ml.matrix import DemandMatrix

HORIZON = 14
PROFILE = np.array([1.6, 1.4, 1.0, 0.8, 0.6, 1.4, 0.2])  # Monday .. Sunday


class WeekdayMean:
    """The mean of the same weekday over the last four weeks: right for both kinds of series below."""

    name = "weekday_mean"

    def fit(self, matrix: DemandMatrix) -> "WeekdayMean":
        return self

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        last = matrix.values[:, -28:].reshape(matrix.n_series, 4, 7).mean(axis=1)
        return np.tile(last, int(np.ceil(horizon / 7)))[:, :horizon]

    def to_bytes(self) -> bytes:
        return b"{}"

    @classmethod
    def from_bytes(cls, raw: bytes) -> "WeekdayMean":
        return cls()


def _rhythm_and_noise(seed: int = 4, periods: int = 210) -> tuple[DemandMatrix, np.ndarray]:
    """Half the series follow a strong weekly rhythm with little noise (their recent spread is the
    rhythm, far above their forecast error), half are flat with much noise (spread = error)."""
    rng = np.random.default_rng(seed)
    n = 120
    days = pd.date_range("2025-01-06", periods=periods, freq="D")  # a Monday
    rhythm = np.arange(n) < n // 2
    values = np.where(
        rhythm[:, None],
        100.0 * PROFILE[days.dayofweek.to_numpy()] + rng.normal(0, 5, (n, periods)),
        100.0 + rng.normal(0, 30, (n, periods)),
    )
    return DemandMatrix(series_ids=np.arange(n) + 1000, days=days, values=np.clip(values, 0, None)), rhythm


def test_the_80_and_95_bands_cover_near_nominal_on_each_kind_of_series_not_only_on_average():
    # Widths in units of the recent spread gave the rhythmic half a band many errors wide and the noisy
    # half one too narrow: 80% bands covering about 1.0 and 0.6 of their unseen fortnight.
    matrix, rhythm = _rhythm_and_noise()
    history = matrix.head(matrix.n_periods - HORIZON)
    model, _ = EnsembleForecaster.train(history, {"weekday_mean": WeekdayMean}, horizon=HORIZON, n_origins=3)
    bounds = model.predict_intervals(history, HORIZON)
    actual = matrix.values[:, -HORIZON:]
    for level, tolerance in ((80, 0.06), (95, 0.04)):
        inside = (actual >= bounds[f"lower_{level}"]) & (actual <= bounds[f"upper_{level}"])
        for kind in (rhythm, ~rhythm):
            assert abs(inside[kind].mean() - level / 100) < tolerance, (level, inside[kind].mean())


def test_each_series_keeps_its_own_error_unit_and_an_unseen_one_borrows_the_panel_ratio():
    rng = np.random.default_rng(1)
    spreads = [np.full(3, 10.0)] * 3
    scales = np.array([1.0, 4.0, 0.5])[:, None]
    errors = [rng.normal(0, 1, (3, 500)) * scales for _ in range(3)]
    widths = calibrate_on_origins(errors, spreads, [np.full(3, "smooth")] * 3, np.array(["a", "b", "c"]))
    assert np.allclose([widths.series_units[s] for s in "abc"], [1.0, 4.0, 0.5], rtol=0.1)
    assert np.isclose(widths.spread_ratio, 0.1, rtol=0.1)  # the median unit over the spread
    units = widths.units(np.array(["b", "new"]), np.array([10.0, 30.0]))
    assert np.isclose(units[0], widths.series_units["b"]) and np.isclose(units[1], 30.0 * widths.spread_ratio)
    # Saved and loaded as plain data; an artifact written before units kept only the bounds.
    assert IntervalWidths.from_dict(widths.to_dict()) == widths
    assert IntervalWidths.from_dict(widths.bounds).units(np.array(["a"]), np.array([7.0]))[0] == 7.0


def test_later_origins_weigh_more_in_the_widths(monkeypatch):
    # Errors twice as large at the latest origin: its errors move the 80% half-width up more than an
    # equal share would.
    rng = np.random.default_rng(2)
    n = 400
    errors = [rng.normal(0, s, (n, 4)) for s in (1.0, 1.0, 2.0)]
    spreads, classes = [np.ones(n)] * 3, [np.full(n, "smooth")] * 3

    def half_width() -> float:
        return calibrate_on_origins(errors, spreads, classes, np.arange(n)).bounds["all"]["80"][1][0]

    weighted = half_width()
    monkeypatch.setattr(conformal, "RECENCY", 1.0)
    assert weighted > 1.2 * half_width()


def test_the_weighted_quantile_is_the_split_conformal_order_statistic_with_equal_weights():
    values = np.arange(1.0, 20.0)  # 19 values: ceil(20 * 0.8) = 16th
    assert conformal_quantile(values, np.ones(19), 0.8) == 16.0
    assert conformal_quantile(values, np.ones(19), 0.95) == 19.0
    # Weight on the large values moves the quantile up.
    assert conformal_quantile(values, np.where(values > 10, 4.0, 1.0), 0.8) > 16.0
