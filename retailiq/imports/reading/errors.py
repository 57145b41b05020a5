"""Errors the reader raises. They carry a message meant for the person who uploaded
the file, so the service layer can show it as is."""


class ReadingError(Exception):
    """Base of everything the reading package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FileFormatError(ReadingError):
    """The file cannot be read as a CSV of order lines at all (empty, binary, no
    header, a single column, a header that does not match the mapping)."""


class LineLimitExceeded(ReadingError):
    """The file has more data lines than the configured limit. Raised as soon as the
    reader has seen one line too many, so a huge file fails fast."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file has more than {limit:,} lines; the limit is {limit:,} (RETAILIQ_IMPORT_MAX_LINES).")
        self.limit = limit


class SizeLimitExceeded(ReadingError):
    """The file holds more than the reader may take in: more bytes once decompressed (a
    small gzip can hold gigabytes), or a line longer than any order line needs. Raised
    while streaming, before the excess is held in memory."""

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(f"{message} ({setting}).")
        self.setting = setting
