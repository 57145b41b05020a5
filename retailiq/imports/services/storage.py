"""The reader streams from a local path. Files kept on local disk are read in place;
any other storage (object stores, the in-memory storage of tests) is copied to a
temporary file first, streamed, so memory stays flat."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db.models.fields.files import FieldFile


@contextmanager
def local_copy(stored: FieldFile) -> Iterator[Path]:
    try:
        path = Path(stored.path)
    except NotImplementedError:
        path = None
    if path is not None and path.is_file():
        yield path
        return
    suffix = Path(stored.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as temp:
        with stored.open("rb") as source:
            shutil.copyfileobj(source, temp, length=1024 * 1024)
        temp.flush()
        yield Path(temp.name)
