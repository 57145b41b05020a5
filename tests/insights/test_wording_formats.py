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
