import pandas as pd
import pytest

from reorder.ml.history import HistoryError, pair_orders, validate_history


def _lines(**overrides):
    frame = pd.DataFrame(
        {
            "retailer_id": [1, 1, 1],
            "product_id": [7, 7, 7],
            "date": ["2024-01-05 10:00", "2024-01-05 15:00", "2024-01-09 09:00"],
            "quantity": [2, 3, 4],
            "unit_price": [10.0, 20.0, 10.0],
        }
    )
    return frame.assign(**overrides)


def test_validate_fills_optional_columns_and_floors_dates():
    valid = validate_history(_lines())
    assert valid["discount_rate"].eq(0).all()
    assert valid["segment"].eq("unknown").all()
    assert valid["date"].iloc[0] == pd.Timestamp("2024-01-05")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (_lines().drop(columns="unit_price"), "lacks required columns: unit_price"),
        (_lines(quantity=[1, 0, 2]), "must be positive"),
        (_lines(quantity=[1, "x", 2]), "non-numeric"),
        (_lines(discount_rate=[0.1, 1.5, 0]), "between 0 and 1"),
        (_lines(date=["2024-01-01", "not a date", "2024-01-02"]), "cannot be read as dates"),
    ],
)
def test_validate_explains_what_is_wrong(frame, message):
    with pytest.raises(HistoryError, match=message):
        validate_history(frame)


def test_pair_orders_sums_lines_of_one_day_with_weighted_price():
    orders = pair_orders(validate_history(_lines()))
    assert list(orders["quantity"]) == [5.0, 4.0]
    assert orders["unit_price"].iloc[0] == pytest.approx((2 * 10 + 3 * 20) / 5)
