"""The API against its own OpenAPI schema, by schemathesis inside the suite: for a retailer
pair and a vendor pair, a few generated requests per operation (a fixed seed, so every run
asks the same), checked for no server error and for statuses, content types and bodies the schema
documents. Bounded: a handful of examples per operation and caller."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as openapi_checks

EXAMPLES = 3
CHECKS = [
    st_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# schemathesis' ignored_auth check cannot take away a token passed as a header; what an
# anonymous caller gets from every URL is tests/security/test_permission_matrix.py's column.
# Operations answered by something other than the API's JSON: the Prometheus text and a
# multipart upload whose file schemathesis cannot make into a CSV worth reading.
SKIPPED = {("GET", "/api/v1/metrics"), ("POST", "/api/v1/imports/")}


class InTestWSGI:
    """Django's WSGI handler inside the test's transaction: as Django's test client does, a
    request does not close "old" connections (that would end the transaction), and the body
    is read and closed while that holds."""

    def __init__(self) -> None:
        self.app = get_wsgi_application()

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.app(environ, start_response)
            body = list(response)
            response.close()
            return body
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", InTestWSGI())


@pytest.fixture
def callers(marketplace):
    users = [
        marketplace.retailer_user_a,
        marketplace.retailer_user_b,
        marketplace.vendor_user_1,
        marketplace.vendor_user_2,
    ]
    return {user.username: Token.objects.create(user=user).key for user in users}


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


def test_every_operation_answers_as_documented_for_each_caller(api_schema, callers):
    failures = []
    operations = list(_operations(api_schema))
    assert len(operations) > 30
    for operation in operations:
        for username, key in callers.items():

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy())
            def check(case):
                case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)  # noqa: B023

            try:
                check()
            except Exception as error:  # collected, reported together below
                failures.append(f"{operation.method.upper()} {operation.path} as {username}: {str(error)[:400]}")
    assert failures == [], "\n".join(failures)
