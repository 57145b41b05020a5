"""History-only drivers (orders per period) in the global LightGBM model: read at the
forecast's origin only, never ahead of it (no database; small and seeded)."""

import numpy as np
import pandas as pd

from forecasting.ml.features import HISTORY_AGE, history_driver_features
from forecasting.ml.lgbm import GlobalLightGBM
from forecasting.ml.matrix import DemandMatrix, matrix_from_long, to_weekly


def bulk_panel(n_series=40, n_weeks=80, seed=3):
    """Weekly units as orders x 5 units, in two regimes that persist (about 2 or 20 orders a
    week, switching one week in ten), plus one-off wholesale lines in the quiet regime: a
    single order of 100 units, as big as a busy week, which does not repeat. Units alone
    cannot tell the two apart; the order count can."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2024-01-01", periods=n_weeks, freq="W-MON")
    busy = np.zeros((n_series, n_weeks), dtype=bool)
    state = rng.random(n_series) < 0.5
    for week in range(n_weeks):
        state = np.where(rng.random(n_series) < 0.1, ~state, state)
        busy[:, week] = state
    orders = rng.poisson(np.where(busy, 20.0, 2.0)).astype(float)
    bulk = ~busy & (rng.random((n_series, n_weeks)) < 0.15)
    matrix = DemandMatrix(
        series_ids=np.arange(n_series),
        days=weeks,
        values=orders * 5 + bulk * 100,
        freq="W",
        history={"orders": orders + bulk},
    )
    return matrix, bulk


def test_history_driver_features_read_earlier_periods_only():
    units = np.arange(1.0, 21.0).reshape(1, 20) * 10
    orders = np.arange(1.0, 21.0).reshape(1, 20)
    features = history_driver_features(units, {"orders": orders}, freq="W")
    assert features["hist_orders_lag_1"][0, 5] == 5.0 and features["hist_orders_lag_4"][0, 5] == 2.0
    assert features["hist_orders_mean_4"][0, 6] == np.mean(orders[0, 2:6])
    assert np.isnan(features["hist_orders_mean_13"][0, 12]) and features["hist_orders_mean_13"][0, 13] == 7.0
    assert features["hist_units_per_orders_mean_4"][0, 8] == 10.0
    changed = orders.copy()
    changed[0, 10:] = 0.0  # what happens from period 10 on cannot move period 10's features
    later = history_driver_features(units, {"orders": changed}, freq="W")
    for name, array in features.items():
        np.testing.assert_array_equal(array[:, :11], later[name][:, :11], err_msg=name)
    # No order, no size of one: units per order is missing, not infinite.
    assert np.isnan(later["hist_units_per_orders_lag_1"][0, 11])


def test_the_matrix_keeps_history_drivers_to_the_origin():
    matrix, _ = bulk_panel(n_series=3, n_weeks=20)
    head = matrix.head(12)
    assert head.history["orders"].shape == (3, 12)
    assert matrix.rows(np.array([2])).history["orders"].shape == (1, 20)
    frame = pd.DataFrame(
        {"id": [1, 1, 2], "week": ["2024-01-01", "2024-01-15", "2024-01-08"], "units": [5, 7, 3], "orders": [2, 1, 3]}
    )
    long = matrix_from_long(frame, id_col="id", date_col="week", target_col="units", freq="W", history_cols=("orders",))
    np.testing.assert_array_equal(long.history["orders"], [[2, 0, 1], [0, 3, 0]])
    days = pd.date_range("2024-01-01", periods=14, freq="D")
    daily = DemandMatrix(
        series_ids=np.array([1]), days=days, values=np.ones((1, 14)), history={"orders": np.arange(14.0)[None, :]}
    )
    np.testing.assert_array_equal(to_weekly(daily).history["orders"], [[21.0, 70.0]])


def test_orders_tell_a_one_off_wholesale_week_from_demand():
    matrix, _ = bulk_panel()
    cutoff = 70
    history = matrix.head(cutoff)
    with_orders = GlobalLightGBM(num_boost_round=100, history_drivers=("orders",)).fit(history)
    without = GlobalLightGBM(num_boost_round=100).fit(history)
    assert HISTORY_AGE in with_orders.feature_names_ and "hist_orders_mean_13" in with_orders.feature_names_
    assert not any(name.startswith("hist_") for name in without.feature_names_)
    forecast, plain = with_orders.predict(history, 4), without.predict(history, 4)
    actual = matrix.values[:, cutoff : cutoff + 4]
    assert np.abs(forecast - actual).mean() < 0.98 * np.abs(plain - actual).mean()
    # Future orders are never read: a matrix carrying them gives the same forecast.
    leaky = DemandMatrix(
        series_ids=history.series_ids, days=history.days, values=history.values, freq="W", history=matrix.history
    )
    np.testing.assert_array_equal(with_orders.predict(leaky, 4), forecast)
    restored = GlobalLightGBM.from_bytes(with_orders.to_bytes())
    np.testing.assert_allclose(restored.predict(history, 4), forecast)
    # Without the driver at forecast time the model still answers (the driver is unknown).
    bare = DemandMatrix(series_ids=history.series_ids, days=history.days, values=history.values, freq="W")
    assert np.isfinite(with_orders.predict(bare, 4)).all()
