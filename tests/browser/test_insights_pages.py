"""Insights in Chromium, at desktop and phone width: the feed on the rep's home, "Useful" on a card swapped in by
HTMX without a history entry, the shop's pattern page with its chart, and Back and Forward redrawing it; the
vendor's product pattern page; the analysts' segment overview. Screenshots go to artifacts/screenshots."""

import datetime as dt

import pytest

from insights.models import InsightFeedback
from tests.insights.conftest import train_and_score

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PANEL = "[aria-labelledby=insights-title]"


@pytest.fixture
def scored_site(demo_site):  # noqa: F811
    train_and_score(as_of=dt.date.today())
    return demo_site


def _chart_drawn(page, selector: str = "[data-chart=series-figure]") -> None:
    page.wait_for_selector(f"{selector}.js-plotly-plot .main-svg")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_rep_acts_on_the_feed_and_opens_a_shops_pattern(scored_site, page, screenshot, width):
    if width == "phone":
        page.set_viewport_size(PHONE)
    sign_in(page, scored_site, "rep")
    page.wait_for_selector(f"{PANEL} .insight-card")
    assert "acted on" in page.locator(f"{PANEL} .insight-count").inner_text()
    screenshot(f"insights-rep-home-{width}")

    card = page.locator(f"{PANEL} .insight-card").first
    title, card_id = card.locator(".insight-title").inner_text(), card.get_attribute("id")
    history = page.evaluate("history.length")
    card.get_by_role("button", name=f"Useful: {title}").click()
    page.wait_for_selector(f"#{card_id} .insight-done")
    assert page.locator(f"#{card_id} .insight-done").inner_text() == "Marked useful"
    assert page.evaluate("history.length") == history  # a swap in place, not a new page
    assert InsightFeedback.objects.filter(action="useful").count() == 1
    card = page.locator(f"#{card_id}")
    card.screenshot(path=str(screenshot(f"insights-card-{width}")))

    card.get_by_role("link", name="pattern").click()
    page.wait_for_selector("h1:has-text('ordering pattern')")
    _chart_drawn(page)
    screenshot(f"insights-shop-pattern-{width}")

    page.go_back()
    page.wait_for_selector(f"#{card_id} .insight-done")
    page.go_forward()
    _chart_drawn(page)
    assert page.locator("[data-chart=series-figure] .scatterlayer .trace").count() >= 1


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_vendor_reads_a_products_pattern(scored_site, page, screenshot, width):
    if width == "phone":
        page.set_viewport_size(PHONE)
    sign_in(page, scored_site, "vendor")
    page.wait_for_selector(f"{PANEL} .insight-card")
    page.locator(f"{PANEL} .insight-card").first.get_by_role("link", name="pattern").click()
    page.wait_for_selector("h1:has-text('demand pattern')")
    _chart_drawn(page)
    _chart_drawn(page, "[data-chart=weekday-figure]")
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= page.viewport_size["width"] + 1  # nothing runs off a phone's screen
    screenshot(f"insights-product-pattern-{width}")


def test_analyst_reads_the_segment_overview(scored_site, page, screenshot):
    sign_in(page, scored_site, "analyst")
    page.wait_for_selector(f"{PANEL} .insight-card")
    page.goto(f"{scored_site}/analyst/segments/")
    assert page.locator(".transition-table tbody tr").count() >= 2
    screenshot("insights-segments-desktop")
    page.set_viewport_size(PHONE)
    screenshot("insights-segments-phone")
