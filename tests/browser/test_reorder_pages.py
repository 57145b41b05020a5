"""The reorder pages in Chromium: the rep filters its call list in place, records a call's
outcome by HTMX and sees it on the entry; the retailer adjusts its reorder cart and
exports it. Screenshots of each page go to artifacts/screenshots (and /tmp/shots)."""

import csv
import io
import shutil
from pathlib import Path

import pytest

from reorder.models import CallOutcome
from retailiq.retailers.models import Retailer

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")


@pytest.fixture
def shot(page, screenshot):
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = screenshot(name)
        shutil.copy(path, SHOTS / path.name)
        page.screenshot(path=str(SHOTS / f"{name}-top.png"))  # the first screen, as a person sees it
        return path

    return take


def test_rep_filters_the_call_list_and_records_an_outcome(demo_site, page, shot):  # noqa: F811
    sign_in(page, demo_site, "rep")
    assert page.locator("nav[aria-label=Main] li").first.inner_text() == "Call list"
    page.wait_for_selector("[aria-labelledby=calls-title] .call-panel li, [aria-labelledby=calls-title] .empty")
    shot("reorder-rep-home")

    page.goto(f"{demo_site}/rep/calls/")
    assigned = set(Retailer.objects.filter(assigned_rep__username="rep").values_list("name", flat=True))
    names = page.locator(".call-entry h3").all_inner_texts()
    assert names and set(names) <= assigned
    page.wait_for_selector('[data-chart="call-hit-rate-figure"], .hit-rate .empty')
    shot("reorder-call-list")

    page.evaluate("window.__noReload = 'kept'")
    with page.expect_response(lambda r: "horizon=30" in r.url):
        page.get_by_label("Within").select_option("30")
    page.wait_for_function("() => !document.querySelector('#call-list.htmx-request')")
    assert page.evaluate("window.__noReload") == "kept" and "horizon=30" in page.url
    assert "within 30 days" in page.locator(".call-summary").inner_text()

    entry = page.locator(".call-entry").first
    entry.get_by_text("Record the call").click()
    entry.get_by_role("radio", name="Note only").check()
    entry.get_by_role("button", name="Save outcome").click()
    page.wait_for_function("() => [...document.querySelectorAll('.call-entry .field-error')].some(e => e.textContent)")
    assert "note is required" in entry.inner_text().lower() and not CallOutcome.objects.exists()

    entry.get_by_role("radio", name="Not now").check()
    entry.get_by_role("textbox", name="Note").fill("Call back on Friday")
    entry.get_by_role("button", name="Save outcome").click()
    entry.locator(".last-outcome .badge", has_text="Not now").wait_for()
    assert "Call back on Friday" in entry.locator(".last-outcome").inner_text()
    assert CallOutcome.objects.get().note == "Call back on Friday"
    assert not entry.locator("details").evaluate("d => d.open")
    shot("reorder-call-list-recorded")

    entry.locator("h3 a").click()
    page.wait_for_selector(".timeline-event")
    assert "Not now" in page.locator(".timeline-event.call").first.inner_text()
    shot("reorder-retailer-timeline")

    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/rep/calls/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot("reorder-call-list-phone")


def test_retailer_adjusts_and_exports_its_reorder_cart(demo_site, page, shot):  # noqa: F811
    sign_in(page, demo_site, "retailer")
    page.wait_for_selector("[aria-labelledby=reorder-title] table, [aria-labelledby=reorder-title] .empty")
    shot("reorder-retailer-home")
    page.goto(f"{demo_site}/retailer/reorder/")
    quantities = page.locator("input.qty")
    assert quantities.count() >= 1
    shot("reorder-cart")

    first = quantities.first
    name = first.get_attribute("name")
    with page.expect_response(lambda r: r.url.endswith("/retailer/reorder/") and r.request.method == "POST"):
        first.fill("7")
        first.dispatch_event("change")
    page.wait_for_function(f"() => document.querySelector('input[name=\"{name}\"]').value === '7'")
    if quantities.count() > 1:
        removed = page.locator("button.remove").last.get_attribute("value")
        with page.expect_response(lambda r: r.url.endswith("/retailer/reorder/")):
            page.locator("button.remove").last.click()
        page.wait_for_function(f"() => !document.querySelector('input[name=\"qty-{removed}\"]')")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export cart as CSV").first.click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert rows[0][:3] == ["sku", "product", "quantity"] and rows[1][2] == "7"
    assert len(rows) - 1 == page.locator("input.qty").count()

    # A quantity of 0 drops the line from the cart.
    left = page.locator("input.qty").count()
    with page.expect_response(lambda r: r.url.endswith("/retailer/reorder/")):
        page.locator("input.qty").first.fill("0")
        page.locator("input.qty").first.dispatch_event("change")
    page.wait_for_function(f"() => document.querySelectorAll('input.qty').length === {left - 1}")
    shot("reorder-cart-adjusted")


def test_call_list_holds_together_at_desktop_and_phone_widths(demo_site, page, shot):  # noqa: F811
    """Ranked by the figure shown, reasons naming their product, a contact to dial, and the hit rate counting a
    call as soon as it is recorded."""
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, demo_site, "rep")
    page.goto(f"{demo_site}/rep/calls/")
    page.wait_for_selector(".call-entry")
    values = page.locator(".call-entry .likely-value").all_inner_texts()
    amounts = [float(v.replace("₹", "").replace(",", "").replace("−", "-")) for v in values]
    assert amounts == sorted(amounts, reverse=True), values
    entry = page.locator(".call-entry").first
    products = entry.locator(".call-products .product-name").all_inner_texts()
    chances = entry.locator(".call-products tbody td:nth-child(2)").all_inner_texts()
    assert entry.locator(".why-label").inner_text() == f"Why {products[0]}:"
    phone = entry.locator("a.contact-phone")
    assert phone.get_attribute("href").startswith("tel:+91") and phone.inner_text().startswith("+91")
    shot("call-list-desktop")

    calls_before = page.locator(".hit-rate").inner_text()
    entry.get_by_text("Record the call").click()
    entry.get_by_role("radio", name="Not now").check()
    entry.get_by_role("button", name="Save outcome").click()
    page.wait_for_function(
        "() => document.querySelector('.hit-rate').innerText.includes('1 more call still within its horizon')"
    )
    assert page.locator(".hit-rate").inner_text() != calls_before
    shot("call-list-desktop-recorded")

    entry.locator("h3 a").click()
    page.wait_for_selector(".prediction-table")
    assert page.locator("a.contact-phone").get_attribute("href").startswith("tel:+91")
    # The shop's page lists the call list's products first, in its order, with its chances.
    assert page.locator(".prediction-table .product-name").all_inner_texts()[: len(products)] == products
    assert page.locator(".prediction-table tbody td:nth-child(2)").all_inner_texts()[: len(products)] == chances
    shot("call-list-timeline-desktop")

    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/rep/calls/")
    page.wait_for_selector(".call-entry")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    shot("call-list-phone")
