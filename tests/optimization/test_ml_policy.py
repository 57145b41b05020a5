"""Inventory policy: EOQ, rounding to packs and MOQ, reorder points for a cycle service level and a fill rate,
days of cover, shelf life."""

import numpy as np
import pandas as pd
import pytest

from optimization.ml.policy import PolicyOptions, economic_order_quantity, inventory_policy, round_to_packs


def pairs(**overrides) -> pd.DataFrame:
    row = {
        "product": "P1", "warehouse": "W1", "on_hand": 20.0, "on_order": 0.0, "mean_per_day": 10.0,
        "std_per_day": 4.0, "lead_time_mean": 9.0, "lead_time_std": 2.0, "unit_cost": 5.0, "order_cost": 50.0,
        "pack_size": 12.0, "moq": 48.0,
    }  # fmt: skip
    row.update(overrides)
    return pd.DataFrame([row])


def test_eoq_is_wilsons_formula():
    assert economic_order_quantity(3650.0, 50.0, 5.0, 0.25)[()] == pytest.approx(np.sqrt(2 * 3650 * 50 / 1.25))


def test_rounding_to_packs_and_moq():
    assert list(round_to_packs([0, 1, 13, 100], 12, 48)) == [0, 48, 48, 108]
    assert list(round_to_packs([5], 6, 8)) == [12]  # an MOQ of 8 in packs of 6 means two packs


def test_cycle_service_policy_on_a_smooth_item():
    result = inventory_policy(pairs(demand_class="smooth")).iloc[0]
    mean, std = 10 * 9, np.sqrt(9 * 16 + 100 * 4)
    assert result["method"] == "normal"
    assert result["reorder_point"] == np.ceil(mean + 1.6448536 * std)
    assert result["safety_stock"] == pytest.approx(result["reorder_point"] - mean)
    assert result["expected_service"] >= 0.95
    assert result["eoq"] % 12 == 0 and result["eoq"] >= 48
    assert result["days_of_cover"] == pytest.approx(2.0)
    assert result["order_qty"] % 12 == 0
    assert result["order_qty"] >= result["order_up_to"] - 20


def test_no_order_above_the_reorder_point_and_fill_rate_needs_less_stock():
    assert inventory_policy(pairs(on_hand=1000.0)).iloc[0]["order_qty"] == 0
    cycle = inventory_policy(pairs(), PolicyOptions(target=0.95)).iloc[0]
    fill = inventory_policy(pairs(), PolicyOptions(target=0.95, kind="fill_rate")).iloc[0]
    assert fill["reorder_point"] < cycle["reorder_point"]
    assert fill["expected_fill_rate"] >= 0.95


def test_intermittent_item_uses_counts_and_shelf_life_caps_the_order():
    result = inventory_policy(pairs(mean_per_day=0.3, std_per_day=1.5, on_hand=0.0, demand_class="lumpy")).iloc[0]
    assert result["method"] == "negative_binomial"
    assert result["reorder_point"] == int(result["reorder_point"])
    capped = inventory_policy(pairs(on_hand=0.0, shelf_life_days=10.0)).iloc[0]
    assert capped["order_qty"] <= 10 * 10.0


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match="pack_size"):
        inventory_policy(pairs(pack_size=0.0))
    with pytest.raises(ValueError, match="missing columns: moq"):
        inventory_policy(pairs().drop(columns="moq"))
