"""The ledger: stock on any past day follows from its movements, StockLevel moves with it, and stockout periods
are read off it."""

import datetime as dt

import numpy as np
import pytest

from retailiq.core.errors import InvalidInput
from retailiq.inventory.models import MovementKind, StockLevel, StockoutPeriod
from retailiq.inventory.selectors import stock_daily_frame, stock_on_hand
from retailiq.inventory.services import stock_movement_record, stockout_periods_refresh
from retailiq.inventory.stockouts import out_of_stock, stockout_runs
from tests import factories as f

D = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


@pytest.fixture
def pair(db):
    return f.ProductFactory(pack_size=1), f.WarehouseFactory()


def post(product, warehouse, n: int, quantity: int, kind: str, reference: str = "") -> None:
    stock_movement_record(
        product_id=product.pk, warehouse_id=warehouse.pk, moved_on=day(n), quantity=quantity, kind=kind,
        reference=reference,
    )  # fmt: skip


@pytest.fixture
def history(pair):
    product, warehouse = pair
    post(product, warehouse, 0, 50, MovementKind.ADJUSTMENT, "opening stock")
    post(product, warehouse, 1, -20, MovementKind.SALE)
    post(product, warehouse, 1, -10, MovementKind.SALE)
    post(product, warehouse, 3, -20, MovementKind.SALE)  # out on days 4 and 5
    post(product, warehouse, 6, 40, MovementKind.RECEIPT, "PO00000001")
    post(product, warehouse, 7, 5, MovementKind.RETURN, "RT00000001")
    post(product, warehouse, 8, -3, MovementKind.ADJUSTMENT, "count")
    return pair


def test_stock_on_hand_on_any_past_day(history):
    product, warehouse = history
    expected = {-1: 0, 0: 50, 1: 20, 2: 20, 3: 0, 5: 0, 6: 40, 7: 45, 8: 42, 30: 42}
    for n, units in expected.items():
        assert stock_on_hand(product_id=product.pk, warehouse_id=warehouse.pk, as_of=day(n)) == units, n
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand == 42, "the current position is the ledger's sum, moved in the same transaction"


def test_daily_frame_in_long_format(history):
    product, warehouse = history
    frame = stock_daily_frame(start=day(1), end=day(8), pairs=[(product.pk, warehouse.pk)]).set_index("date")
    assert len(frame) == 8
    assert frame.loc[day(1), "sold"] == 30 and frame.loc[day(1), "closing"] == 20
    assert frame.loc[day(6), "on_hand"] == 40, "start of day after the day's receipts"
    assert frame.loc[day(7), "available"] == 45 and frame.loc[day(7), "returned"] == 5
    assert frame.loc[day(8), "adjusted"] == -3 and frame.loc[day(8), "closing"] == 42
    assert frame["stocked"].all()
    np.testing.assert_array_equal(frame["closing"].to_numpy(), [20, 20, 0, 0, 0, 40, 45, 42])


def test_a_pair_is_not_stocked_before_its_first_movement(pair):
    product, warehouse = pair
    post(product, warehouse, 3, 10, MovementKind.RECEIPT)
    frame = stock_daily_frame(start=day(0), end=day(4), warehouse_ids=[warehouse.pk])
    assert frame["stocked"].tolist() == [False, False, False, True, True]


def test_movements_refuse_a_wrong_sign_or_stock_below_zero(history):
    product, warehouse = history
    with pytest.raises(InvalidInput) as wrong_sign:
        post(product, warehouse, 9, 5, MovementKind.SALE)
    assert "quantity" in wrong_sign.value.fields
    with pytest.raises(InvalidInput) as too_much:
        post(product, warehouse, 9, -43, MovementKind.SALE)
    assert "quantity" in too_much.value.fields
    # Back-dated: 42 are on hand today, but on day 3 the stock was 0, so nothing can leave on day 2 beyond 0.
    with pytest.raises(InvalidInput):
        post(product, warehouse, 2, -1, MovementKind.SALE)
    assert StockLevel.objects.get(product=product, warehouse=warehouse).on_hand == 42


def test_stockout_runs_from_a_matrix():
    out = np.array([[0, 1, 1, 0, 1], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]], dtype=bool)
    row, first, last = stockout_runs(out)
    assert list(zip(row, first, last, strict=True)) == [(0, 1, 2), (0, 4, 4), (1, 0, 0)]
    available = np.array([[5.0, 11.0, 12.0]])
    assert out_of_stock(available, np.array([12]), np.array([[False, True, True]])).tolist() == [[False, True, False]]


def test_stockout_periods_follow_from_the_ledger(history):
    product, warehouse = history
    assert stockout_periods_refresh(warehouse_id=warehouse.pk, start=day(0), end=day(10)) == 1
    period = StockoutPeriod.objects.get()
    assert (period.product, period.started_on, period.ended_on) == (product, day(4), day(5))

    post(product, warehouse, 11, -42, MovementKind.SALE)
    stockout_periods_refresh(warehouse_id=warehouse.pk, start=day(0), end=day(14))
    ongoing = StockoutPeriod.objects.get(started_on=day(12))
    assert ongoing.ended_on is None, "still out on the last day"
    assert StockoutPeriod.objects.count() == 2
