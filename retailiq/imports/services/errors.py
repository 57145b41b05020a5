from retailiq.core.errors import DomainError


class ImportRejected(DomainError):
    """An upload or its settings cannot be imported. `errors` names each field at fault
    (a form field, or a RetailIQ field of the column mapping)."""

    code = "import_rejected"

    def __init__(self, message: str, *, errors: dict[str, str] | None = None, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.errors = errors or {}
