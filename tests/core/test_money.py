"""One way to write an amount: whole units, lakh grouping for rupees, a minus sign before the symbol,
the amount's own currency; chart axes group their ticks the same way."""

import pytest
from django.template import Context, Template

from retailiq.core.money import format_money, group_digits, money_axis
from retailiq.dashboards.charts_analyst import marketplace_weekly_figure


@pytest.mark.parametrize(
    "value, currency, shown",
    [
        (78289772, "INR", "₹7,82,89,772"),
        (100000, "INR", "₹1,00,000"),
        (99999.6, "INR", "₹1,00,000"),
        (999, "INR", "₹999"),
        (-2414.2, "INR", "−₹2,414"),
        (-0.4, "INR", "₹0"),
        (1234567.8, "GBP", "£1,234,568"),
        (-3320, "GBP", "−£3,320"),
        (None, "INR", "—"),
        ("", None, "—"),
    ],
)
def test_amounts_read_as_their_currency_is_read(value, currency, shown):
    assert format_money(value, currency) == shown


def test_rupees_group_in_lakh_and_crore_and_others_in_thousands():
    assert group_digits(123456789, "INR") == "12,34,56,789"
    assert group_digits(123456789, "GBP") == "123,456,789"


def test_the_template_filter_is_the_same_rule_with_the_amounts_currency():
    html = Template("{% load money %}{{ a|money }} {{ b|money:'GBP' }} {{ c|money }}").render(
        Context({"a": 78289772, "b": 8761066.65, "c": -2414})
    )
    assert html == "₹7,82,89,772 £8,761,067 −₹2,414"


def test_an_amount_axis_names_its_currency_and_groups_its_ticks_like_the_pages():
    axis = money_axis([0, 3_40_00_000], title="Net revenue", currency="INR")
    assert axis["title"]["text"] == "Net revenue (INR)"
    assert axis["tickvals"][0] == 0 and axis["tickvals"][-1] >= 3_40_00_000
    assert "₹1Cr" in axis["ticktext"] and not any("M" in t for t in axis["ticktext"])
    pounds = money_axis([0, 2_500_000], title="Spend", currency="GBP")
    assert pounds["title"]["text"] == "Spend (GBP)" and "£1M" in pounds["ticktext"]


def test_chart_hovers_show_amounts_as_the_pages_do():
    import pandas as pd

    weekly = pd.DataFrame({"week": pd.to_datetime(["2026-11-02"]), "revenue": [1234567.0], "orders": [3]})
    bars = marketplace_weekly_figure(weekly, currency="INR")["data"][0]
    assert bars["text"] == ["₹12,34,567"] and "%{text}" in bars["hovertemplate"]
