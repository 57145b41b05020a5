"""Use cases of sales-history imports; pages, API, command and task all call these."""

from .errors import ImportRejected, ImportTooLarge
from .expiry import import_batch_expire_unmapped
from .file import import_file
from .mappings import PER_FILE_OPTIONS, saved_mapping_save
from .run import import_batch_held_elsewhere, import_batch_run, import_batches_to_resend
from .undo import import_batch_undo
from .upload import import_batch_configure, import_batch_create, import_batch_create_from_path, import_batch_start

__all__ = [
    "PER_FILE_OPTIONS",
    "ImportRejected",
    "ImportTooLarge",
    "import_batch_configure",
    "import_batch_create",
    "import_batch_create_from_path",
    "import_batch_expire_unmapped",
    "import_batch_held_elsewhere",
    "import_batch_run",
    "import_batch_start",
    "import_batch_undo",
    "import_batches_to_resend",
    "import_file",
    "saved_mapping_save",
]
