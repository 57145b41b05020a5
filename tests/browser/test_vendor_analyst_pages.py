"""The vendor and the analyst sign in through the real login page in Chromium, see their
own data, change a control that HTMX answers in place (no reload), and charts draw."""

import pytest

from retailiq.catalog.models import Vendor

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _chart_drawn(page, selector: str) -> None:
    page.wait_for_function(
        "(s) => { const el = document.querySelector(s);"
        " return !!(el && el.querySelector('.main-svg') && el.data && el.data.length > 0); }",
        arg=selector,
    )


def test_vendor_sees_its_sales_and_changes_granularity_in_place(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "vendor")
    assert page.url == f"{demo_site}/vendor/"
    own = Vendor.objects.get(users__username="vendor")
    other = Vendor.objects.get(users__username="vendor2")
    text = page.locator("main").inner_text()
    assert own.name in text and other.name not in text
    assert page.locator(".kpi").count() == 4 and "₹" in page.locator(".kpi").first.inner_text()
    _chart_drawn(page, '[data-chart="vendor-sales-figure"]')
    screenshot("vendor-home-desktop")

    page.evaluate("window.__stayed = 'yes'")
    with page.expect_response(lambda r: "granularity=month" in r.url):
        page.get_by_label("Period", exact=True).select_option("month")
    _chart_drawn(page, '[data-chart="vendor-sales-figure"]')
    assert page.evaluate("window.__stayed") == "yes"  # swapped in place, not reloaded
    assert "Per month" in page.locator("#vendor-sales-chart").inner_text()
    assert "granularity=month" in page.url

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot("vendor-home-phone")


def test_analyst_sees_the_marketplace_and_filters_jobs_in_place(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "analyst")
    assert page.url == f"{demo_site}/analyst/"
    assert page.get_by_role("heading", level=1).inner_text() == "Marketplace overview"
    assert "generate_demo_data" in page.locator("main").inner_text()
    _chart_drawn(page, '[data-chart="analyst-weekly-figure"]')
    assert page.locator("#table-retailers tbody tr").count() > 1
    screenshot("analyst-home-desktop")

    page.evaluate("window.__stayed = 'yes'")
    with page.expect_response(lambda r: "retailers-segment=kirana" in r.url):
        page.locator("#table-retailers").get_by_label("Segment").select_option("kirana")
    page.wait_for_function("() => !document.querySelector('#table-retailers.htmx-request')")
    assert page.evaluate("window.__stayed") == "yes"
    segments = page.locator("#table-retailers tbody td:nth-child(4)").all_inner_texts()
    assert segments and set(segments) == {"Kirana"}

    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    screenshot("analyst-home-phone")
