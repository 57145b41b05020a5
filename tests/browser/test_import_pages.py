"""An analyst uploads a small CSV with one bad line through the form in Chromium, maps
its columns, starts it, and watches the batch page go from live progress (a real Celery
worker runs the import) to the summary and the issue with its line number."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import override_settings

from retailiq.celery import app
from retailiq.imports.models import ImportBatch, ImportState
from tests import factories as f
from tests.imports.uploads import BAD_LINE, ORDERS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def import_site(transactional_db, live_server):
    f.VendorFactory(name="Sunrise Foods")
    f.AnalystFactory(username="ana", first_name="Ana", last_name="Lyst")
    return live_server.url


def sign_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_analyst_uploads_maps_and_watches_an_import(import_site, page, screenshot, tmp_path):
    upload = tmp_path / "shop-orders.csv"
    upload.write_text(ORDERS, encoding="utf-8")
    sign_in(page, import_site)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Upload a file").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Upload sales history"
    too_big = tmp_path / "too-big.csv"
    too_big.write_text(ORDERS * 50, encoding="utf-8")
    with override_settings(RETAILIQ_IMPORT_MAX_BYTES=1000):  # the live server reads it per request
        page.get_by_label("CSV file").set_input_files(str(too_big))
        page.get_by_role("button", name="Upload and map columns").click()
        page.wait_for_load_state("networkidle")
    assert "larger than the import limit of 1000 bytes" in page.locator(".form-field.has-error").inner_text()
    assert ImportBatch.objects.count() == 0
    screenshot("import-upload-too-large")
    page.get_by_label("CSV file").set_input_files(str(upload))
    screenshot("import-upload")
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("heading", level=1).inner_text() == "Map the columns of shop-orders.csv"
    assert page.get_by_label("Quantity").input_value() == "quantity"
    assert "Asha Stores" in page.locator(".sample-table").inner_text()
    assert page.get_by_label("Currency of the file's prices").input_value() == "INR"
    page.get_by_label("Currency of the file's prices").select_option("GBP")
    page.get_by_label("Quantity").select_option("")
    page.get_by_role("button", name="Start the import").click()  # no vendor, rate or quantity: all at once
    page.wait_for_load_state("networkidle")
    errors = page.locator(".form-field.has-error, .mapping-row.has-error").all_inner_texts()
    assert any("choose the vendor" in e for e in errors) and any("rate that converts one GBP" in e for e in errors)
    assert any("Quantity" in e for e in errors)
    page.get_by_label("Quantity").select_option("quantity")
    assert page.get_by_label("Rate into the marketplace's currency").input_value() == ""  # none assumed
    page.get_by_label("Rate into the marketplace's currency").fill("100")  # the rate this test assumes
    page.get_by_label("Vendor of the products").select_option(label="Sunrise Foods")
    screenshot("import-mapping")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    screenshot("import-mapping-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    page.get_by_role("button", name="Start the import").click()
    page.wait_for_load_state("networkidle")

    batch = ImportBatch.objects.get()
    assert page.url.endswith(f"/analyst/imports/{batch.pk}/")
    progress = page.locator(f"#import-{batch.pk}")
    assert "Queued" in progress.inner_text() and progress.get_attribute("hx-trigger") == "every 1s"
    screenshot("import-progress")

    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=["default"]):
        # The component polls each second; once finished, the page reloads with the summary.
        page.get_by_role("heading", name="The file and what was imported").wait_for(timeout=60_000)
    batch.refresh_from_db()
    assert batch.state == ImportState.SUCCEEDED, batch.error
    assert "Imported 3 of 4 lines" in page.locator(".outcome").inner_text()
    summary = page.locator(".summary-table").inner_text()
    assert "£57" in summary and "₹5,650" in summary and "−£11" in summary  # the file in pounds, imported in rupees
    assert "1 GBP = 100 INR" in page.locator("main").inner_text()
    issue = page.locator("#table-issues tbody tr").first
    assert issue.locator("td").first.inner_text() == str(BAD_LINE) and "=2+3" in issue.inner_text()
    screenshot("import-batch")

    page.get_by_label("Severity").select_option("skipped")
    page.wait_for_function("() => !document.querySelector('#table-issues.htmx-request')")
    assert "No issues with this severity" in page.locator("#table-issues").inner_text()
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(200)
    screenshot("import-batch-phone")

    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"{import_site}/analyst/")
    assert "shop-orders.csv" in page.locator("#imports-title").locator("..").locator("..").inner_text()
    page.goto(f"{import_site}/analyst/imports/")
    screenshot("import-list")
    page.goto(f"{import_site}/analyst/imports/format/")
    screenshot("import-format")
