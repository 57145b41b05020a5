"""Serve front-end libraries straight from the Python packages that ship them, so the
pages work offline and nothing is copied into the repository."""

from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


# Static path -> file inside an installed package.
PACKAGED_FILES = {"vendor/plotly.min.js": _plotly_js}


class PackagedFileFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        locate = PACKAGED_FILES.get(path)
        if locate is None:
            return [] if find_all else None
        found = str(locate())
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for static_path, locate in PACKAGED_FILES.items():
            yield static_path, _SingleFileStorage(static_path, locate())


class _SingleFileStorage(FileSystemStorage):
    """Lets collectstatic read one packaged file under its static path."""

    def __init__(self, static_path: str, source: Path) -> None:
        super().__init__(location=str(source.parent))
        self.static_path, self.source = static_path, source

    def path(self, name: str) -> str:
        return str(self.source) if name == self.static_path else super().path(name)
