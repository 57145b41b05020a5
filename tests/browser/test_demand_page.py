"""A vendor opens Demand, picks another product through the HTMX picker and sees the
Plotly chart of history, forecast and interval bands; on a phone too. A retailer sees
its expected demand for the next four weeks."""

import pytest
from django.core.management import call_command

from forecasting.models import DemandForecast
from retailiq.catalog.models import Product
from tests.browser.test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

TRACE_NAMES = "Array.from(document.querySelector('[data-chart=demand-figure]').data).map(t => t.name)"


@pytest.fixture
def trained_site(demo_site):  # noqa: F811
    call_command("train_models", capability=["forecasting"], backfill_weeks=2)
    return demo_site


def _chart_drawn(page) -> list[str]:
    page.wait_for_function(
        "document.querySelector('[data-chart=demand-figure]')?.querySelector('.main-svg') !== null", timeout=20_000
    )
    return page.evaluate(TRACE_NAMES)


def test_vendor_picks_a_product_and_retailer_sees_expected_demand(trained_site, page, screenshot):
    sign_in(page, trained_site, "vendor")
    page.get_by_role("link", name="Demand", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Demand")
    names = _chart_drawn(page)
    assert {"Actual sales", "Forecast", "80% interval", "95% interval"} <= set(names)

    first = int(page.locator("#demand-show").input_value().split(":")[1])
    # Another of the vendor's products that sold lately (batch scoring forecasts those).
    scored = DemandForecast.objects.filter(product__vendor__users__username="vendor").exclude(product_id=first)
    other = Product.objects.get(pk=scored.values_list("product_id", flat=True).order_by("product_id").first())
    page.evaluate("window.__sameDocument = true")  # survives only if the swap is not a page load
    with page.expect_response(lambda r: "/vendor/demand/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Show", exact=True).select_option(f"product:{other.pk}")
    page.wait_for_function(f"document.querySelector('#demand-title').innerText.includes({other.name!r})")
    assert page.evaluate("window.__sameDocument") is True
    assert f"show=product%3A{other.pk}" in page.url or f"show=product:{other.pk}" in page.url
    names = _chart_drawn(page)
    assert {"Actual sales", "Forecast", "80% interval", "95% interval"} <= set(names)
    detail = page.locator("#demand-detail").inner_text()
    assert "Forecast by version" in detail and "Forecast accuracy, past weeks" in detail
    assert (
        page.locator("section[aria-labelledby=accuracy-title] tbody tr").count() > 0
    )  # backfilled weeks, checked against sales
    screenshot("demand-vendor")

    page.get_by_label("Granularity").select_option("week")
    page.wait_for_function(
        "document.querySelector('[data-chart=demand-figure]')?.layout?.yaxis?.title?.text === 'Units per week'"
    )
    screenshot("demand-vendor-weekly")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url)
    _chart_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot("demand-vendor-phone")

    # One test for both roles: training the models is the slow part.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 860})
    sign_in(page, trained_site, "retailer")
    card = page.locator("section", has=page.get_by_role("heading", name="Expected demand, next 4 weeks"))
    assert card.locator("tbody tr").count() > 0
    assert "week of" in card.locator("thead").inner_text().lower()
    screenshot("home-retailer-expected-demand")
