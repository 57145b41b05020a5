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


def test_forecasting_and_insights_share_one_demand_classifier():
    from forecasting.ml import demand_class as forecasting_classes
    from insights.ml import classify_demand
    from mlkit import demand_class

    assert forecasting_classes.classify is demand_class.classify is classify_demand


def test_a_product_whose_trend_turns_gets_a_trend_break():
    rng = np.random.default_rng(5)
    steady = rng.poisson(200, 30).astype(float)
    falling = 200 * np.exp(-0.25 * np.arange(1, 7)) * rng.uniform(0.97, 1.03, 6)
    lines = product_lines({"soap": [*steady, *falling], "salt": list(rng.poisson(200, 36))}, {"soap": 1.0, "salt": 1.0})
    changes = detect_changes(lines, as_of=START + pd.Timedelta(weeks=36))
    soap = changes[changes["product_id"] == "soap"]
    assert len(soap) == 1 and soap.iloc[0]["kind"] in {"trend_break", "level_shift"}
    assert "salt" not in set(changes["product_id"])


def test_seasonality_profiles_accept_a_long_series():
    days = pd.date_range(START, periods=70, freq="D")
    series = pd.DataFrame(
        {"entity_kind": "product", "entity_id": 3, "date": days, "value": np.where(days.dayofweek == 0, 9.0, 1.0)}
    )
    row = seasonality_profiles(series, as_of=days[-1] + pd.Timedelta(days=1)).iloc[0]
    assert row["peak_weekday"] == "Monday" and row["weekday_strength"] == 9.0
    assert np.isnan(row["festival_sensitivity"])
