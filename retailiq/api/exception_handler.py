"""One JSON shape for every API error, so clients and views need no special cases:

{"error": {"code": "validation_error", "message": "...", "fields": {"quantity": ["..."]}}}
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from retailiq.core.errors import DomainError
from retailiq.core.outages import MESSAGES, RETRY_AFTER_SECONDS, unavailable_service
from retailiq.web.errors import status_for

logger = logging.getLogger(__name__)


def _as_drf(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail=detail)
    if isinstance(exc, DomainError):
        error = exceptions.APIException(detail=exc.message, code=exc.code)
        error.status_code = status_for(exc)
        if exc.fields:
            error.field_errors = {field: [message] for field, message in exc.fields.items()}
        return error
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if (service := unavailable_service(exc)) is not None:
        logger.warning("API answered 503: the %s is unreachable (%s)", service, type(exc).__name__)
        error = exceptions.APIException(detail=MESSAGES[service], code=f"{service}_unavailable")
        error.status_code = 503
        return error
    return exc


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        # Anything else is a bug: logged with its traceback, answered in the same JSON shape
        # (an API client should never have to parse an HTML error page), without its details.
        request = context.get("request")
        logger.error("Unhandled API error on %s", getattr(request, "path", "?"), exc_info=exc)
        body = {"code": "server_error", "message": "Something went wrong on our side; it has been logged."}
        set_rollback()
        return Response({"error": body}, status=500)
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        first_field, first_errors = next(iter(fields.items()), ("", [""]))
        first = first_errors[0] if isinstance(first_errors, list) and first_errors else first_errors
        message = f"{first_field}: {first}" if first_field != "non_field_errors" else str(first)
        body = {"code": "validation_error", "message": message, "fields": fields}
    else:
        detail = getattr(exc, "detail", str(exc))
        code = detail.code if hasattr(detail, "code") else getattr(exc, "default_code", "error")
        body = {"code": code, "message": str(detail)}
        if field_errors := getattr(exc, "field_errors", None):
            body["fields"] = field_errors
    response.data = {"error": body}
    if response.status_code == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
