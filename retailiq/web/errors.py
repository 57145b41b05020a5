"""Where a domain error meets HTTP: the one table of statuses, used by the API's exception handler and by pages,
and the one helper that puts a service's error on a form beside the field it names."""

from typing import Any

from retailiq.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, TooLarge

# Most specific first: TooLarge is an InvalidInput.
_STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (TooLarge, 413),
    (InvalidInput, 400),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
)


def status_for(exc: DomainError) -> int:
    for kind, status in _STATUSES:
        if isinstance(exc, kind):
            return status
    return 400


def apply_domain_error(form: Any, exc: DomainError, *, default_field: str | None = None) -> None:
    """Show a service's error on a Django form: beside each field it names when the form has that field,
    otherwise at the top (or beside ``default_field``)."""
    placed = False
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(default_field if default_field in form.fields else None, exc.message)
