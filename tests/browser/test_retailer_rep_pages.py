"""The retailer and the rep in Chromium: each lands on its home, sees its own data and
not another's, filters a table in place by HTMX (no full reload), and sees a chart."""

import pytest

from retailiq.retailers.models import Retailer

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _chart_drawn(page, chart_id: str) -> None:
    selector = f'[data-chart="{chart_id}"]'
    page.wait_for_selector(f"{selector} .main-svg")
    assert page.eval_on_selector(selector, "el => el.data.length") > 0


def _mark_window(page) -> None:
    page.evaluate("window.__noReload = 'kept'")


def _window_kept(page) -> bool:
    return page.evaluate("window.__noReload") == "kept"


def test_retailer_home_filters_orders_in_place_and_draws_charts(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "retailer")
    assert page.url == f"{demo_site}/retailer/"
    own = Retailer.objects.get(users__username="retailer")
    other = Retailer.objects.get(users__username="retailer2")
    text = page.locator("main").inner_text()
    assert own.name in text and other.name not in text
    _chart_drawn(page, "retailer-spend-figure")
    _chart_drawn(page, "retailer-calendar-figure")
    screenshot("retailer-home-desktop")

    _mark_window(page)
    with page.expect_response(lambda r: "orders-kind=return" in r.url):
        page.get_by_label("Kind").select_option("return")
    page.wait_for_function("() => !document.querySelector('#table-orders.htmx-request')")
    assert _window_kept(page) and "orders-kind=return" in page.url
    kinds = page.locator("#table-orders tbody td:nth-child(3)").all_inner_texts()
    assert set(kinds) == {"Return"}  # the demo shop has returns

    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/retailer/")
    _chart_drawn(page, "retailer-calendar-figure")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot("retailer-home-phone")


def test_rep_home_filters_retailers_in_place_and_draws_a_chart(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "rep")
    assert page.url == f"{demo_site}/rep/"
    assigned = set(Retailer.objects.filter(assigned_rep__username="rep").values_list("name", flat=True))
    others = set(Retailer.objects.exclude(assigned_rep__username="rep").values_list("name", flat=True))
    rows = page.locator("#table-retailers tbody td:first-child").all_inner_texts()
    assert rows and set(rows) <= assigned and not set(rows) & (others - assigned)
    _chart_drawn(page, "rep-book-figure")
    screenshot("rep-home-desktop")

    _mark_window(page)
    city = Retailer.objects.filter(assigned_rep__username="rep").order_by("city").first().city
    with page.expect_response(lambda r: "retailers-city=" in r.url):
        page.get_by_label("City").select_option(city)
    page.wait_for_function("() => !document.querySelector('#table-retailers.htmx-request')")
    assert _window_kept(page)
    expected = set(Retailer.objects.filter(assigned_rep__username="rep", city=city).values_list("name", flat=True))
    page.wait_for_function(
        "n => document.querySelectorAll('#table-retailers tbody tr').length === n", arg=min(len(expected), 20)
    )
    assert set(page.locator("#table-retailers tbody td:first-child").all_inner_texts()) == expected

    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/rep/")
    _chart_drawn(page, "rep-book-figure")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot("rep-home-phone")
