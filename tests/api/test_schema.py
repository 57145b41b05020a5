"""The OpenAPI schema documents what the API answers: the one error shape for 400, 401,
403, 404 and 429 on every operation, fields that may be null as nullable, every routed API view with
its methods, and integer path ids where the key is an integer."""

import re
from types import SimpleNamespace

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import APIRootView
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


def _api_routes(patterns=None, prefix=""):
    """(route, URLPattern) for every URL the resolver knows, with its full route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _documented_routes(user):
    """Every /api/v1/ route a client may call, as the schema would write its path, with its methods and, per
    path parameter, whether its value is an integer key. Format-suffix twins, the browsable root and the
    catch-all 404 are no operations of their own. A viewset's model is read from its queryset as ``user`` sees it."""
    for route, pattern in _api_routes():
        view = getattr(pattern.callback, "cls", None)
        if not route.startswith("api/v1/") or view is None or "format" in pattern.pattern.regex.groupindex:
            continue
        if view is APIRootView:
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions:
            # DRF's viewset view adds "head" to its shared actions on the first GET it serves, so the set
            # depends on which tests ran before; the schema documents HEAD with GET, never on its own.
            methods = set(actions) - {"head"}
            request = SimpleNamespace(user=user, query_params={})
            instance = view(action=next(iter(actions.values())), request=request, kwargs={}, format_kwarg=None)
            model = instance.get_queryset().model
            integer_pk = model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField")
            path = "/" + route.replace("(?P<pk>[^/.]+)", "{id}").replace("^", "").replace("$", "")
            params = {"id": integer_pk} if "{id}" in path else {}
        else:
            methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
            # drf-spectacular names a path's "pk" "id", as the router's routes above.
            params = {
                "id" if name == "pk" else name: isinstance(conv, IntConverter)
                for name, conv in pattern.pattern.converters.items()
            }
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}")
        yield path, methods, params


@pytest.fixture
def offline_schema():
    """The schema as `manage.py spectacular` writes it, with no user behind the request: a view whose queryset
    needs one must still say what its ids are."""
    return SchemaGenerator(api_version="v1").get_schema(request=None, public=True)


def test_every_api_route_is_in_the_schema_with_integer_ids(offline_schema):
    routes = list(_documented_routes(f.AnalystFactory()))
    assert len(routes) > 40
    for path, methods, params in routes:
        assert path in offline_schema["paths"], f"{path} is routed but missing from the OpenAPI schema"
        operations = offline_schema["paths"][path]
        assert methods <= set(operations), (path, methods - set(operations))
        for method in methods:
            success = [r for code, r in operations[method]["responses"].items() if code.startswith("2")]
            assert any("content" in r for r in success), f"{method} {path}: no response body documented"
            documented = {p["name"]: p["schema"] for p in operations[method].get("parameters", []) if p["in"] == "path"}
            assert set(documented) == set(params), (method, path, documented)
            for name, integer in params.items():
                if integer:
                    assert documented[name].get("type") == "integer", (method, path, name, documented[name])
