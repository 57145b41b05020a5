import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reorder.ml.features import feature_columns, pair_features
from tests.reorder.synthetic import periodic_history

CUTOFF = pd.Timestamp("2023-08-01")
ROOT = Path(__file__).resolve().parents[2]


def test_at_least_fifty_finite_features_one_row_per_pair():
    history = periodic_history()
    features = pair_features(history, CUTOFF)
    columns = feature_columns(features)
    assert len(columns) >= 50
    values = features[columns].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    expected_pairs = history.loc[history["date"] < CUTOFF, ["retailer_id", "product_id"]].drop_duplicates()
    assert len(features) == len(expected_pairs)
    assert not features.duplicated(["retailer_id", "product_id"]).any()


def test_rows_on_or_after_the_cutoff_change_nothing():
    history = periodic_history(seed=3)
    before = pair_features(history, CUTOFF)
    rng = np.random.default_rng(1)
    changed = history.copy()
    future = changed["date"] >= CUTOFF
    changed.loc[future, "quantity"] = rng.uniform(100, 200, future.sum())
    changed.loc[future, "unit_price"] = 999.0
    extra = changed[future].head(50).assign(retailer_id=999, product_id=999)
    changed = pd.concat([changed[changed["date"] != CUTOFF], extra], ignore_index=True)
    after = pair_features(changed, CUTOFF)
    pd.testing.assert_frame_equal(before, after)


def test_hand_made_pair_recency_frequency_and_monetary():
    history = pd.DataFrame(
        {
            "retailer_id": [1, 1, 1, 1],
            "product_id": [5, 5, 5, 6],
            "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-21", "2024-01-25"]),
            "quantity": [2.0, 4.0, 6.0, 1.0],
            "unit_price": [1.0, 1.0, 1.0, 3.0],
        }
    )
    features = pair_features(history, "2024-02-01").set_index("product_id")
    row = features.loc[5]
    assert row["days_since_last_order"] == 11
    assert row["retailer_days_since_last_order"] == 7
    assert row["n_orders"] == 3
    assert row["interval_mean"] == 10 and row["interval_std"] == 0
    assert row["overdue_ratio"] == pytest.approx(1.1)
    assert row["qty_mean_last3"] == 4 and row["lifetime_quantity"] == 12
    assert row["qty_slope_last5"] == pytest.approx(2.0)
    assert row["share_of_wallet"] == pytest.approx(12 / 15)
    assert features.loc[6, "has_interval"] == 0


def test_features_module_imports_without_django():
    script = (
        "import importlib.util, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "for name in ('history', 'features', 'labels', 'dataset', 'baselines', 'metrics'):\n"
        "    __import__('reorder.ml.' + name)\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
