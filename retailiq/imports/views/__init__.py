"""The import pages: upload and mapping, batches, and the file format reference."""

from .batches import import_batch_page, import_list, import_progress, import_report, import_undo
from .format import import_format, import_template_csv
from .upload import import_mapping, import_new

__all__ = [
    "import_batch_page",
    "import_format",
    "import_list",
    "import_mapping",
    "import_new",
    "import_progress",
    "import_report",
    "import_template_csv",
    "import_undo",
]
