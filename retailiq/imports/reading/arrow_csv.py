"""The fast route through a well-formed UTF-8 file: Arrow's CSV parser reads it into
columns of strings, and each column is dictionary-encoded in C++, so the checks see
only the distinct cells and no Python object is made per cell.

Arrow refuses what pandas' parser takes in its stride (a line with more or fewer
fields than the header, bytes that are not UTF-8, an unclosed quote): the reader then
carries on with pandas from the first line not yet delivered, so every such file gives
exactly what it gave before, errors and their messages included."""

import codecs
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .cells import Column
from .options import ReadOptions

# Bytes Arrow parses at a time (its default). 4 MB blocks read a million lines about 5%
# faster but raise the peak memory by some 70 MB.
BLOCK_BYTES = 1 << 20


class ArrowGaveUp(Exception):
    """Arrow could not read on: the reader continues with pandas."""


def arrow_readable(options: ReadOptions) -> bool:
    """Arrow reads UTF-8 only (a BOM included); other encodings take the pandas route."""
    try:
        name = codecs.lookup(options.encoding).name
    except LookupError:
        return False
    return name in ("utf-8", "utf-8-sig") and len(options.delimiter) == 1


def arrow_tables(stream, options: ReadOptions, *, width: int, skip: int) -> Iterator[pa.Table]:
    """Data lines (the header row dropped) as tables of `width` string columns, in
    chunks as the pandas route cuts them; the first `skip` data lines are dropped.
    Raises ArrowGaveUp where Arrow cannot parse the file."""
    names = [str(i) for i in range(width)]
    try:
        reader = pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(column_names=names, block_size=BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(delimiter=options.delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException as exc:
        raise ArrowGaveUp(str(exc)) from exc
    pending: list[pa.RecordBatch] = []
    pending_rows, delivered, to_drop = 0, 0, skip + 1  # +1: the header row
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            break
        except pa.ArrowException as exc:
            raise ArrowGaveUp(str(exc)) from exc
        if to_drop:
            dropped = min(to_drop, batch.num_rows)
            batch, to_drop = batch.slice(dropped), to_drop - dropped
        if not batch.num_rows:
            continue
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= (wanted := _wanted(options, delivered)):
            table = pa.Table.from_batches(pending, schema=reader.schema)
            yield table.slice(0, wanted)
            rest = table.slice(wanted)
            pending, pending_rows = rest.to_batches(), rest.num_rows
            delivered += wanted
    if pending_rows or (delivered == 0 and skip == 0):  # a header-only file still gives one (empty) table
        yield pa.Table.from_batches(pending, schema=reader.schema)


def _wanted(options: ReadOptions, delivered: int) -> int:
    if options.max_lines is not None:
        return max(1, min(options.chunk_lines, options.max_lines - delivered + 1))
    return options.chunk_lines


class ArrowCells:
    """One column of a chunk by line, for the few lines whose whole row an issue keeps:
    indexing by line numbers gives the cells as the file had them."""

    def __init__(self, column: Column) -> None:
        self.column = column

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        return self.column.raw[self.column.codes[rows]]

    def __len__(self) -> int:
        return len(self.column.codes)


def arrow_columns(table: pa.Table) -> list[Column]:
    """Each column of `table` as a Column: its distinct cells and each line's index
    into them, from Arrow's dictionary encoding."""
    columns = []
    for chunked in table.columns:
        encoded = pc.dictionary_encode(chunked.combine_chunks())
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
        raw = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
        columns.append(Column.from_distinct(codes, raw))
    return columns


def distinct_values(table: pa.Table, position: int, limit: int) -> list[str]:
    """The first `limit` distinct cells of a column, in the order they appear."""
    return pc.unique(table.column(position)).slice(0, limit).to_pylist()
