"""A fitted recommender as bytes and back: its own directory format (``Recommender.save``: JSON and ``.npz`` files,
no pickle) packed in a zip, so the registry stores one file per version."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from .recommender import Recommender


def to_bytes(model: Recommender) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        model.save(directory)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for path in sorted(Path(directory).iterdir()):
                archive.write(path, arcname=path.name)
    return buffer.getvalue()


def from_bytes(data: bytes) -> Recommender:
    with tempfile.TemporaryDirectory() as directory, zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if "/" in name or name.startswith("."):  # a file of the format, never a path out of the folder
                raise ValueError(f"unexpected entry {name!r} in a recommender artifact")
            (Path(directory) / name).write_bytes(archive.read(name))
        return Recommender.load(directory)
