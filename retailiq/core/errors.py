"""Domain errors: what went wrong in business terms, never how HTTP says it.

Services raise these; the API's one exception handler (`retailiq/api/exception_handler.py`) and the pages' one form
helper (`retailiq.web.errors.apply_domain_error`) decide the status code and where the message shows. A
capability may subclass one of them to add meaning (``ImportRejected`` is an ``InvalidInput``), never to add a
status code.
"""


class DomainError(Exception):
    """A rule of the business was broken. ``fields`` maps an input's name to what is wrong with it."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields: dict[str, str] = dict(fields or {})


class InvalidInput(DomainError):
    """The caller's input is wrong; ``field`` (or ``fields``) names which input."""

    code = "invalid"

    def __init__(
        self, message: str, *, field: str | None = None, code: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        merged = dict(fields or {})
        if field and field not in merged:
            merged[field] = message
        super().__init__(message, code=code, fields=merged)


class TooLarge(InvalidInput):
    """The input is larger than the limit allows (a file, a batch)."""

    code = "too_large"


class NotFound(DomainError):
    """What was asked for does not exist, or is not among what this user may see (the two read the same)."""

    code = "not_found"


class Conflict(DomainError):
    """The request is valid but the current state forbids it (no history yet, already running, already undone)."""

    code = "conflict"


class Forbidden(DomainError):
    """This user's role may not do this."""

    code = "permission_denied"
