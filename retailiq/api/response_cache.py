"""Whole API answers cached as their JSON bytes, for the hot read endpoints (sales lines and orders, the call list,
a cached demand prediction): a repeated request skips the queries, the serializers and the rendering.

A cached body is keyed by the caller's scope and the caller itself and the exact request (the URL with host, path
and query, since pages link to their neighbours; or the request body), and stored with the stamps of everything
else it depends on: the data version (retailiq/web/cache.py, moved by every write to the sales data), the serving
models, generation stamps (retailiq/core/generations.py) such as the serving batch or the latest recorded calls.
The body and the current stamps are read in one cache round trip, and the body is served only while every stamp is
unchanged, so a repeated request asks the database nothing. Only JSON answers are cached; the browsable API renders
as before."""

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from retailiq.core.directory import DIRECTORY
from retailiq.core.generations import Stamp
from retailiq.web.cache import DATA_VERSION_KEY, data_version, scope_key

RESPONSE_TTL_SECONDS = 5 * 60


DATA_VERSION = Stamp(DATA_VERSION_KEY, data_version)
# What a list of sales data shows besides the data: the codes and scope of shops, products and warehouses.
SALES_DATA = (DATA_VERSION, DIRECTORY)


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


class FrontCache:
    """One cached answer of a caller: :meth:`lookup` reads it and the current value of each stamp in one round trip
    and returns the stored payload only while the stamps are those it was stored under; :meth:`store` keeps a new
    payload under the stamps read by the lookup (if a stamp moved meanwhile, the next lookup misses: never stale)."""

    def __init__(self, *, name: str, user: Any, parts: tuple, stamps: Sequence[Stamp]):
        self.key = f"api-front:{name}:{user_key(user)}:{digest(*parts)}"
        self.stamps = stamps
        self.values: tuple = ()

    def lookup(self) -> Any | None:
        found = cache.get_many([self.key, *(stamp.key for stamp in self.stamps)])
        self.values = tuple(found[s.key] if s.key in found else s.current() for s in self.stamps)
        entry = found.get(self.key)
        if entry is not None and entry[0] == self.values:
            return entry[1]
        return None

    def store(self, payload: Any, ttl: int) -> None:
        cache.set(self.key, (self.values, payload), ttl)


def cached_response(
    request: Request,
    *,
    name: str,
    parts: tuple,
    compute: Callable[[], Response],
    ttl: int = RESPONSE_TTL_SECONDS,
    stamps: Sequence[Stamp] = SALES_DATA,
) -> HttpResponse:
    """`compute`'s answer, or the same bytes cached for `name`, the user and `parts`, while `stamps` (the data
    version and the directory unless named) are unchanged. Only a 200 is cached; an error is computed (and raised) every time."""
    if not wants_json(request):
        return compute()
    front = FrontCache(name=name, user=request.user, parts=parts, stamps=stamps)
    body = front.lookup()
    if body is not None:
        return json_response(body)
    response = compute()
    if response.status_code == 200 and isinstance(response, Response):
        front.store(render_json(response.data), ttl)
    return response


def url_parts(request: Request) -> tuple:
    """The exact address asked for: pages of a list carry links built from it."""
    return (request.scheme, request.get_host(), request.get_full_path())
