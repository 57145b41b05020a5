import numpy as np
import pandas as pd
import pytest

from reorder.ml.dataset import build_dataset, cutoff_schedule, temporal_split
from reorder.ml.labels import pair_labels
from tests.reorder.synthetic import periodic_history


def test_labels_on_a_hand_made_history():
    history = pd.DataFrame(
        {
            "retailer_id": [1, 1, 1, 1, 2, 3],
            "product_id": [5, 5, 5, 5, 5, 5],
            "date": pd.to_datetime(
                ["2024-01-01", "2024-01-10", "2024-01-10", "2024-01-30", "2024-01-02", "2024-01-20"]
            ),
            "quantity": [1.0, 2.0, 3.0, 9.0, 4.0, 1.0],
            "unit_price": [1.0] * 6,
        }
    )
    labels = pair_labels(history, "2024-01-02").set_index("retailer_id")
    # Retailer 3 had no order before the cutoff; retailer 2 orders on the cutoff day itself, which is not before it.
    assert list(labels.index) == [1]
    row = labels.loc[1]
    assert row["days_to_next_order"] == 8
    assert row["next_order_quantity"] == 5
    assert (row["ordered_within_7"], row["ordered_within_14"], row["ordered_within_30"]) == (0, 1, 1)

    later = pair_labels(history, "2024-01-11", horizons=(7, 20)).set_index("retailer_id")
    assert later.loc[1, "days_to_next_order"] == 19
    assert later.loc[1, "ordered_within_20"] == 1 and later.loc[1, "ordered_within_7"] == 0
    assert np.isnan(later.loc[2, "days_to_next_order"]) and later.loc[2, "ordered_within_20"] == 0


def test_dataset_stacks_cutoffs_and_temporal_split_never_mixes_them():
    history = periodic_history(n_retailers=12, n_products=10, days=240, seed=5)
    cutoffs = cutoff_schedule(history, n_cutoffs=5, step_days=14, horizon_days=30)
    dataset = build_dataset(history, cutoffs, horizons=(7, 14, 30))
    assert sorted(dataset["cutoff"].unique()) == sorted(cutoffs)
    assert {"ordered_within_7", "ordered_within_30", "next_order_quantity"} <= set(dataset.columns)

    split = temporal_split(dataset, validation_cutoffs=1, test_cutoffs=2)
    train, validation, test = (set(part["cutoff"]) for part in (split.train, split.validation, split.test))
    assert not (train & validation) and not (train & test) and not (validation & test)
    assert max(train) < min(validation) <= max(validation) < min(test)
    assert len(train) == 2 and len(test) == 2

    gapped = temporal_split(dataset, gap_days=20)
    assert max(gapped.train["cutoff"]) + pd.Timedelta(days=20) <= min(gapped.validation["cutoff"])


def test_dataset_refuses_a_cutoff_whose_horizon_is_not_observed():
    history = periodic_history(n_retailers=4, n_products=10, days=120)
    last = history["date"].max()
    with pytest.raises(ValueError, match="runs past"):
        build_dataset(history, [last - pd.Timedelta(days=5)], horizons=(7, 30))


def test_temporal_split_needs_enough_cutoffs():
    dataset = pd.DataFrame({"cutoff": pd.to_datetime(["2024-01-01", "2024-02-01"])})
    with pytest.raises(ValueError, match="cannot give"):
        temporal_split(dataset)
