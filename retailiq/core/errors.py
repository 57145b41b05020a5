class DomainError(Exception):
    """A rule of the business was broken. Services raise it; the API exception handler
    turns it into one JSON error and pages show its message."""

    code = "domain_error"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
