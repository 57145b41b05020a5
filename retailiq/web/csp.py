"""The Content-Security-Policy every response carries: scripts only from the site itself
(htmx, plotly.js and our own, all served by whitenoise), no inline or injected script, no
plugins, no framing, forms posted only here. Django 5.2 has no built-in CSP; this is it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in settings.RETAILIQ_CSP.items())


class ContentSecurityPolicyMiddleware:
    """Sets the policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
