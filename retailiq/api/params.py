"""Query parameters an endpoint does not take are refused, naming the parameter: `?limit=abc` on an endpoint that
does not page used to be silently ignored, so a client believed it was paging."""

from collections.abc import Iterable

from rest_framework.request import Request

from retailiq.core.errors import InvalidInput

# DRF's format suffix, read by the renderer on every endpoint.
ALWAYS_ACCEPTED = frozenset({"format"})


def refuse_unknown_params(request: Request, accepted: Iterable[str]) -> None:
    accepted = set(accepted)
    for name in request.query_params:
        if name not in accepted and name not in ALWAYS_ACCEPTED:
            takes = ", ".join(sorted(accepted)) or "no query parameters"
            raise InvalidInput(f"{name}: this endpoint does not take it (it takes {takes}).", field=name)
