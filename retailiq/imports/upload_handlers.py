"""The import upload's byte limit, enforced while the request streams in: once a file
passes RETAILIQ_IMPORT_MAX_BYTES nothing more of it is stored, and the view answers
with a message naming the limit instead of writing gigabytes to a temporary file.

Install it for one view only, before anything reads request.POST or request.FILES
(which is why such views are csrf_exempt outside and csrf_protect inside)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat


def too_large_message(limit: int) -> str:
    size = filesizeformat(limit).replace("\xa0", " ")
    return (
        f"The file is larger than the import limit of {size} (RETAILIQ_IMPORT_MAX_BYTES). "
        "Split it, or compress it with gzip: .csv.gz files are accepted."
    )


class ImportSizeLimitHandler(FileUploadHandler):
    """Counts the bytes of every uploaded file and stops the upload past the limit.

    The rest of the request body is read and dropped rather than the connection reset,
    so the browser receives the page with the message; nothing past the limit is kept."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = settings.RETAILIQ_IMPORT_MAX_BYTES if limit is None else limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data  # the next handler (memory or temporary file) stores it

    def file_complete(self, file_size: int) -> None:
        return None

    @property
    def message(self) -> str:
        return too_large_message(self.limit)


def install_size_limit(request: HttpRequest) -> ImportSizeLimitHandler:
    """Put the limit in front of Django's own handlers; returns it to ask afterwards."""
    handler = ImportSizeLimitHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler
