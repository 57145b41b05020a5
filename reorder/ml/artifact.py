"""The reorder artifact: a zip of ``manifest.json`` (what the model is, in plain JSON) and each part's own bytes."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

MANIFEST = "manifest.json"


def pack_artifact(manifest: dict[str, Any], files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def unpack_artifact(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        files = {name: archive.read(name) for name in archive.namelist() if name != MANIFEST}
    return manifest, files
