"""One answer to "is this HTMX?" and "does HTMX want this region alone?", through django-htmx's middleware and
without it."""

from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from retailiq.web.htmx import is_htmx, wants_fragment


def _request(**headers):
    request = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)
    return request


def test_a_page_load_is_not_htmx_with_or_without_the_middleware():
    assert not is_htmx(_request()) and not wants_fragment(_request(), "chart")
    bare = RequestFactory().get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="chart")
    assert not is_htmx(bare) and not wants_fragment(bare, "chart")  # no middleware: the page in full


def test_htmx_wants_the_fragment_it_targets_only():
    request = _request(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="chart")
    assert is_htmx(request)
    assert wants_fragment(request, "chart") and not wants_fragment(request, "table-orders")
    untargeted = _request(HTTP_HX_REQUEST="true")
    assert is_htmx(untargeted) and not wants_fragment(untargeted, "chart")


def test_a_history_restore_gets_the_whole_page():
    request = _request(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="chart", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert is_htmx(request) and not wants_fragment(request, "chart")
