"""Whole API answers cached as their JSON bytes, for the hot read endpoints (sales lines and orders, the call list,
a cached demand prediction): a repeated request skips the queries, the serializers and the rendering.

A cached body is keyed by everything it depends on: the data version (retailiq/web/cache.py, moved by every write
to the sales data), the caller's scope and the caller itself, the exact URL (host, path, query, since pages link
to their neighbours) or request body, and whatever else the endpoint names (the serving models, the latest
recorded calls). Only JSON answers are cached; the browsable API renders as before."""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from retailiq.web.cache import data_version, scope_key

RESPONSE_TTL_SECONDS = 5 * 60


def digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def wants_json(request: Request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.format == "json"


def user_key(user: Any) -> str:
    """The caller and its scope: a body is never served to anyone but the user it was made for."""
    return f"{scope_key(user)}:u{user.pk}"


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def render_json(data: Any) -> bytes:
    return JSONRenderer().render(data)


def cached_response(
    request: Request,
    *,
    name: str,
    parts: tuple,
    compute: Callable[[], Response],
    ttl: int = RESPONSE_TTL_SECONDS,
    version: str | None = None,
) -> HttpResponse:
    """`compute`'s answer, or the same bytes cached under `name`, the data version, the user and `parts`. Only a
    200 is cached; an error is computed (and raised) every time."""
    if not wants_json(request):
        return compute()
    key = f"api-body:{name}:{version or data_version()}:{user_key(request.user)}:{digest(*parts)}"
    body = cache.get(key)
    if body is not None:
        return json_response(body)
    response = compute()
    if response.status_code == 200 and isinstance(response, Response):
        cache.set(key, render_json(response.data), ttl)
    return response


def url_parts(request: Request) -> tuple:
    """The exact address asked for: pages of a list carry links built from it."""
    return (request.scheme, request.get_host(), request.get_full_path())
