"""Phones and numbers, as a user sees them: the reorder cart fits 390 px with its quantities and Remove in
reach, shared tables become cards, the demand chart's legend stays clear of its dates, the analyst's key
figures fit their cards at 1440 px, and amounts in rupees are grouped in lakh and crore."""

import re

import pytest

from tests.browser.test_demand_page import _chart_drawn, trained_site  # noqa: F401  (fixture)
from tests.browser.test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"
# An amount of a lakh or more written the Indian way (₹1,02,000, ₹7,82,89,772), never ₹102,000.
LAKH = re.compile(r"₹\d{1,2}(,\d\d)*,\d{3}(?!\d)")
WESTERN = re.compile(r"₹\d{1,3},\d{3},\d{3}")


def _first_screen(page, screenshot, name: str) -> None:
    """The whole page, and its first screen as a person sees it."""
    path = screenshot(name)
    page.screenshot(path=str(path.with_name(f"{name}-top.png")))


def _within_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"] + 1


def test_reorder_cart_fits_a_phone_with_quantity_and_remove(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "retailer")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{demo_site}/retailer/reorder/")
    assert page.locator("input.qty").count() >= 1
    screenshot("phone-cart-desktop")

    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/retailer/reorder/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert _within_viewport(page, page.locator("input.qty").first)
    assert _within_viewport(page, page.locator("button.remove").first)
    assert "Quantity" in page.locator(".cart-table tbody tr").first.inner_text()
    _first_screen(page, screenshot, "phone-cart")


def test_shared_tables_become_cards_on_a_phone(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "retailer")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/retailer/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    cell = page.locator("#table-orders tbody tr").first.locator("td").nth(1)
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label") != ""
    assert _within_viewport(page, page.locator("#table-orders tbody tr").first.locator("td").last)
    page.locator("#table-orders").scroll_into_view_if_needed()
    _first_screen(page, screenshot, "phone-retailer-tables")


def test_demand_legend_clears_the_date_labels_on_a_phone(trained_site, page, screenshot):  # noqa: F811
    sign_in(page, trained_site, "vendor")
    page.set_viewport_size(PHONE)
    page.goto(f"{trained_site}/vendor/demand/")
    _chart_drawn(page)
    lowest_label = page.evaluate(
        "Math.max(...[...document.querySelectorAll('[data-chart=demand-figure] .xtick text')]"
        ".map(t => t.getBoundingClientRect().bottom))"
    )
    legend_top = page.evaluate(
        "document.querySelector('[data-chart=demand-figure] .legend').getBoundingClientRect().top"
    )
    screenshot("phone-demand")
    assert legend_top >= lowest_label
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_analyst_figures_fit_their_cards_and_rupees_group_in_lakh(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "analyst")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{demo_site}/analyst/")
    page.wait_for_selector("[data-chart=analyst-weekly-figure] .main-svg")
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.kpi')].filter(k => k.scrollWidth > k.clientWidth + 1).map(k => k.innerText)"
    )
    assert overflowing == []
    text = page.locator("main").inner_text()
    assert LAKH.search(text) and not WESTERN.search(text)
    ticks = page.locator("[data-chart=analyst-weekly-figure] .ytick text").all_text_contents()
    assert any(t.startswith("₹") for t in ticks) and not any(t.endswith("M") for t in ticks)
    assert "(INR)" in page.locator("[data-chart=analyst-weekly-figure] .g-ytitle").text_content()
    screenshot("numbers-analyst-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("[data-chart=analyst-weekly-figure] .main-svg")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot("numbers-analyst-phone")
