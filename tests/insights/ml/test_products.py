"""Product classes, level shifts and seasonality profiles on known data (no database)."""

import numpy as np
import pandas as pd

from insights.ml import calendar_from_windows, classify_products, detect_changes, seasonality_profiles

START = pd.Timestamp("2025-01-06")


def product_lines(quantities: dict[str, list[float]], price: dict[str, float]) -> pd.DataFrame:
    rows = []
    for product, weekly in quantities.items():
        for week, quantity in enumerate(weekly):
            if quantity > 0:
                rows.append({"retailer_id": 1, "order_id": week, "date": START + pd.Timedelta(weeks=week),
                             "product_id": product, "category": "c", "quantity": float(quantity),
                             "value": quantity * price[product]})  # fmt: skip
    return pd.DataFrame(rows)


def test_abc_xyz_and_demand_class_on_known_data():
    weeks = 20
    quantities = {
        "steady": [10.0] * weeks,  # 2000 of value, the whole top 80%: A, X, smooth
        "spiky": [1.0, 30.0] * (weeks // 2),  # 310: B, Y (CV 0.94), erratic
        "rare": [0, 0, 0, 5.0] * (weeks // 4),  # 25: C, Z, intermittent
        "tiny": [1.0] * weeks,  # 20: C, X, smooth
    }
    price = {"steady": 10.0, "spiky": 1.0, "rare": 1.0, "tiny": 1.0}
    result = classify_products(
        product_lines(quantities, price), as_of=START + pd.Timedelta(weeks=weeks), lookback_days=7 * weeks
    ).set_index("product_id")
    assert result["abc"].to_dict() == {"steady": "A", "spiky": "B", "rare": "C", "tiny": "C"}
    assert result["xyz"].to_dict() == {"steady": "X", "spiky": "Y", "rare": "Z", "tiny": "X"}
    assert result["demand_class"].to_dict() == {
        "steady": "smooth", "spiky": "erratic", "rare": "intermittent", "tiny": "smooth"
    }  # fmt: skip


def test_a_product_whose_demand_halves_gets_a_level_shift():
    rng = np.random.default_rng(2)
    weekly = [*rng.poisson(100, 30), *rng.poisson(40, 6)]
    lines = product_lines({"oil": weekly, "rice": list(rng.poisson(100, 36))}, {"oil": 1.0, "rice": 1.0})
    changes = detect_changes(lines, as_of=START + pd.Timedelta(weeks=36))
    shifts = changes[changes["kind"] == "level_shift"]
    assert shifts["product_id"].tolist() == ["oil"]
    assert shifts.iloc[0]["evidence"]["direction"] == "down"
    assert shifts.iloc[0]["evidence"]["change_pct"] < -40


def test_seasonality_profiles_show_the_weekday_peak_and_festival_sensitivity():
    days = pd.date_range(START, periods=364, freq="D")
    festival = (days >= "2025-10-20") & (days <= "2025-10-26")
    quantity = np.where(days.dayofweek == 5, 30.0, 10.0) * np.where(festival, 2.0, 1.0)
    lines = pd.DataFrame({"retailer_id": 7, "order_id": range(len(days)), "date": days, "product_id": "p",
                          "category": "c", "quantity": quantity, "value": quantity * 5})  # fmt: skip
    calendar = calendar_from_windows(
        pd.DataFrame({"name": ["Diwali"], "starts_on": ["2025-10-20"], "ends_on": ["2025-10-26"]})
    )
    result = seasonality_profiles(lines, as_of=days[-1] + pd.Timedelta(days=1), calendar=calendar)
    assert sorted(result["entity_kind"]) == ["product", "retailer"]
    row = result.set_index("entity_kind").loc["product"]
    assert row["peak_weekday"] == "Saturday"
    assert len(row["weekday_profile"]) == 7 and len(row["month_profile"]) == 12
    assert row["festival_sensitivity"] == 2.0
    assert row["festival_detail"] == {"Diwali": 2.0}
