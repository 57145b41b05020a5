"""The insights API: the serving run's insights per role (nobody reads another's), filters, feedback, segments;
bad input answers 400 naming the field; the endpoints are in the OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

LIST = "/api/v1/insights"
SEGMENTS = "/api/v1/segments"

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_role_lists_only_its_insights(stored):
    m = stored
    assert _ids(_client(m.retailer_user_a).get(LIST)) == {m.churn_a.pk}
    assert _ids(_client(m.retailer_user_b).get(LIST)) == {m.spike_b.pk}
    assert _ids(_client(m.rep_a).get(LIST)) == {m.churn_a.pk}
    assert _ids(_client(m.rep_b).get(LIST)) == {m.spike_b.pk}
    assert _ids(_client(m.vendor_user_1).get(LIST)) == {m.spike_p1.pk}
    assert _ids(_client(m.vendor_user_2).get(LIST)) == {m.shift_p2.pk}
    assert _ids(_client(m.analyst).get(LIST)) == {m.churn_a.pk, m.spike_b.pk, m.spike_p1.pk, m.shift_p2.pk, m.market.pk}


def test_list_filters_and_orders_most_severe_first_with_evidence_and_counts(stored):
    m = stored
    analyst = _client(m.analyst)
    assert _ids(analyst.get(LIST, {"kind": "spike"})) == {m.spike_b.pk, m.spike_p1.pk}
    assert _ids(analyst.get(LIST, {"retailer": m.shop_a.pk})) == {m.churn_a.pk}
    assert _ids(analyst.get(LIST, {"product": m.product_1.pk})) == {m.spike_p1.pk}
    assert _ids(_client(m.rep_a).get(LIST, {"retailer": m.shop_b.pk})) == set()  # not the rep's shop
    rows = analyst.get(LIST, {"limit": 2}).json()
    assert rows["count"] == 5 and len(rows["results"]) == 2 and rows["next"]
    first = rows["results"][0]
    assert first["severity"] == 3 and first["evidence"] == {"days": 35} and first["acted_count"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [({"kind": "bogus"}, "kind"), ({"retailer": "abc"}, "retailer"), ({"product": "0"}, "product"),
     ({"limit": "x"}, "limit"), ({"retailer": "99999999999"}, "retailer")],
)  # fmt: skip
def test_bad_filters_answer_400_naming_the_field(stored, query, field):
    response = _client(stored.analyst).get(LIST, query)
    assert response.status_code == 400 and field in response.content.decode()


def test_feedback_is_recorded_once_and_counted(stored):
    m = stored
    url = f"{LIST}/{m.churn_a.pk}/feedback"
    first = _client(m.rep_a).post(url, {"action": "acted_on"}, format="json")
    assert first.status_code == 201 and first.json()["insight"]["acted_count"] == 1 and first.json()["created"]
    again = _client(m.rep_a).post(url, {"action": "acted_on"}, format="json")
    assert again.status_code == 200 and again.json()["insight"]["acted_count"] == 1
    useful = _client(m.retailer_user_a).post(url, {"action": "useful"}, format="json")
    assert useful.json()["insight"]["useful_count"] == 1


def test_feedback_refuses_a_bad_action_and_anothers_insight(stored):
    m = stored
    url = f"{LIST}/{m.churn_a.pk}/feedback"
    bad = _client(m.rep_a).post(url, {"action": "loved"}, format="json")
    assert bad.status_code == 400 and "action" in bad.json()["error"]["fields"]
    assert _client(m.rep_b).post(url, {"action": "useful"}, format="json").status_code == 404
    assert _client(m.vendor_user_1).post(url, {"action": "useful"}, format="json").status_code == 404
    assert _client(m.rep_a).post(f"{LIST}/999999/feedback", {"action": "useful"}, format="json").status_code == 404


def test_segments_per_role_and_month(stored):
    m = stored
    rows = _client(m.analyst).get(SEGMENTS).json()["results"]
    assert {(r["retailer_id"], r["segment"]) for r in rows} == {(m.shop_a.pk, "lapsing"), (m.shop_b.pk, "loyal")}
    assert rows[0]["month"] == "2026-03-01"
    february = _client(m.analyst).get(SEGMENTS, {"month": "2026-02"}).json()["results"]
    assert {r["segment"] for r in february} == {"loyal"}
    assert {r["retailer_id"] for r in _client(m.rep_a).get(SEGMENTS).json()["results"]} == {m.shop_a.pk}
    assert {r["retailer_id"] for r in _client(m.retailer_user_b).get(SEGMENTS).json()["results"]} == {m.shop_b.pk}
    assert _client(m.vendor_user_1).get(SEGMENTS).status_code == 403
    bad = _client(m.analyst).get(SEGMENTS, {"month": "March"})
    assert bad.status_code == 400 and "month" in bad.content.decode()


def test_the_endpoints_are_in_the_schema(stored):
    schema = _client(stored.analyst).get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/insights", "/api/v1/insights/{insight_id}/feedback", "/api/v1/segments"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/insights"]["get"]["parameters"]}
    assert {"kind", "retailer", "product", "limit", "offset"} <= parameters
