"""Pages when a backing service is down: a 503 saying which one, instead of the 500 page.

The page is rendered without the site's layout, whose navigation reads the signed-in user from the database that
may be the thing that is down. API requests never reach this: the API's exception handler answers them first."""

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from retailiq.core.outages import MESSAGES, RETRY_AFTER_SECONDS, unavailable_service

logger = logging.getLogger(__name__)


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        service = unavailable_service(exception)
        if service is None:
            return None
        logger.warning(
            "Page %s answered 503: the %s is unreachable (%s)", request.path, service, type(exception).__name__
        )
        body = render_to_string("503.html", {"service": service, "message": MESSAGES[service]})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
