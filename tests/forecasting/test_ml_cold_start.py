"""New products borrow the level and weekly shape of similar established products, and
lean on their own sales as those come in."""

import numpy as np
import pandas as pd
import pytest

from forecasting.ml.cold_start import ALL_PRODUCTS, NO_PEERS, cold_series, cold_start_forecast, periods_selling
from forecasting.ml.matrix import DemandMatrix, to_weekly

DAYS = pd.date_range("2026-02-02", periods=56, freq="D")  # Monday to Sunday, eight weeks
SATURDAY = 5
# Rice sells twice an average day's demand on Saturdays: 5/6 of it on the other six days.
WEEKLY_SHAPE = np.where(np.asarray(DAYS.dayofweek) == SATURDAY, 2.0, 5 / 6)
RICE, OIL, SOAP = 10, 20, 30

# series id: (level per day, category, parent category, brand, price band); warm products first.
CATALOG = {
    1: (6, RICE, 1, 101, 0),
    2: (8, RICE, 1, 101, 0),
    3: (9, RICE, 1, 100, 1),
    4: (10, RICE, 1, 101, 1),  # out of stock its last week
    5: (11, RICE, 1, 100, 1),
    6: (12, RICE, 1, 101, 2),
    7: (14, RICE, 1, 100, 2),
    8: (100, RICE, 1, 100, 2),  # the category's best-seller
    11: (50, OIL, 1, 200, 0),
    12: (50, OIL, 1, 200, 1),
    13: (50, OIL, 1, 200, 2),
    21: (2, SOAP, 2, 300, 0),
    22: (2, SOAP, 2, 300, 0),
    31: (0, 40, 2, 400, 4),  # an old slow mover: one sale, eight weeks ago
    # New products.
    101: (0, RICE, 1, 100, 1),  # never sold
    102: (30, RICE, 1, 101, 0),  # its first week, selling three times the category's level
    103: (0, SOAP, 2, 100, 0),  # too few soaps: borrows from its brand
    104: (0, 99, 9, 999, 3),  # nothing like it
}
NEW = [101, 102, 103, 104]


def _matrix() -> DemandMatrix:
    ids = np.array(list(CATALOG))
    values = np.array([level * WEEKLY_SHAPE for level, *_ in CATALOG.values()])
    censored = np.zeros_like(values, dtype=bool)
    row = {sid: i for i, sid in enumerate(ids)}
    values[row[4], -7:], censored[row[4], -7:] = 0, True  # lost sales, not zero demand
    values[row[31], 0] = 3
    values[[row[101], row[103], row[104]]] = 0
    values[row[102], :-7] = 0
    static = {
        name: np.array([entry[i] for entry in CATALOG.values()])
        for i, name in enumerate(["level", "category", "parent_category", "brand", "price_band"])
        if name != "level"
    }
    return DemandMatrix(series_ids=ids, days=DAYS, values=values, static=static, censored=censored)


def _by_id(result):
    return {int(sid): (result.forecast[i], result.basis[i]) for i, sid in enumerate(result.series_ids)}


def test_new_products_are_told_apart_by_age_not_by_how_often_they_sell():
    matrix = _matrix()
    age = dict(zip(matrix.series_ids.tolist(), periods_selling(matrix).tolist(), strict=True))
    assert age[101] == 0 and age[102] == 7 and age[31] == 56 and age[1] == 56
    assert matrix.series_ids[cold_series(matrix, min_history=28)].tolist() == NEW


def test_a_product_that_never_sold_borrows_its_category_and_price_band_peers():
    result = cold_start_forecast(_matrix(), horizon=14)
    forecast, basis = _by_id(result)[101]
    assert basis.rule == "category and price band"
    assert sorted(basis.peer_ids.tolist()) == [3, 4, 5]
    # Weighted median of 9, 10 (its stockout week left out) and 11; same-brand peers weigh more.
    assert basis.peer_level == pytest.approx(10)
    future_days = pd.date_range(DAYS[-1] + pd.Timedelta(days=1), periods=14)
    expected = np.where(future_days.dayofweek == SATURDAY, 20.0, 10 * 5 / 6)  # the category's Saturday peak
    np.testing.assert_allclose(forecast, expected)
    assert basis.describe(category="Rice") == "forecast borrowed from 3 similar products in Rice, same price band"


def test_a_product_with_a_week_of_sales_leans_on_them_by_credibility():
    forecast, basis = _by_id(cold_start_forecast(_matrix(), horizon=7, prior_periods=14))[102]
    # Only two rice products share its price band: the whole category, its best-seller
    # not pulling the median up.
    assert basis.rule == "category" and basis.n_peers == 8
    assert basis.peer_level == pytest.approx(10)
    assert basis.own_periods == 7 and basis.own_weight == pytest.approx(7 / 21)
    level = 10 + (30 - 10) * 7 / 21
    np.testing.assert_allclose(forecast.mean(), level)
    np.testing.assert_allclose(forecast[SATURDAY], 2 * level)
    assert basis.describe(category="Rice") == (
        "forecast borrowed from 8 similar products in Rice, adjusted to its own 7 days of sales (33%)"
    )
    # More own history, more weight on it.
    _, trusting = _by_id(cold_start_forecast(_matrix(), horizon=7, prior_periods=7))[102]
    assert trusting.own_weight == pytest.approx(0.5)


def test_fallbacks_to_brand_and_then_to_the_whole_catalog():
    result = _by_id(cold_start_forecast(_matrix(), horizon=7))
    forecast, basis = result[103]
    assert basis.rule == "brand" and sorted(basis.peer_ids.tolist()) == [3, 5, 7, 8]
    assert basis.peer_level == pytest.approx(11)  # median of 9, 11, 14, 100
    np.testing.assert_allclose(forecast.mean(), 11)  # one whole week of the rice shape
    assert basis.describe() == "forecast borrowed from 4 similar products of the same brand"
    _, basis = result[104]
    assert basis.rule == ALL_PRODUCTS and basis.n_peers == 14  # every established product
    assert basis.describe().endswith("14 similar products across the catalog")


def test_stockout_days_do_not_lower_a_peers_level():
    matrix = _matrix()
    matrix.censored[:] = False  # as if the stockout week were true zeros
    _, basis = _by_id(cold_start_forecast(matrix, horizon=7))[101]
    assert basis.peer_level == pytest.approx(9)  # product 4 now looks like 7.5 a day


def test_missing_codes_do_not_make_peers():
    ids = np.array([1, 2, 3, 4])
    values = np.array([[5.0] * 28, [5.0] * 28, [7.0] * 28, [0.0] * 28])
    static = {"category": np.array([-1, -1, 8, -1]), "brand": np.array([-1, -1, -1, -1])}
    matrix = DemandMatrix(series_ids=ids, days=DAYS[:28], values=values, static=static)
    _, basis = _by_id(cold_start_forecast(matrix, horizon=3, min_peers=1))[4]
    assert basis.rule == ALL_PRODUCTS and basis.n_peers == 3


def test_weekly_series_borrow_a_level_and_no_daily_shape():
    weekly = to_weekly(_matrix())
    forecast, basis = _by_id(cold_start_forecast(weekly, horizon=4, min_history=4, window=4))[101]
    assert sorted(basis.peer_ids.tolist()) == [3, 4, 5]
    np.testing.assert_allclose(forecast, 70.0)  # 10 a day, every week alike
    assert basis.describe(category="Rice", period="week").startswith("forecast borrowed from 3")


def test_without_established_products_a_product_keeps_its_own_level():
    matrix = _matrix().rows(np.arange(14, 18))  # only the four new products
    result = _by_id(cold_start_forecast(matrix, horizon=7))
    assert result[101][1].rule == NO_PEERS and not result[101][0].any()
    np.testing.assert_allclose(result[102][0].mean(), 30.0)  # no peers' shape either: flat at its own level
    assert result[101][1].describe() == "no similar products to borrow from"


def test_output_shapes_and_required_codes():
    result = cold_start_forecast(_matrix(), horizon=9)
    assert result.forecast.shape == (4, 9) and (result.forecast >= 0).all()
    assert result.series_ids.tolist() == NEW and len(result.basis) == 4
    explicit = cold_start_forecast(_matrix(), horizon=9, cold=np.isin(_matrix().series_ids, [101]))
    assert explicit.series_ids.tolist() == [101]
    with pytest.raises(ValueError, match="category"):
        cold_start_forecast(DemandMatrix(series_ids=np.array([1]), days=DAYS, values=np.zeros((1, 56))), horizon=3)


def test_a_new_products_band_is_in_the_models_error_units():
    # The model's widths are in units of each series' backtest error; a new product's scale is put in
    # those units by the model's ratio of error to spread, as an unseen series' is in the ensemble.
    from types import SimpleNamespace

    from forecasting.cold_start import replace_new_products
    from forecasting.ml.conformal import IntervalWidths

    matrix, horizon = _matrix(), 7
    row = int(np.flatnonzero(matrix.series_ids == 102)[0])
    half_widths = {}
    for ratio in (1.0, 0.5):
        steps = {"80": [[-1.0] * horizon, [1.0] * horizon], "95": [[-2.0] * horizon, [2.0] * horizon]}
        model = SimpleNamespace(interval_widths=IntervalWidths(bounds={"all": steps}, spread_ratio=ratio))
        keys = ("forecast", "lower_80", "upper_80", "lower_95", "upper_95")
        bounds = {key: np.zeros((matrix.n_series, horizon)) for key in keys}
        replace_new_products(model, matrix, bounds, horizon)
        half_widths[ratio] = bounds["upper_95"][row] - bounds["forecast"][row]
    assert (half_widths[1.0] > 0).all()
    np.testing.assert_allclose(half_widths[0.5], 0.5 * half_widths[1.0])
