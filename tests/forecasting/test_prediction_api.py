"""POST /api/v1/predictions/demand and POST /api/v1/predict: answers with intervals,
the serving model, its metrics and why; every bad input named; scoped to the vendor."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from retailiq.registry.models import Job
from retailiq.registry.services import training_job_run
from tests.conftest import DEMAND_END

DEMAND = "/api/v1/predictions/demand"
PREDICT = "/api/v1/predict"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def trained(demand_history):
    job = Job.objects.create(kind="train", capability="forecasting", idempotency_key="predict-api")
    return training_job_run(job_id=job.pk, worker="w").model_version


def test_a_vendor_gets_daily_and_weekly_demand_with_intervals_metrics_and_reasons(demand_history, trained, api):
    api.force_authenticate(demand_history.vendor_user_1)
    product = demand_history.product_1
    daily = api.post(DEMAND, {"product_id": product.pk, "horizon": 14}, format="json")
    assert daily.status_code == 200, daily.content
    body = daily.json()
    assert body["model_version"] == trained.pk and body["model"]["role"] == "champion"
    assert len(body["predictions"]) == 14
    first = body["predictions"][0]
    assert first["timestamp"] == (DEMAND_END + dt.timedelta(days=1)).isoformat()
    assert all(p["lower_95"] <= p["lower"] <= p["value"] <= p["upper"] <= p["upper_95"] for p in body["predictions"])
    # Product 1 sells 10 a day, 15 on Saturdays: the fortnight's forecast is near 150.
    assert 100 < sum(p["value"] for p in body["predictions"]) < 200
    assert {"mape", "rmse", "wape", "coverage_80"} <= set(body["model_metrics"])
    assert isinstance(body["explanation"], list)

    weekly = api.post(DEMAND, {"product_id": product.pk, "horizon": 2, "granularity": "week"}, format="json").json()
    assert len(weekly["predictions"]) == 2
    assert weekly["predictions"][0]["value"] == pytest.approx(sum(p["value"] for p in body["predictions"][:7]), 0.01)
    week = weekly["predictions"][0]
    assert week["upper"] - week["value"] < sum(p["upper"] - p["value"] for p in body["predictions"][:7]) + 1e-6


def test_planned_promotion_and_price_are_part_of_the_answer(demand_history, trained, api):
    api.force_authenticate(demand_history.vendor_user_1)
    start = DEMAND_END + dt.timedelta(days=1)
    planned = {
        "product_id": demand_history.product_1.pk,
        "horizon": 7,
        "features": {
            "price": "45.00",
            "promotions": [{"start": start.isoformat(), "end": (start + dt.timedelta(days=3)).isoformat()}],
            "events": [{"start": start.isoformat(), "end": start.isoformat(), "kind": "festival"}],
        },
    }
    response = api.post(DEMAND, planned, format="json")
    assert response.status_code == 200, response.content
    plain = api.post(DEMAND, {"product_id": demand_history.product_1.pk, "horizon": 7}, format="json").json()
    assert response.json()["cached"] is False and plain["cached"] is False  # different inputs, different answers


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"horizon": 0}, "horizon"),
        ({"horizon": 400}, "horizon"),
        ({"granularity": "week", "horizon": 60}, "horizon"),
        ({"granularity": "month"}, "granularity"),
        ({"warehouse_id": 999999}, "warehouse_id"),
        ({"features": {"promotions": [{"start": "2026-13-01", "end": "2026-12-01"}]}}, "features"),
        ({"features": {"price": "-3"}}, "features"),
        ({"features": {"promotions": [{"start": "9999-01-01", "end": "9999-01-05"}]}}, "features"),
        ({"features": {"events": [{"start": "1066-10-14", "end": "1066-10-14"}]}}, "features"),
        ({"warehouse_id": 10**30}, "warehouse_id"),
    ],
)
def test_bad_demand_requests_name_the_field(demand_history, api, payload, field):
    api.force_authenticate(demand_history.vendor_user_1)
    response = api.post(DEMAND, {"product_id": demand_history.product_1.pk, **payload}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert field in error["fields"] and error["message"].startswith(field)


def test_another_vendors_product_is_unknown_not_forbidden(demand_history, api):
    # Not found, as on the demand page and the product forecast endpoint, with the field named.
    api.force_authenticate(demand_history.vendor_user_1)
    for product_id in (demand_history.product_2.pk, 999999):
        response = api.post(DEMAND, {"product_id": product_id}, format="json")
        assert response.status_code == 404 and "product_id" in response.json()["error"]["fields"]
    api.force_authenticate(demand_history.retailer_user_a)
    assert api.post(DEMAND, {"product_id": demand_history.product_1.pk}, format="json").status_code == 404


def _history(days: int, *, start=dt.date(2026, 1, 5)):
    return [
        {
            "date": (start + dt.timedelta(days=i)).isoformat(),
            "quantity": 20 if (start + dt.timedelta(days=i)).weekday() == 5 else 8,
        }
        for i in range(days)
    ]


def test_predict_forecasts_a_callers_own_history(demand_history, trained, api):
    api.force_authenticate(demand_history.analyst)
    response = api.post(
        PREDICT, {"productId": "SKU-77", "historicalData": _history(70), "forecast_horizon": 7}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["productId"] == "SKU-77" and len(body["daily_predictions"]) == 7
    assert body["forecast_range_start"] == "2026-03-16" and body["forecast_range_end"] == "2026-03-22"
    assert body["predicted_total_quantity"] == pytest.approx(sum(p["value"] for p in body["daily_predictions"]), 0.01)
    assert 40 < body["predicted_total_quantity"] < 110  # about 8 a day and 20 on the Saturday: 68
    assert 0 <= body["confidence_score"] <= 1 and body["model_version"] == trained.pk


@pytest.mark.parametrize(
    ("history", "needle"),
    [
        (_history(10), "at least 28 days"),
        ([{"date": "2026-02-30", "quantity": 3}], "item 0 (date)"),
        ([*_history(40), {"date": "2026-03-01", "quantity": -1}], "item 40 (quantity)"),
        ([{"quantity": 3}], "item 0 (date)"),
        ([], "historicalData"),
        (_history(40, start=dt.date(9999, 1, 1)), "item 0 (date)"),
    ],
)
def test_predict_rejects_bad_history_naming_the_item(demand_history, api, history, needle):
    api.force_authenticate(demand_history.analyst)
    response = api.post(PREDICT, {"productId": "X", "historicalData": history}, format="json")
    assert response.status_code == 400, response.content
    assert needle in response.json()["error"]["message"]


def test_prediction_endpoints_are_in_the_schema(api, demand_history):
    api.force_authenticate(demand_history.analyst)
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/v1/predictions/demand" in schema["paths"] and "/api/v1/predict" in schema["paths"]


def test_a_new_product_borrows_from_similar_products_and_says_so(demand_history, trained, api):
    from decimal import Decimal

    from retailiq.orders.models import OrderLine
    from retailiq.rollups.services import rollups_rebuild
    from tests import factories as f

    new = f.ProductFactory(vendor=demand_history.product_1.vendor, category=demand_history.product_1.category)
    for offset in range(3):
        day = DEMAND_END - dt.timedelta(days=offset)
        order = f.OrderFactory(
            retailer=demand_history.shop_a,
            external_id=f"NEW-{offset}",
            placed_at=dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC),
        )
        OrderLine.objects.create(
            order=order,
            line_number=1,
            product=new,
            quantity=6,
            unit_price=Decimal("40"),
            retailer=demand_history.shop_a,
            placed_on=day,
        )
    rollups_rebuild()  # lines written past the order services, which keep the rollups the history is read from
    api.force_authenticate(demand_history.vendor_user_1)
    body = api.post(DEMAND, {"product_id": new.pk, "horizon": 7}, format="json").json()
    assert "borrowed from" in body["explanation"][0]["text"] and "3 days of sales" in body["explanation"][0]["text"]
    total = sum(p["value"] for p in body["predictions"])
    assert 7 * 3 < total < 7 * 11  # between its peers' levels and near its own six a day


def test_a_cached_prediction_is_never_served_to_another_vendor(demand_history, trained, api):
    asked = {"product_id": demand_history.product_1.pk, "horizon": 7}
    api.force_authenticate(demand_history.vendor_user_1)
    first = api.post(DEMAND, asked, format="json")
    again = api.post(DEMAND, asked, format="json")
    assert first.status_code == again.status_code == 200
    assert again.json() == {**first.json(), "cached": True}  # the second, whole, from the cache
    peer = APIClient()
    peer.force_authenticate(demand_history.vendor_user_2)
    refused = peer.post(DEMAND, asked, format="json")
    assert refused.status_code in (403, 404) and "predictions" not in refused.json()
