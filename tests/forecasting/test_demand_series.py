"""The one series training, batch scoring and the on-demand answer learn from: sales plus the units refused for
want of stock where a lost sale is on record, with such days no longer censored."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from forecasting import history
from forecasting.features import DEMAND_FEATURES
from forecasting.selectors import daily_product_demand
from retailiq.inventory.models import StockoutPeriod
from retailiq.orders.services import LineInput, RefusedLineInput, lost_sale_create, order_cancel, order_create
from tests import factories as f

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 14)


def march(day: int) -> dt.date:
    return dt.date(2026, 3, day)


def _order(shop, warehouse, day, *, sold=(), refused=()):
    return order_create(
        external_id=f"O-{shop.pk}-{day}-{len(sold)}-{len(refused)}",
        retailer_id=shop.pk,
        warehouse_id=warehouse.pk,
        placed_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        lines=[LineInput(product.pk, quantity, Decimal("10")) for product, quantity in sold],
        refused=[RefusedLineInput(product.pk, quantity) for product, quantity in refused],
    )


@pytest.fixture
def market():
    west, north = f.WarehouseFactory(region="West"), f.WarehouseFactory(region="North")
    shop = f.RetailerFactory(region="West")
    p1, p2 = f.ProductFactory(), f.ProductFactory()
    for warehouse in (west, north):
        f.StockLevelFactory(product=p1, warehouse=warehouse)
    # p1 out everywhere on 7 and 8 March: both are stockout days by the app's rule.
    StockoutPeriod.objects.create(product=p1, warehouse=west, started_on=march(6), ended_on=march(8))
    StockoutPeriod.objects.create(product=p1, warehouse=north, started_on=march(7), ended_on=march(9))
    _order(shop, west, march(2), sold=[(p1, 5)], refused=[(p1, 3)])
    # 7 March: a whole order refused at the West warehouse; the 8th has no record of what was lost.
    _order(shop, west, march(7), refused=[(p1, 6)])
    # A refusal on no order, at no warehouse; and one of an order cancelled since, which counts nowhere.
    lost_sale_create(retailer_id=shop.pk, product_id=p1.pk, lost_on=march(10), quantity=2)
    order_cancel(order=_order(shop, north, march(11), sold=[(p1, 1)], refused=[(p1, 40)]))
    # p2 never shipped a unit: asked for and refused, it is demand all the same.
    _order(shop, north, march(12), refused=[(p2, 4)])
    return west, north, p1, p2


def test_the_daily_demand_is_sales_plus_recorded_lost_units(market):
    _, _, p1, p2 = market
    frame = daily_product_demand(start=START, end=END).set_index(["series_id", "date"])
    assert frame.loc[(p1.pk, np.datetime64("2026-03-02")), ["units", "lost"]].tolist() == [8.0, 3.0]
    assert frame.loc[(p1.pk, np.datetime64("2026-03-07")), ["units", "lost"]].tolist() == [6.0, 6.0]
    assert frame.loc[(p1.pk, np.datetime64("2026-03-10")), "units"] == 2.0
    assert (p1.pk, np.datetime64("2026-03-11")) not in frame.index  # the cancelled order's sale and refusal
    assert frame.loc[(p2.pk, np.datetime64("2026-03-12")), "units"] == 4.0


def test_the_matrix_learns_demand_and_a_day_with_recorded_lost_units_is_not_censored(market):
    _, _, p1, p2 = market
    matrix = history.product_matrix(None, start=START, end=END, horizon=7)
    assert list(matrix.series_ids) == [p1.pk, p2.pk]  # p2 sold nothing and is still a series
    row = list(matrix.series_ids).index(p1.pk)
    assert matrix.values[row, [1, 6, 7, 9, 10]].tolist() == [8.0, 6.0, 0.0, 2.0, 0.0]
    # 7 March's demand is on record (6 refused); 8 March's is not, so it stays a censored guess.
    assert (np.flatnonzero(matrix.censored[row]) + 1).tolist() == [8]
    frame = history.training_frame(matrix)
    assert frame.loc[(frame["series_id"] == p1.pk), "target"].sum() == 16.0


def test_one_product_served_on_demand_reads_the_same_series(market):
    _, _, p1, _ = market
    everything = history.product_matrix(None, start=START, end=END, horizon=7)
    one = history.product_matrix([p1.pk], start=START, end=END, horizon=7)
    row = list(everything.series_ids).index(p1.pk)
    assert np.array_equal(one.values[0], everything.values[row])
    assert np.array_equal(one.censored[0], everything.censored[row])


def test_a_warehouse_series_adds_the_lost_units_at_known_warehouses(market):
    west, _, p1, _ = market
    matrix = history.product_matrix([p1.pk], start=START, end=END, horizon=0, warehouse_id=west.pk)
    # Sales shipped from a warehouse plus refusals at one; the refusal at no warehouse (10 March) is in no series.
    assert matrix.values[0, [1, 6, 9]].tolist() == [8.0, 6.0, 0.0]
    assert not matrix.censored[0, 6] and matrix.censored[0, 7]


def test_the_feature_set_version_records_the_change():
    # Revision 2: the lags and means are of demand (sales plus recorded lost units), not of shipped sales.
    assert DEMAND_FEATURES.version.startswith("2.")
