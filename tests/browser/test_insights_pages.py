"""Insights in Chromium, at desktop and phone width: the feed on the rep's home, "Useful" on a card swapped in by
HTMX without a history entry, the shop's pattern page with its chart, and Back and Forward redrawing it; the
vendor's product pattern page; the analysts' segment overview. Screenshots go to artifacts/screenshots."""

import datetime as dt

import pytest
from django.db.models import Count, F

from insights.models import InsightFeedback
from retailiq.accounts.models import User
from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer
from tests.insights.conftest import train_and_score

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PANEL = "[aria-labelledby=insights-title]"


@pytest.fixture
def scored_site(demo_site):  # noqa: F811
    """The tiny demo with two patterns made plain: one of the rep's shops cancelled its orders of the last five
    weeks (it reads as lapsing), and the vendor's best-selling product sold six times its usual last week."""
    today = dt.date.today()
    shop = Retailer.objects.filter(assigned_rep__username="rep").order_by("pk").first()
    Order.objects.filter(retailer=shop, placed_at__date__gte=today - dt.timedelta(days=35)).update(status="cancelled")
    vendor = User.objects.get(username="vendor").vendor
    product = (
        OrderLine.objects.filter(product__vendor=vendor).values("product").annotate(n=Count("pk")).order_by("-n")[0]
    )["product"]
    OrderLine.objects.filter(product_id=product, placed_on__gte=today - dt.timedelta(days=7)).update(
        quantity=F("quantity") * 6
    )
    train_and_score(as_of=today)
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
    # A lapsing shop reads in days or weeks, and a model's probability never as certainty.
    feed = page.locator(PANEL).inner_text()
    assert "has not ordered for" in feed and "usual cycles" not in feed and "100%" not in feed
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
