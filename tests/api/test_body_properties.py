"""Property-based: every JSON body the API takes, filled with any JSON at its documented field
names (nulls, nesting, huge and tiny numbers, odd text), answers a 2xx or a 4xx in the one error
shape; never a 500. The bodies' field names come from the schema, so a new endpoint is covered.
Bounded examples per endpoint, derandomized."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests import factories as f

EXAMPLES = 8
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["nan", "inf", "9999-12-31", "0001-01-01", "2026-02-30", "1e400", "", "forecasting"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _json_bodies(schema: dict) -> list[tuple[str, list[str]]]:
    """Each POST path with a JSON body and the names of its fields."""
    components = schema["components"]["schemas"]
    found = []
    for path, methods in schema["paths"].items():
        body = methods.get("post", {}).get("requestBody", {}).get("content", {}).get("application/json")
        if body is None or "{" in path:
            continue
        ref = body["schema"].get("$ref", "")
        properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        found.append((path, sorted(properties)))
    return found


@pytest.fixture
def analyst_api(db):
    api = APIClient()
    api.force_authenticate(f.AnalystFactory())
    return api


def test_any_json_at_the_documented_fields_is_answered_without_a_server_error(analyst_api, marketplace):
    schema = analyst_api.get("/api/schema/?format=json").json()
    bodies = _json_bodies(schema)
    assert len(bodies) >= 8
    failures = []
    for path, fields in bodies:

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(body=st.fixed_dictionaries({}, optional={name: values for name in fields}))
        def post(body):
            response = analyst_api.post(path, body, format="json")  # noqa: B023
            assert response.status_code < 500, (path, body, response.content[:300])  # noqa: B023
            if response.status_code >= 400:
                assert set(response.json()) == {"error"}, (path, body)  # noqa: B023

        try:
            post()
        except AssertionError as error:
            failures.append(str(error)[:500])
    assert failures == [], "\n".join(failures)
