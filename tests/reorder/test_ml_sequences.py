import numpy as np
import pandas as pd
import pytest

from reorder.ml.history import validate_history
from reorder.ml.sequences import SEQUENCE_CHANNELS, order_sequences
from tests.reorder.synthetic import periodic_history

CHANNEL = {name: index for index, name in enumerate(SEQUENCE_CHANNELS)}
CUTOFF = pd.Timestamp("2024-02-01")


def hand_made_history() -> pd.DataFrame:
    lines = [
        # Retailer 1 x product 5: four order days before the cutoff (two lines on Jan 10), one on it, one after.
        (1, 5, "2024-01-01", 2.0, 10.0, 0.0),
        (1, 5, "2024-01-10", 1.0, 10.0, 0.0),
        (1, 5, "2024-01-10", 3.0, 10.0, 0.5),
        (1, 5, "2024-01-20", 4.0, 20.0, 0.0),
        (1, 5, "2024-01-31", 2.0, 10.0, 0.0),
        (1, 5, "2024-02-01", 50.0, 99.0, 0.0),
        (1, 5, "2024-02-15", 70.0, 99.0, 0.0),
        # Retailer 2 x product 5: a single order.
        (2, 5, "2024-01-25", 6.0, 5.0, 0.0),
        # Retailer 3 x product 5: orders only on and after the cutoff.
        (3, 5, "2024-02-01", 1.0, 5.0, 0.0),
        (3, 5, "2024-02-03", 1.0, 5.0, 0.0),
    ]
    frame = pd.DataFrame(
        lines, columns=["retailer_id", "product_id", "date", "quantity", "unit_price", "discount_rate"]
    )
    return validate_history(frame)


def test_channels_padding_and_order_on_a_hand_made_history():
    pairs = pd.DataFrame({"retailer_id": [2, 1, 3, 9], "product_id": [5, 5, 5, 5]})
    sequences = order_sequences(hand_made_history(), CUTOFF, pairs, length=6)
    assert sequences.shape == (4, 6, len(SEQUENCE_CHANNELS)) and sequences.dtype == np.float32

    # Rows follow `pairs`; retailer 1 has four orders before the cutoff, left-padded to six steps, oldest first.
    pair_1 = sequences[1]
    assert pair_1[:2].tolist() == np.zeros((2, len(SEQUENCE_CHANNELS))).tolist()
    assert pair_1[:, CHANNEL["is_order"]].tolist() == [0, 0, 1, 1, 1, 1]
    np.testing.assert_allclose(pair_1[2:, CHANNEL["log_quantity"]], np.log1p([2, 4, 4, 2]), rtol=1e-6)
    np.testing.assert_allclose(pair_1[2:, CHANNEL["log_days_since_previous_order"]], np.log1p([0, 9, 10, 11]))
    np.testing.assert_allclose(pair_1[2:, CHANNEL["log_days_to_cutoff"]], np.log1p([31, 22, 12, 1]))
    # Jan 10: 1 unit at full price and 3 at half price, value 1*10 + 3*10*0.5 = 25, discount 3/4 of the units.
    assert pair_1[3, CHANNEL["discount_rate"]] == pytest.approx(0.375)
    assert pair_1[3, CHANNEL["log_value"]] == pytest.approx(np.log1p(25.0))
    # Gross 20 + 40 + 80 + 20 over 12 units: a mean price of 13.33; the Jan 20 order paid 20.
    assert pair_1[4, CHANNEL["price_vs_pair_mean"]] == pytest.approx(20 / (160 / 12), rel=1e-6)

    pair_2 = sequences[0]
    assert pair_2[:5].sum() == 0 and pair_2[5, CHANNEL["is_order"]] == 1
    assert pair_2[5, CHANNEL["log_days_since_previous_order"]] == 0
    assert pair_2[5, CHANNEL["price_vs_pair_mean"]] == pytest.approx(1.0)
    # Retailer 3 orders only on and after the cutoff, retailer 9 never: nothing to show for either.
    assert sequences[2].sum() == 0 and sequences[3].sum() == 0


def test_a_short_window_keeps_the_latest_orders_and_their_true_intervals():
    history = hand_made_history()
    pairs = pd.DataFrame({"retailer_id": [1], "product_id": [5]})
    sequences = order_sequences(history, CUTOFF, pairs, length=2)
    assert sequences.shape == (1, 2, len(SEQUENCE_CHANNELS))
    np.testing.assert_allclose(sequences[0, :, CHANNEL["log_quantity"]], np.log1p([4, 2]), rtol=1e-6)
    # The first kept order (Jan 20) is 10 days after Jan 10, which lies outside the window: not a first order.
    np.testing.assert_allclose(sequences[0, :, CHANNEL["log_days_since_previous_order"]], np.log1p([10, 11]))


def test_nothing_on_or_after_the_cutoff_reaches_a_sequence():
    history = validate_history(periodic_history(n_retailers=10, n_products=8, days=200, seed=3))
    cutoff = pd.Timestamp("2023-05-01")
    pairs = history[["retailer_id", "product_id"]].drop_duplicates().iloc[::-1].reset_index(drop=True)
    sequences = order_sequences(history, cutoff, pairs, length=8)

    future = history["date"] >= cutoff
    rewritten = history.copy()
    rewritten.loc[future, "quantity"] *= 100
    rewritten.loc[future, "unit_price"] += 7
    np.testing.assert_array_equal(order_sequences(rewritten, cutoff, pairs, length=8), sequences)
    np.testing.assert_array_equal(order_sequences(history[~future], cutoff, pairs, length=8), sequences)

    # The most recent step is the last order strictly before the cutoff.
    last_before = history[~future].groupby(["retailer_id", "product_id"])["date"].max()
    expected_days = (cutoff - pairs.merge(last_before.reset_index(), how="left")["date"]).dt.days
    has_orders = expected_days.notna().to_numpy()
    assert has_orders.any()
    np.testing.assert_allclose(
        sequences[has_orders, -1, CHANNEL["log_days_to_cutoff"]], np.log1p(expected_days[has_orders]), rtol=1e-6
    )
    assert (sequences[~has_orders] == 0).all()
    # Masks are contiguous from the right: padding only ever sits on the left.
    mask = sequences[..., CHANNEL["is_order"]]
    assert (np.diff(mask, axis=1) >= 0).all()


def test_empty_inputs_and_bad_arguments():
    history = hand_made_history()
    no_pairs = pd.DataFrame({"retailer_id": [], "product_id": []})
    assert order_sequences(history, CUTOFF, no_pairs, length=4).shape == (0, 4, len(SEQUENCE_CHANNELS))
    early = order_sequences(history, "2023-01-01", pd.DataFrame({"retailer_id": [1], "product_id": [5]}))
    assert early.shape == (1, 10, len(SEQUENCE_CHANNELS)) and early.sum() == 0
    with pytest.raises(ValueError, match="length"):
        order_sequences(history, CUTOFF, no_pairs, length=0)
    with pytest.raises(ValueError, match="product_id"):
        order_sequences(history, CUTOFF, pd.DataFrame({"retailer_id": [1]}))
