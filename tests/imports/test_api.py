"""The imports REST API: upload (multipart) and start, poll, issues, undo; analysts and
admins only; service refusals reach the JSON error with their fields."""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from retailiq.imports.models import ImportBatch, ImportState
from retailiq.orders.models import Order
from tests import factories as f

from .uploads import BAD_LINE, ORDERS, csv_file, patch_enqueue, run_queued

URL = "/api/v1/imports/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def analyst(db):
    return f.AnalystFactory(username="ana")


@pytest.fixture
def vendor(db):
    return f.VendorFactory(name="Sunrise Foods")


def upload(api, *, start: bool = False, **fields):
    body = {"file": csv_file(), "start": "true" if start else "false", **fields}
    return api.post(URL, body, format="multipart")


def started(api, vendor, django_capture_on_commit_callbacks) -> int:
    with patch_enqueue() as delay, django_capture_on_commit_callbacks(execute=True):
        response = upload(api, start=True, options=json.dumps({"default_vendor": vendor.code}))
    assert response.status_code == 201, response.json()
    batch_id = response.json()["id"]
    delay.assert_called_once_with(batch_id)
    return batch_id


@pytest.mark.parametrize("who", ["retailer_user_a", "vendor_user_1", "rep_a"])
def test_every_other_role_is_refused_every_endpoint(marketplace, api, who):
    batch = ImportBatch.objects.create(original_name="x.csv", size_bytes=1, sha256="0", created_at="2026-01-01T00:00Z")
    api.force_authenticate(getattr(marketplace, who))
    for method, url in [
        ("get", URL),
        ("post", URL),
        ("get", f"{URL}{batch.pk}/"),
        ("get", f"{URL}{batch.pk}/issues/"),
        ("post", f"{URL}{batch.pk}/start/"),
        ("post", f"{URL}{batch.pk}/undo/"),
    ]:
        response = getattr(api, method)(url)
        assert response.status_code == 403, url
        assert response.json()["error"]["message"] == "Only analysts and admins work with imports."
    assert ImportBatch.objects.get().state == ImportState.UPLOADED


def test_anonymous_callers_are_refused(db, api):
    assert api.get(URL).status_code in (401, 403)


def test_upload_answers_201_with_the_batch_and_its_urls(analyst, api):
    api.force_authenticate(analyst)
    response = upload(
        api,
        mapping=json.dumps({"retailer_name": None}),
        mode="all_or_nothing",
        options=json.dumps({"default_vendor": "Sunrise Foods"}),
    )
    assert response.status_code == 201
    body = response.json()
    batch = ImportBatch.objects.get()
    assert body["id"] == batch.pk and body["state"] == "uploaded" and body["mode"] == "all_or_nothing"
    assert body["mapping"]["quantity"] == "quantity" and body["mapping"]["retailer_name"] is None
    assert body["urls"]["self"].endswith(f"/api/v1/imports/{batch.pk}/")
    assert body["urls"]["start"].endswith(f"/api/v1/imports/{batch.pk}/start/")
    assert body["urls"]["page"].endswith(f"/analyst/imports/{batch.pk}/")
    assert body["uploaded_by"] == "ana"


def test_admins_may_use_it_too(db, api):
    api.force_authenticate(f.AdminUserFactory())
    created = upload(api, options=json.dumps({"default_vendor": "Sunrise Foods"}))
    assert created.status_code == 201 and api.get(URL).json()["count"] == 1


def test_upload_and_start_then_poll_the_finished_batch_and_its_issues(
    analyst, api, vendor, django_capture_on_commit_callbacks
):
    api.force_authenticate(analyst)
    batch_id = started(api, vendor, django_capture_on_commit_callbacks)
    assert api.get(f"{URL}{batch_id}/").json()["state"] == "queued"
    run_queued(batch_id)

    body = api.get(f"{URL}{batch_id}/").json()
    assert body["state"] == "succeeded" and body["percent"] == 100
    assert (body["lines_read"], body["lines_accepted"], body["lines_rejected"]) == (4, 3, 1)
    assert body["summary"]["file"]["lines"] == 4 and body["summary"]["imported"]["orders"] == 2

    issues = api.get(f"{URL}{batch_id}/issues/").json()
    assert issues["count"] == 1
    assert issues["results"][0] | {"row": None} == {
        "line_number": BAD_LINE,
        "column": "quantity",
        "value": "=2+3",
        "reason": issues["results"][0]["reason"],
        "severity": "error",
        "row": None,
    }
    assert api.get(f"{URL}{batch_id}/issues/", {"severity": "skipped"}).json()["count"] == 0
    refused = api.get(f"{URL}{batch_id}/issues/", {"severity": "bogus"})
    assert refused.status_code == 400 and "severity" in refused.json()["error"]["fields"]
    listing = api.get(URL, {"state": "succeeded"}).json()
    assert [b["id"] for b in listing["results"]] == [batch_id]


def test_a_mapping_the_service_refuses_names_its_field_and_leaves_no_batch(analyst, api):
    api.force_authenticate(analyst)
    response = upload(api, mapping=json.dumps({"quantity": "Qty"}))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_rejected" and "Qty" in error["fields"]["quantity"][0]
    assert ImportBatch.objects.count() == 0


def test_malformed_input_is_a_validation_error_naming_the_field(analyst, api):
    api.force_authenticate(analyst)
    for fields, name in [
        ({"mapping": "[1, 2]"}, "mapping"),
        ({"options": "not json"}, "options"),
        ({"mode": "sometimes"}, "mode"),
        ({"preset": "nope"}, "preset"),
    ]:
        response = upload(api, **fields)
        assert response.status_code == 400 and name in response.json()["error"]["fields"], fields
    assert api.post(URL, {"start": "false"}, format="multipart").json()["error"]["fields"].keys() == {"file"}


@pytest.mark.parametrize(
    "option, value",
    [
        ("encoding", "rot13"),
        ("encoding", "klingon"),
        ("date_format", "%Q"),
        ("date_format", "%d/%m"),
        ("non_product_pattern", "(a+)+$"),
        ("non_product_pattern", "(POST|POSTAGE)*"),
        ("non_product_pattern", "POST|("),
        ("chunk_lines", "many"),
    ],
)
def test_options_the_worker_could_not_use_are_a_400_naming_the_option(analyst, api, vendor, option, value):
    api.force_authenticate(analyst)
    response = upload(api, options=json.dumps({"default_vendor": vendor.code, option: value}))
    assert response.status_code == 400, response.content
    assert option in response.json()["error"]["fields"]
    assert ImportBatch.objects.count() == 0


def test_a_foreign_currency_needs_a_stated_rate(analyst, api, vendor):
    api.force_authenticate(analyst)
    for rate in ({}, {"exchange_rate": 0}, {"exchange_rate": "abc"}):
        options = {"default_vendor": vendor.code, "currency": "GBP", **rate}
        response = upload(api, options=json.dumps(options))
        assert response.status_code == 400, rate
        error = response.json()["error"]
        assert list(error["fields"]) == ["exchange_rate"] and "GBP" in error["fields"]["exchange_rate"][0], rate
    assert ImportBatch.objects.count() == 0
    created = upload(api, options=json.dumps({"default_vendor": vendor.code, "currency": "GBP", "exchange_rate": 90}))
    assert created.status_code == 201 and ImportBatch.objects.get().options["exchange_rate"] == 90.0


@override_settings(RETAILIQ_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_limit_answers_413_naming_it(analyst, api):
    api.force_authenticate(analyst)
    response = api.post(URL, {"file": csv_file(ORDERS * 20)}, format="multipart")
    assert response.status_code == 413
    error = response.json()["error"]
    assert "RETAILIQ_IMPORT_MAX_BYTES" in error["message"] and "file" in error["fields"]
    assert ImportBatch.objects.count() == 0


def test_start_queues_once_and_undo_removes_what_was_written(analyst, api, vendor, django_capture_on_commit_callbacks):
    api.force_authenticate(analyst)
    created = upload(api, options=json.dumps({"default_vendor": vendor.code})).json()
    with patch_enqueue() as delay, django_capture_on_commit_callbacks(execute=True):
        response = api.post(created["urls"]["start"])
    assert response.status_code == 202 and response.json()["state"] == "queued"
    delay.assert_called_once_with(created["id"])
    again = api.post(created["urls"]["start"])
    assert again.status_code == 400 and again.json()["error"]["code"] == "import_rejected"

    run_queued(created["id"])
    assert Order.objects.count() == 2
    undone = api.post(created["urls"]["undo"])
    assert undone.status_code == 200 and undone.json()["state"] == "undone"
    assert Order.objects.count() == 0
    assert api.post(created["urls"]["undo"]).status_code == 400


def test_unknown_batches_are_404(analyst, api):
    api.force_authenticate(analyst)
    assert api.get(f"{URL}999/").status_code == 404
    assert api.get(f"{URL}999/issues/").status_code == 404
    assert api.post(f"{URL}999/start/").status_code == 404


def test_the_schema_documents_the_imports_endpoints(analyst, api):
    api.force_authenticate(analyst)
    response = api.get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    assert {"/api/v1/imports/", "/api/v1/imports/{id}/", "/api/v1/imports/{id}/issues/"} <= set(paths)
    assert "multipart/form-data" in paths["/api/v1/imports/"]["post"]["requestBody"]["content"]
