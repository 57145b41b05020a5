"""The import pages: upload (with the byte limit enforced while streaming), mapping,
the batch page with live progress, summary, issues and undo, the list, the format
reference and the template. Only analysts and admins get in."""

import csv
import datetime as dt
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from retailiq.imports.models import ImportBatch, ImportState, SavedMapping
from retailiq.imports.progress import duration_text, import_pace
from retailiq.imports.reading import ORDER_FIELDS
from retailiq.imports.services import import_batch_create
from retailiq.orders.models import Order
from tests import factories as f

from .uploads import BAD_LINE, HEADER, ORDERS, csv_file, patch_enqueue, run_queued

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def analyst(db):
    return f.AnalystFactory(username="ana")


@pytest.fixture
def vendor(db):
    return f.VendorFactory(name="Sunrise Foods")


def uploaded(user, text: str = ORDERS, name: str = "orders.csv") -> ImportBatch:
    return import_batch_create(source=io.BytesIO(text.encode()), original_name=name, user=user)


def mapping_post(batch: ImportBatch, **overrides) -> dict:
    data = {f"map_{field}": column or "" for field, column in batch.mapping.items()}
    data |= {"default_vendor": "", "auto_create_retailers": "on", "auto_create_products": "on", "mode": "quarantine"}
    return data | overrides


def start_through_page(client, batch: ImportBatch, data: dict, django_capture_on_commit_callbacks):
    with patch_enqueue() as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-mapping", args=[batch.pk]), data)
    return response, delay


# Access ------------------------------------------------------------------------------


def _every_page(batch_pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("imports")),
        ("get", reverse("import-new")),
        ("post", reverse("import-new")),
        ("get", reverse("import-format")),
        ("get", reverse("import-template")),
        ("get", reverse("import-batch", args=[batch_pk])),
        ("get", reverse("import-mapping", args=[batch_pk])),
        ("post", reverse("import-mapping", args=[batch_pk])),
        ("get", reverse("import-progress", args=[batch_pk])),
        ("get", reverse("import-report", args=[batch_pk])),
        ("post", reverse("import-undo", args=[batch_pk])),
    ]


@pytest.mark.parametrize("who", ["retailer_user_a", "vendor_user_1", "rep_a"])
def test_every_other_role_is_refused_every_import_page(marketplace, client, who):
    batch = uploaded(marketplace.analyst)
    client.force_login(getattr(marketplace, who))
    for method, url in _every_page(batch.pk):
        assert getattr(client, method)(url).status_code == 403, url
    assert ImportBatch.objects.get().state == ImportState.UPLOADED


def test_anonymous_visitors_are_sent_to_sign_in(db, client):
    response = client.get(reverse("imports"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_admins_may_import_too(db, client):
    client.force_login(f.AdminUserFactory())
    assert client.get(reverse("import-new")).status_code == 200
    response = client.post(reverse("import-new"), {"file": csv_file()})
    assert response.status_code == 302 and ImportBatch.objects.count() == 1


# Upload ------------------------------------------------------------------------------


def test_upload_stores_the_batch_and_goes_to_the_mapping_step(analyst, client):
    client.force_login(analyst)
    page = client.get(reverse("import-new")).content.decode()
    assert 'enctype="multipart/form-data"' in page and '<label for="id_file">' in page
    assert "online-retail" in page  # the preset choice

    response = client.post(reverse("import-new"), {"file": csv_file(), "preset": ""})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-mapping", args=[batch.pk])
    assert batch.state == ImportState.UPLOADED and batch.uploaded_by == analyst
    assert batch.original_name == "orders.csv"


def test_an_upload_that_is_not_a_csv_says_why_on_the_page(analyst, client):
    client.force_login(analyst)
    response = client.post(reverse("import-new"), {"file": csv_file("", name="empty.csv")})
    assert response.status_code in (200, 400)
    assert "empty" in response.content.decode().lower()
    response = client.post(reverse("import-new"), {})
    assert "Choose a CSV file" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@override_settings(RETAILIQ_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_limit_is_stopped_while_streaming_and_named(analyst, client):
    client.force_login(analyst)
    big = csv_file(ORDERS * 20)
    response = client.post(reverse("import-new"), {"preset": "", "file": big})
    assert response.status_code == 413
    body = response.content.decode()
    assert "larger than the import limit of 100" in body and "RETAILIQ_IMPORT_MAX_BYTES" in body
    assert ImportBatch.objects.count() == 0


def test_the_size_limit_handler_stops_past_the_limit_and_passes_data_below_it():
    from django.core.files.uploadhandler import StopUpload

    from retailiq.imports.upload_handlers import ImportSizeLimitHandler

    handler = ImportSizeLimitHandler(limit=10)
    handler.new_file("file", "a.csv", "text/csv", 20)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"123456", 5)
    assert handler.exceeded and "10 bytes" in handler.message


# Mapping -----------------------------------------------------------------------------


def test_mapping_page_shows_the_format_the_sample_and_the_proposed_mapping(analyst, client, vendor):
    batch = uploaded(analyst)
    client.force_login(analyst)
    response = client.get(reverse("import-mapping", args=[batch.pk]))
    body = response.content.decode()
    assert "comma (,)" in body and "UTF-8" in body and "YYYY-MM-DD HH:MM:SS" in body
    assert "Asha Stores" in body and "Bala Mart" in body  # sample rows
    form = response.context["form"]
    assert form["map_quantity"].value() == "quantity" and form["map_order_id"].value() == "order_id"
    for field in ORDER_FIELDS:
        assert f'<label for="id_map_{field.name}">{field.label}' in body
    assert body.count('<span class="required" aria-hidden="true">*</span>') >= sum(f.required for f in ORDER_FIELDS)
    assert "Sunrise Foods" in body  # existing vendors to choose from


def test_mapping_errors_from_the_service_sit_next_to_their_field(analyst, client, vendor):
    batch = uploaded(analyst)
    client.force_login(analyst)
    data = mapping_post(batch, map_quantity="", default_vendor=vendor.code)
    response = client.post(reverse("import-mapping", args=[batch.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "map_quantity" in errors and "Quantity" in errors["map_quantity"][0]
    body = response.content.decode()
    assert 'id="id_map_quantity_error"' in body
    batch.refresh_from_db()
    assert batch.state == ImportState.UPLOADED


def _assert_figures_add_up(figures: dict) -> None:
    """Sales and returns make the net in both columns; in the file, the lines not imported make up the rest."""
    sales, returns, net = (figures[k] for k in ("Sales revenue", "Returns", "Revenue, net of returns"))
    for column in ("in_file", "imported"):
        assert getattr(sales, column) + getattr(returns, column) == pytest.approx(getattr(net, column))
    other = figures["Lines not imported (not products, set aside, rejected)"].in_file
    assert net.in_file + other == pytest.approx(figures["All lines in the file"].in_file)


def test_every_mapping_problem_is_reported_at_once(analyst, client):
    """No quantity column and no vendor: both errors on the first submission, not one round each."""
    batch = uploaded(analyst)
    client.force_login(analyst)
    response = client.post(reverse("import-mapping", args=[batch.pk]), mapping_post(batch, map_quantity=""))
    errors = response.context["form"].errors
    assert "map_quantity" in errors and "default_vendor" in errors
    assert ImportBatch.objects.get().state == ImportState.UPLOADED


def test_a_file_in_another_currency_is_converted_at_the_stated_rate_and_shown_in_each(
    analyst, client, vendor, django_capture_on_commit_callbacks
):
    batch = uploaded(analyst)
    client.force_login(analyst)
    data = mapping_post(batch, default_vendor=vendor.code, currency="GBP")
    response = client.post(reverse("import-mapping", args=[batch.pk]), data)
    assert "exchange_rate" in response.context["form"].errors  # pounds need a rate into rupees
    data["exchange_rate"] = "100"  # the rate this test assumes, typed as the analyst would
    response, _ = start_through_page(client, batch, data, django_capture_on_commit_callbacks)
    batch = run_queued(batch.pk)
    assert batch.options["currency"] == "GBP" and batch.options["exchange_rate"] == 100.0
    line = Order.objects.get(external_id="SO-1").lines.get(product__sku="SKU-A")
    assert float(line.unit_price) == 1050.0  # £10.50 at 100
    page = client.get(reverse("import-batch", args=[batch.pk]))
    body = page.content.decode()
    figures = {figure.label: figure for figure in page.context["figures"]}
    assert figures["Sales revenue"].in_file == pytest.approx(56.5) and "£57" in body  # 4 x 10.50 + 2 x 7.25
    assert figures["Sales revenue"].imported == pytest.approx(5650) and "₹5,650" in body
    assert "converted at the stated rate of 1 GBP = 100 INR" in body and "₹57" not in body
    _assert_figures_add_up(figures)


def test_the_online_retail_preset_asks_for_pounds(analyst, client):
    text = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    text += "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    client.force_login(analyst)
    response = client.post(reverse("import-new"), {"file": csv_file(text, "online.csv"), "preset": "online-retail"})
    form = client.get(response.url).context["form"]
    # Pounds, but no rate: an invented one would read as stated; the analyst types the rate the books use.
    assert form.initial["currency"] == "GBP" and "exchange_rate" not in form.initial
    assert form["exchange_rate"].value() in (None, "")


@pytest.mark.parametrize(
    ("rate", "says"),
    [("", "type the rate that converts one GBP into INR"), ("0", "must be a number above 0"), ("-2", "above 0")],
)
def test_a_foreign_currency_without_a_positive_rate_is_refused_beside_the_rate(analyst, client, vendor, rate, says):
    batch = uploaded(analyst)
    client.force_login(analyst)
    data = mapping_post(batch, default_vendor=vendor.code, currency="GBP", exchange_rate=rate)
    response = client.post(reverse("import-mapping", args=[batch.pk]), data)
    errors = response.context["form"].errors
    assert list(errors) == ["exchange_rate"] and says in errors["exchange_rate"][0]
    assert "Rate into the marketplace's currency" in errors["exchange_rate"][0]
    assert ImportBatch.objects.get().state == ImportState.UPLOADED and not ImportBatch.objects.get().options.get(
        "exchange_rate"
    )


def test_negative_prices_are_rejected_and_the_sums_still_add_up(
    analyst, client, vendor, django_capture_on_commit_callbacks
):
    text = f"""{HEADER}
SO-1,2025-03-01 09:15:00,R1,Asha Stores,SKU-A,Rice 5 kg,4,415.00
SO-2,2025-03-02 09:15:00,R1,Asha Stores,SKU-B,Tea 1 kg,4,-1245.00
"""
    batch = uploaded(analyst, text)
    client.force_login(analyst)
    start_through_page(
        client, batch, mapping_post(batch, default_vendor=vendor.code), django_capture_on_commit_callbacks
    )
    batch = run_queued(batch.pk)
    page = client.get(reverse("import-batch", args=[batch.pk]))
    figures = {figure.label: figure for figure in page.context["figures"]}
    assert figures["Sales revenue"].in_file == figures["Revenue, net of returns"].in_file == 1660
    assert figures["Lines not imported (not products, set aside, rejected)"].in_file == -4980
    assert figures["All lines in the file"].in_file == -3320
    _assert_figures_add_up(figures)
    body = page.content.decode()
    assert "−₹4,980" in body and "₹-" not in body


def test_a_header_only_file_warns_instead_of_succeeding(analyst, client, vendor, django_capture_on_commit_callbacks):
    batch = uploaded(analyst, HEADER + "\n")
    client.force_login(analyst)
    start_through_page(
        client, batch, mapping_post(batch, default_vendor=vendor.code), django_capture_on_commit_callbacks
    )
    batch = run_queued(batch.pk)
    assert batch.state == ImportState.REJECTED
    body = client.get(reverse("import-batch", args=[batch.pk])).content.decode()
    assert "no order lines under it" in body and "Imported 0 of 0" not in body


def test_the_state_badge_follows_the_progress_panel(analyst, client, vendor, django_capture_on_commit_callbacks):
    batch = uploaded(analyst)
    client.force_login(analyst)
    start_through_page(
        client, batch, mapping_post(batch, default_vendor=vendor.code), django_capture_on_commit_callbacks
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING)
    page_url = "http://testserver" + reverse("import-batch", args=[batch.pk])
    fragment = client.get(
        reverse("import-progress", args=[batch.pk]), headers={"HX-Request": "true", "HX-Current-URL": page_url}
    ).content.decode()
    assert f'id="import-state-{batch.pk}" class="badge running" hx-swap-oob="true">Running<' in fragment


def test_uploads_nobody_maps_expire_when_the_list_is_opened(analyst, client):
    old, fresh = uploaded(analyst), uploaded(analyst, ORDERS.replace("SO-1", "SO-9"), name="fresh.csv")
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    client.force_login(analyst)
    assert client.get(reverse("imports")).status_code == 200
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.state == ImportState.REJECTED and "Expired" in old.summary["outcome"] and not old.file
    assert fresh.state == ImportState.UPLOADED
    assert "Expired" in client.get(reverse("import-batch", args=[old.pk])).content.decode()


def test_a_vendor_is_required_when_no_column_holds_one(analyst, client):
    batch = uploaded(analyst)
    client.force_login(analyst)
    response = client.post(reverse("import-mapping", args=[batch.pk]), mapping_post(batch))
    assert "default_vendor" in response.context["form"].errors
    assert ImportBatch.objects.get().state == ImportState.UPLOADED


def test_mapping_configures_starts_and_the_batch_page_shows_the_summary_and_issues(
    analyst, client, vendor, django_capture_on_commit_callbacks
):
    batch = uploaded(analyst)
    client.force_login(analyst)
    data = mapping_post(batch, default_vendor=vendor.code, save_as="Shop exports")
    response, delay = start_through_page(client, batch, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == reverse("import-batch", args=[batch.pk])
    delay.assert_called_once_with(batch.pk)
    batch.refresh_from_db()
    assert batch.state == ImportState.QUEUED and batch.options["default_vendor"] == vendor.code
    saved = SavedMapping.objects.get(name="Shop exports")
    assert saved.mapping["quantity"] == "quantity" and "encoding" not in saved.options

    queued_page = client.get(reverse("import-batch", args=[batch.pk])).content.decode()
    assert f'hx-get="{reverse("import-progress", args=[batch.pk])}"' in queued_page and "every 1s" in queued_page

    batch = run_queued(batch.pk)
    assert batch.state == ImportState.SUCCEEDED, batch.error
    assert Order.objects.filter(external_id="SO-1").get().lines.first().product.vendor == vendor
    page = client.get(reverse("import-batch", args=[batch.pk]))
    body = page.content.decode()
    assert "The file and what was imported" in body and "every 1s" not in body
    assert f'<td class="num" data-label="Line">{BAD_LINE}</td>' in body and "=2+3" in body  # the issue, with its line
    assert '<span class="badge error">Rejected</span>' in body
    figures = {figure.label: figure for figure in page.context["figures"]}
    assert figures["Lines"].in_file == 4 and figures["Lines"].imported == 3
    assert figures["Orders (invoices)"].in_file == 3
    assert figures["Returns"].in_file == figures["Returns"].imported == -10.5  # money back, negative in both
    _assert_figures_add_up(figures)
    assert "Undo this import" in body


def test_a_preset_and_a_saved_mapping_preselect_their_columns(analyst, client):
    text = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    text += "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    client.force_login(analyst)
    response = client.post(reverse("import-new"), {"file": csv_file(text, "online.csv"), "preset": "online-retail"})
    assert response.url.endswith("?preset=online-retail")
    form = client.get(response.url).context["form"]
    assert form["map_order_id"].value() == "InvoiceNo" and form["map_retailer_id"].value() == "CustomerID"
    assert form["preset"].value() == "online-retail"

    saved = SavedMapping.objects.create(name="Mine", mapping={"order_id": "StockCode"}, options={})
    response = client.post(reverse("import-new"), {"file": csv_file(text, "again.csv"), "saved_mapping": saved.pk})
    form = client.get(response.url).context["form"]
    assert form["map_order_id"].value() == "StockCode"


def test_a_started_batch_no_longer_offers_its_mapping(analyst, client):
    batch = uploaded(analyst)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.QUEUED)
    client.force_login(analyst)
    response = client.get(reverse("import-mapping", args=[batch.pk]))
    assert response.status_code == 302 and response.url == reverse("import-batch", args=[batch.pk])


# Batch page: progress, issues, report, undo --------------------------------------------


def _finished(analyst, vendor) -> ImportBatch:
    from retailiq.imports.services import import_batch_configure, import_batch_start

    batch = uploaded(analyst)
    import_batch_configure(batch=batch, options={"default_vendor": vendor.code})
    with patch_enqueue():
        import_batch_start(batch=batch)
    return run_queued(batch.pk)


def test_progress_shows_counters_rate_and_time_left_while_running(analyst, client):
    batch = uploaded(analyst)
    started = timezone.now() - dt.timedelta(seconds=10)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportState.RUNNING,
        started_at=started,
        bytes_read=batch.size_bytes // 4,
        lines_read=1000,
        lines_accepted=990,
        lines_rejected=10,
        stage="reading",
    )
    batch.refresh_from_db()
    pace = import_pace(batch, now=started + dt.timedelta(seconds=10))
    assert pace.lines_per_second == pytest.approx(100)
    assert pace.seconds_left == pytest.approx(10 * (batch.size_bytes - batch.bytes_read) / batch.bytes_read)
    client.force_login(analyst)
    body = client.get(reverse("import-progress", args=[batch.pk]), **HTMX).content.decode()
    assert "lines/s" in body and "left" in body and "1,000" in body and "Reading" in body
    assert 'hx-trigger="every 1s"' in body


def test_duration_text_reads_naturally():
    assert duration_text(0.4) == "under 1 s"
    assert (duration_text(42), duration_text(200), duration_text(3900)) == ("42 s", "3 min 20 s", "1 h 05 min")


def test_a_finished_batch_stops_polling_and_reloads_its_own_page(analyst, client, vendor):
    batch = _finished(analyst, vendor)
    client.force_login(analyst)
    page_url = "http://testserver" + reverse("import-batch", args=[batch.pk])
    response = client.get(reverse("import-progress", args=[batch.pk]), HTTP_HX_CURRENT_URL=page_url, **HTMX)
    assert response["HX-Refresh"] == "true" and "every 1s" not in response.content.decode()
    elsewhere = client.get(
        reverse("import-progress", args=[batch.pk]), HTTP_HX_CURRENT_URL="http://testserver/analyst/", **HTMX
    )
    assert "HX-Refresh" not in elsewhere


def test_issues_table_filters_by_severity_in_place_and_exports(analyst, client, vendor):
    batch = _finished(analyst, vendor)
    client.force_login(analyst)
    url = reverse("import-batch", args=[batch.pk])
    fragment = client.get(url, {"issues-severity": "skipped"}, HTTP_HX_TARGET="table-issues", **HTMX)
    text = fragment.content.decode()
    assert "<html" not in text and "No issues with this severity" in text
    fragment = client.get(
        url, {"issues-severity": "error", "issues-sort": "-line_number"}, **HTMX, HTTP_HX_TARGET="table-issues"
    )
    assert f'<td class="num" data-label="Line">{BAD_LINE}</td>' in fragment.content.decode()
    exported = client.get(url, {"issues-export": "csv"}).content.decode()
    assert "'=2+3" in exported


def test_report_lists_every_issue_with_formulas_escaped(analyst, client, vendor):
    batch = _finished(analyst, vendor)
    client.force_login(analyst)
    response = client.get(reverse("import-report", args=[batch.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="import-{batch.pk}-issues.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["line", "severity", "column", "value", "reason", "whole line"]
    assert rows[1][:4] == [str(BAD_LINE), "error", "quantity", "'=2+3"]
    assert "SO-2" in rows[1][5]


def test_undo_needs_its_confirmation_then_removes_the_import(analyst, client, vendor):
    batch = _finished(analyst, vendor)
    client.force_login(analyst)
    url = reverse("import-undo", args=[batch.pk])
    client.post(url)
    assert ImportBatch.objects.get().state == ImportState.SUCCEEDED and Order.objects.count() == 2  # SO-1, SO-3-R
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert ImportBatch.objects.get().state == ImportState.UNDONE and Order.objects.count() == 0
    body = response.content.decode()
    assert "undone" in body and "Undo this import" not in body
    again = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Only an import that succeeded can be undone" in again.content.decode()


# List, home, format, template ----------------------------------------------------------


def test_list_and_analyst_home_show_the_latest_imports(analyst, client, vendor):
    for n in range(6):
        uploaded(analyst, name=f"file-{n}.csv")
    client.force_login(analyst)
    listing = client.get(reverse("imports")).content.decode()
    assert all(f"file-{n}.csv" in listing for n in range(6)) and reverse("import-new") in listing
    home = client.get(reverse("analyst-home")).content.decode()
    assert "file-5.csv" in home and "file-1.csv" in home and "file-0.csv" not in home  # the 5 latest
    assert reverse("import-new") in home and f'href="{reverse("imports")}"' in home


def test_format_page_describes_every_field_and_the_limits(analyst, client):
    client.force_login(analyst)
    body = client.get(reverse("import-format")).content.decode()
    for field in ORDER_FIELDS:
        assert f'<code class="muted">{field.name}</code>' in body
    assert "Online Retail" in body and "InvoiceNo" in body and "gzip" in body and "RETAILIQ_IMPORT_MAX_LINES" in body


def test_the_template_csv_imports_as_it_is(analyst, client):
    client.force_login(analyst)
    response = client.get(reverse("import-template"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [field.name for field in ORDER_FIELDS] and len(rows) == 3
    batch = uploaded(analyst, text=response.content.decode(), name="template.csv")
    assert batch.mapping == {field.name: field.name for field in ORDER_FIELDS}
    assert HEADER.split(",")[0] == rows[0][0]


@override_settings(RETAILIQ_IMPORT_MAX_BYTES=100)
def test_with_csrf_enforced_the_limit_still_answers_with_the_page(analyst):
    """CSRF checking reads the body; the limit is installed before it (exempt outside,
    protected inside), and the token, first in the form, survives the stopped upload."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    client.get(reverse("import-new"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("import-new"), {"csrfmiddlewaretoken": token, "file": csv_file(ORDERS * 20)})
    assert response.status_code == 413 and "RETAILIQ_IMPORT_MAX_BYTES" in response.content.decode()
    refused = client.post(reverse("import-new"), {"file": csv_file()})
    assert refused.status_code == 403 and ImportBatch.objects.count() == 0


ONLINE_RETAIL = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom
C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2010-12-01 09:41:00,2.55,17850,United Kingdom
"""


def test_the_online_retail_preset_skips_non_products_and_sets_aside_customerless_lines(
    analyst, client, vendor, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    response = client.post(
        reverse("import-new"), {"file": csv_file(ONLINE_RETAIL, "online.csv"), "preset": "online-retail"}
    )
    batch = ImportBatch.objects.get()
    form = client.get(response.url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name.startswith("map_")}
    data |= {"default_vendor": vendor.code, "auto_create_retailers": "on", "auto_create_products": "on"}
    data |= {"mode": "quarantine", "preset": "online-retail", "currency": "GBP", "exchange_rate": "100"}
    response, _ = start_through_page(client, batch, data, django_capture_on_commit_callbacks)
    batch = run_queued(batch.pk)
    assert batch.state == ImportState.SUCCEEDED and batch.preset == "online-retail", batch.error
    assert (batch.lines_skipped, batch.lines_set_aside, batch.lines_accepted) == (1, 1, 2)
    body = client.get(reverse("import-batch", args=[batch.pk])).content.decode()
    assert '<span class="badge skipped">' in body and '<span class="badge set_aside">' in body
    assert "not a product: POST" in body


def test_all_or_nothing_rejects_the_file_and_offers_no_undo(
    analyst, client, vendor, django_capture_on_commit_callbacks
):
    batch = uploaded(analyst)
    client.force_login(analyst)
    data = mapping_post(batch, default_vendor=vendor.code, mode="all_or_nothing")
    start_through_page(client, batch, data, django_capture_on_commit_callbacks)
    batch = run_queued(batch.pk)
    assert batch.state == ImportState.REJECTED and Order.objects.count() == 0
    body = client.get(reverse("import-batch", args=[batch.pk])).content.decode()
    assert "Nothing was imported" in body and "all-or-nothing" in body and "Undo this import" not in body
    assert f'<td class="num" data-label="Line">{BAD_LINE}</td>' in body


def test_a_gzip_file_is_accepted_and_shown_as_compressed(analyst, client):
    import gzip

    client.force_login(analyst)
    packed = csv_file("", "orders.csv.gz")
    packed.file = io.BytesIO(gzip.compress(ORDERS.encode()))
    packed.size = len(packed.file.getvalue())
    response = client.post(reverse("import-new"), {"file": packed})
    body = client.get(response.url).content.decode()
    assert "yes, gzip" in body and "Asha Stores" in body
