"""Where a domain error meets HTTP: the one table of statuses, used by the API's exception handler and by pages,
and the one helper that puts a service's error on a form beside the field it names."""

from collections.abc import Mapping
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


def apply_domain_error(
    form: Any,
    exc: DomainError,
    *,
    field_names: Mapping[str, str | None] | None = None,
    default_field: str | None = None,
) -> None:
    """Show a service's error on a Django form. Each input the error names gets its message beside the form
    field of that name, or of the name ``field_names`` gives it where the form calls the input otherwise (None
    there: not a field to correct, so at the top). Messages for inputs the form does not show, and the error's
    message when it names no input, go at the top, or beside ``default_field`` when the form has it."""
    renamed = field_names or {}
    fallback = default_field if default_field in form.fields else None
    if not exc.fields:
        form.add_error(fallback, exc.message)
        return
    for name, message in exc.fields.items():
        field = renamed.get(name, name)
        form.add_error(field if field in form.fields else fallback, message)
