"""Log filters the settings' LOGGING names."""

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """A 4xx answer (a 403 for another role's page, a 404) is the client's doing, not a bug: one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
