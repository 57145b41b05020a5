from retailiq.core.errors import InvalidInput, TooLarge


class ImportRejected(InvalidInput):
    """An upload or its settings cannot be imported. `errors` names each field at fault
    (a form field, or a RetailIQ field of the column mapping)."""

    code = "import_rejected"

    def __init__(self, message: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(message, fields=errors)

    @property
    def errors(self) -> dict[str, str]:
        return self.fields


class ImportTooLarge(TooLarge, ImportRejected):
    """The upload is over RETAILIQ_IMPORT_MAX_BYTES."""

    code = "too_large"

    def __init__(self, message: str) -> None:
        ImportRejected.__init__(self, message, errors={"file": message})
