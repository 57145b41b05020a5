"""Reading sales-history files: recognising their format, mapping their columns to
RetailIQ's fields and streaming them as checked chunks of order lines.

Pure pandas and NumPy, no Django: the import services store what this package reads,
and it runs in tests and benchmarks without a database."""

from .dates import DATE_FORMATS, human_date_format
from .errors import FileFormatError, LineLimitExceeded, ReadingError, SizeLimitExceeded
from .fields import FIELDS_BY_NAME, ORDER_FIELDS, Field
from .issues import ISSUE_COLUMNS
from .lines import STAGED_COLUMNS
from .mapping import propose_mapping, validate_mapping
from .options import ReadOptions
from .presets import PRESETS, Preset
from .reader import Chunk, read_orders
from .sniff import FileFormat, detect_date_format, sniff_file
from .totals import FileTotals

__all__ = [
    "DATE_FORMATS",
    "FIELDS_BY_NAME",
    "ISSUE_COLUMNS",
    "ORDER_FIELDS",
    "PRESETS",
    "STAGED_COLUMNS",
    "Chunk",
    "Field",
    "FileFormat",
    "FileFormatError",
    "FileTotals",
    "LineLimitExceeded",
    "Preset",
    "ReadOptions",
    "ReadingError",
    "SizeLimitExceeded",
    "detect_date_format",
    "human_date_format",
    "propose_mapping",
    "read_orders",
    "sniff_file",
    "validate_mapping",
]
