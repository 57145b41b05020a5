import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


def test_anonymous_requests_get_one_json_error_shape(db, api):
    response = api.get("/api/v1/orders/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) >= {"code", "message"}


def test_token_authentication(marketplace, api):
    token = Token.objects.create(user=marketplace.retailer_user_a)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["role"] == "retailer"
    assert response.json()["retailer"] == marketplace.shop_a.code


def test_retailer_lists_and_reads_only_its_own_orders(marketplace, api):
    as_user(api, marketplace.retailer_user_a)
    listed = api.get("/api/v1/orders/").json()
    assert [o["external_id"] for o in listed["results"]] == ["SO-ALPHA-1"]
    assert api.get(f"/api/v1/orders/{marketplace.order_a.id}/").status_code == 200
    other = api.get(f"/api/v1/orders/{marketplace.order_b.id}/")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"


def test_retailer_cannot_filter_its_way_into_another_retailers_orders(marketplace, api):
    as_user(api, marketplace.retailer_user_a)
    response = api.get("/api/v1/orders/", {"retailer": marketplace.shop_b.code})
    assert response.json()["results"] == []


def test_vendor_reads_only_its_own_products_and_their_sales(marketplace, api):
    as_user(api, marketplace.vendor_user_1)
    products = api.get("/api/v1/products/").json()["results"]
    assert [p["sku"] for p in products] == [marketplace.product_1.sku]
    assert api.get(f"/api/v1/products/{marketplace.product_2.id}/").status_code == 404
    sales = api.get("/api/v1/sales-lines/").json()["results"]
    assert {line["sku"] for line in sales} == {marketplace.product_1.sku}
    assert api.get("/api/v1/orders/").json()["results"] == []


def test_sales_rep_reads_only_assigned_retailers(marketplace, api):
    as_user(api, marketplace.rep_a)
    retailers = api.get("/api/v1/retailers/").json()["results"]
    assert [r["code"] for r in retailers] == [marketplace.shop_a.code]
    assert api.get(f"/api/v1/retailers/{marketplace.shop_b.id}/").status_code == 404


def test_analyst_reads_everything(marketplace, api):
    as_user(api, marketplace.analyst)
    assert api.get("/api/v1/orders/").json()["count"] == 2
    assert api.get("/api/v1/retailers/").json()["count"] == 2


def test_bad_filter_value_names_the_field(marketplace, api):
    as_user(api, marketplace.analyst)
    response = api.get("/api/v1/orders/", {"placed_after": "not-a-date"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "placed_after" in error["fields"]
    assert error["message"].startswith("placed_after")


def test_openapi_schema_describes_the_versioned_api(db, api, marketplace):
    as_user(api, marketplace.analyst)
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/orders/" in paths and "/api/v1/products/{id}/" in paths


def test_api_docs_page_is_served_without_a_cdn(db, client, marketplace):
    client.force_login(marketplace.analyst)
    body = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in body
    assert "cdn.jsdelivr" not in body and "unpkg.com" not in body
