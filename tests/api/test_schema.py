"""The OpenAPI schema documents what the API answers: the one error shape for 400, 401,
403, 404 and 429 on every operation, and fields that may be null as nullable."""

import pytest
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    client = APIClient()
    client.force_authenticate(f.AnalystFactory())
    return client.get("/api/schema/?format=json").json()


def test_every_operation_documents_the_error_shape(schema):
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        for code in ("400", "401", "403", "404", "429"):
            response = operation["responses"].get(code)
            assert response is not None, (method, path, code)
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["ErrorDetail"]["properties"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("ProductOutput", "brand"),
        ("ProductOutput", "category"),
        ("RetailerOutput", "assigned_rep"),
        ("MeOutput", "vendor"),
        ("OrderOutput", "warehouse"),
    ],
)
def test_fields_that_may_be_null_are_nullable(schema, component, field):
    properties = schema["components"]["schemas"][component]["properties"]
    assert properties[field].get("nullable") is True, properties[field]
