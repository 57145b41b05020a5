"""Arrow's route through a file gives exactly what pandas' route gives: the same staged
lines, issues (line, column, value, reason) and totals, chunk for chunk; where Arrow
cannot read on, pandas carries on from the first line not delivered. And the COPY text
built from the reader's columns is byte for byte the one built from the frame."""

import pandas as pd
import pytest

from retailiq.imports.reading import PRESETS, ReadOptions, read_orders
from retailiq.imports.reading import reader as reader_module
from retailiq.imports.services.staging import _csv_bytes, staged_csv, staged_frame

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
PRESET = PRESETS["online-retail"]
BODY = [
    "536360,22000,ITEM 0,1,2010-12-01 08:20:00,1.5,17850,UK",
    '536360,22001,"ITEM, with a comma",2,2010-12-01 08:21:00,1.5,17851,UK',
    '536361,22002,"ITEM ""quoted""\nover two lines",3,2010-12-01 08:22:00,1.5,17852,UK',
    "536361,22003,ITEM 3,4,2010-12-01 08:23:00,1.5,,UK",  # set aside
    "536362,POST,POSTAGE,6,2010-12-01 08:25:00,1.5,17851,UK",  # skipped
    "536363,22007,ITEM 7,-2,2010-12-01 08:27:00,1.5,17850,UK",  # return, renamed
    "536364,22008,ITEM 8,0,2010-12-01 08:28:00,1.5,17850,UK",  # error
    "C536369,22009,ITEM 9,-1,2010-12-01 08:29:00,1.5,17850,UK",  # cancellation
    "536370,22010,ITEM 10,many,31/02/2011,-1,17850,UK",  # error
    ",,,,,,,",  # empty line
]


def options(**changes) -> ReadOptions:
    return ReadOptions.from_dict({**PRESET.options, "exchange_rate": 100.0, "mapping": PRESET.mapping} | changes)


def read(path, opts: ReadOptions, *, arrow: bool, monkeypatch, arrow_only: bool = False):
    with monkeypatch.context() as patch:
        if not arrow:
            patch.setattr(reader_module, "arrow_readable", lambda _: False)
        if arrow_only:
            patch.setattr(reader_module, "_frames", pytest.fail)
        chunks = list(read_orders(path, opts))
    return chunks


def assert_same(path, opts: ReadOptions, monkeypatch, *, arrow_only: bool = False) -> list:
    fast = read(path, opts, arrow=True, monkeypatch=monkeypatch, arrow_only=arrow_only)
    slow = read(path, opts, arrow=False, monkeypatch=monkeypatch)
    assert [c.lines for c in fast] == [c.lines for c in slow]
    for a, b in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(a.staged.reset_index(drop=True), b.staged.reset_index(drop=True))
        pd.testing.assert_frame_equal(a.issues, b.issues)
    assert fast[-1].totals.as_summary() == slow[-1].totals.as_summary()
    return fast


@pytest.mark.parametrize("chunk_lines", [3, 100])
def test_arrow_and_pandas_routes_agree(tmp_path, monkeypatch, chunk_lines):
    path = tmp_path / "sales.csv"
    path.write_text("\n".join([HEADER, *BODY * 5]) + "\n", encoding="utf-8")
    chunks = assert_same(path, options(chunk_lines=chunk_lines), monkeypatch, arrow_only=True)
    assert sum(c.lines for c in chunks) == 5 * len(BODY)


@pytest.mark.parametrize("chunk_lines", [10, 100])
def test_a_wider_line_is_read_on_by_pandas(tmp_path, monkeypatch, chunk_lines):
    """With chunks of 10, Arrow delivers three of them before the wider line stops it."""
    lines = [HEADER] + [f"5363{i:02d},2200{i % 7},ITEM,1,2010-12-01 08:20:00,1.5,17850,UK" for i in range(40)]
    lines[31] = lines[31] + ",surplus"
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chunks = assert_same(path, options(chunk_lines=chunk_lines), monkeypatch)
    assert sum(c.lines for c in chunks) == 40
    if chunk_lines == 100:
        issues = pd.concat([c.issues for c in chunks])
        assert issues.to_dict("records")[0] | {"row": None} == {
            "line_number": 32, "column": "", "value": "surplus", "reason": "the line has 9 fields; the header has 8",
            "severity": "error", "row": None,
        }  # fmt: skip


def test_bytes_that_are_not_utf8_are_read_on_by_pandas(tmp_path, monkeypatch):
    lines = [HEADER] + [f"5363{i:02d},22001,ITEM,1,2010-12-01 08:20:00,1.5,17850,UK" for i in range(30)]
    data = ("\n".join(lines) + "\n").encode().replace(b"5363" + b"25,22001,ITEM", b"536325,22001,IT\xffEM")
    path = tmp_path / "sales.csv"
    path.write_bytes(data)
    chunks = assert_same(path, options(chunk_lines=10), monkeypatch)
    names = pd.concat([c.staged for c in chunks]).product_name.tolist()
    assert names.count("IT\ufffdEM") == 1


def test_copy_text_from_the_columns_equals_the_frames(tmp_path, monkeypatch, settings):
    path = tmp_path / "sales.csv"
    path.write_text("\n".join([HEADER, *BODY * 3]) + "\n", encoding="utf-8")
    for chunk in read(path, options(chunk_lines=7), arrow=True, monkeypatch=monkeypatch):
        frame = staged_frame(chunk.staged, batch_id=3, default_vendor="House vendor")
        expected = _csv_bytes(frame) if not frame.empty else b""
        assert staged_csv(chunk.staged, chunk.staged_texts, batch_id=3, default_vendor="House vendor") == expected


@pytest.mark.parametrize("extra", [",surplus", ",surplus,more,fields"])
def test_a_wider_line_after_the_first_chunk_is_rejected_on_the_pandas_route(tmp_path, monkeypatch, extra):
    """pandas' C parser, reading in chunks, can keep a wider line in a later chunk and drop the fields that do not
    fit (here with chunks of 10 after the header): the spare column keeps the first one, so the line is refused."""
    lines = [HEADER] + [f"5363{i:02d},2200{i % 7},ITEM,1,2010-12-01 08:20:00,1.5,17850,UK" for i in range(40)]
    lines[31] = lines[31] + extra
    path = tmp_path / "sales.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chunks = read(path, options(chunk_lines=10), arrow=False, monkeypatch=monkeypatch)
    assert sum(c.lines for c in chunks) == 40
    issues = pd.concat([c.issues for c in chunks])
    assert issues["line_number"].tolist() == [32] and issues["severity"].tolist() == ["error"]
    assert issues["value"].iloc[0].startswith("surplus")
    assert sum(len(c.staged) for c in chunks) == 39
