"""Insight sentences write amounts and dates as the pages do: the currency's symbol and grouping, "6 Nov 2026"."""

from django.test import override_settings

from insights.wording import shop_change


@override_settings(RETAILIQ_CURRENCY="INR", RETAILIQ_CURRENCY_SYMBOL="₹")
def test_a_smaller_basket_names_amounts_in_rupees_with_lakh_grouping():
    row = {
        "kind": "basket_shrink",
        "evidence": {"last_3_basket_change_pct": -40.0, "last_3_basket_value": 60000, "usual_basket_value": 125000},
    }
    wording = shop_change(row, shop={"pk": 1, "name": "Shree Stores"}, money="INR")
    assert "₹60,000 an order on average against a usual ₹1,25,000" in wording.body
    assert "INR" not in wording.body


def test_a_lapse_writes_its_last_order_day_as_the_pages_do():
    row = {
        "kind": "churn_risk",
        "probability": 0.8,
        "evidence": {"days_since_last_order": 30, "usual_interval_days": 7.0, "last_order_date": "2026-11-06"},
    }
    wording = shop_change(row, shop={"pk": 1, "name": "Shree Stores"}, money="INR")
    assert "its last order was on 6 Nov 2026." in wording.body


def churn(probability: float, days: int, usual: float) -> dict:
    evidence = {"days_since_last_order": days, "usual_interval_days": usual, "last_order_date": "2026-11-06"}
    return {"kind": "churn_risk", "probability": probability, "evidence": {**evidence, "cycles_missed": 36}}


def test_a_model_probability_is_never_shown_as_certain():
    wording = shop_change(churn(1.0, 36, 1.0), shop={"pk": 1, "name": "Shree Stores"})
    assert "100%" not in wording.body and "Very likely lapsing (over 99%)." in wording.body
    wording = shop_change(churn(0.994, 36, 1.0), shop={"pk": 1, "name": "Shree Stores"})
    assert "99%" in wording.body and "100%" not in wording.body
    assert "Chance it is lapsing: 87%." in shop_change(churn(0.87, 36, 1.0), shop={"pk": 1, "name": "S"}).body


def test_a_daily_shop_reads_in_days_and_weeks_not_cycles():
    wording = shop_change(churn(0.99, 36, 1.0), shop={"pk": 1, "name": "Shree Stores"})
    assert wording.title.startswith("Shree Stores has not ordered for 36 days (usually every day)")
    assert wording.body.startswith("It usually orders every day; its last order was on 6 Nov 2026.")
    assert "cycles" not in wording.title + wording.body
    weekly = shop_change(churn(0.9, 63, 13.6), shop={"pk": 1, "name": "Shree Stores"})
    assert weekly.title.startswith("Shree Stores has not ordered for 9 weeks (usually every 2 weeks)")


def test_a_category_lapse_reads_in_days_and_weeks():
    row = {
        "kind": "category_lapse",
        "category": "Rice",
        "probability": 0.97,
        "evidence": {
            "orders_without_category": 12,
            "days_since_category": 45,
            "usual_category_interval_days": 3.0,
            "cycles_missed": 15,
            "share_of_orders_before": 0.6,
            "last_category_order_date": "2026-10-22",
        },
    }
    wording = shop_change(row, shop={"pk": 1, "name": "Shree Stores"})
    assert wording.title.startswith("Shree Stores has not ordered Rice for over 6 weeks (usually every 3 days)")
    assert "cycles" not in wording.title
