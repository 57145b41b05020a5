"""Property-based: whatever a file holds (cells that are formulas, huge or non-finite numbers,
impossible dates, quotes, separators and line breaks inside cells, any bytes at all), the
reader either reads it, line by line into staged rows and issues, or refuses it with a
ReadingError naming why; never any other exception. Bounded examples, derandomized."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retailiq.imports.reading import PRESETS, ReadingError, ReadOptions, read_orders, sniff_file

PRESET = PRESETS["online-retail"]
HEADER = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
BOUNDED = settings(
    max_examples=40, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

nasty = st.sampled_from(
    ["", "=HYPERLINK(1)", "1e400", "-1e400", "nan", "inf", "0", "-3", "12/31/9999 10:00", "1/1/0001 00:00",
     "2/30/2011 8:26", "12/1/2010 8:26", "C536379", "POST", '"quoted, comma"', "line\nbreak", "\u00b2", "٣",
     "9" * 40, "United Kingdom", "17850", "2.55", "1,5"]
)  # fmt: skip
cell = st.one_of(nasty, st.text(max_size=12), st.integers(-(10**20), 10**20).map(str))


def _options(**changes) -> ReadOptions:
    return ReadOptions.from_dict(
        {**PRESET.options, "mapping": PRESET.mapping, "max_line_bytes": 4096, "max_bytes": 1_000_000} | changes
    )


def _read(path, options) -> None:
    for chunk in read_orders(path, options):
        quantities = chunk.staged.get("quantity", [])
        assert all(math.isfinite(float(q)) for q in quantities)


@BOUNDED
@given(rows=st.lists(st.lists(cell, min_size=len(HEADER), max_size=len(HEADER) + 1), min_size=1, max_size=8))
def test_any_cells_are_read_or_refused_with_a_reason(tmp_path_factory, rows):
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    path = tmp_path_factory.mktemp("cells") / "sales.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        _read(path, _options(chunk_lines=3))
    except ReadingError as error:
        assert str(error)


@BOUNDED
@given(data=st.binary(max_size=600))
def test_any_bytes_are_sniffed_and_read_or_refused_with_a_reason(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "sales.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + data)
    try:
        sniff_file(path)
        _read(path, _options())
    except ReadingError as error:
        assert str(error)
