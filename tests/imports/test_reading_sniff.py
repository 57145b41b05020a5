"""Recognising a file's format: compression, encoding, delimiter, decimal mark, dates,
and the clear refusals for files that are not CSVs of records."""

import gzip
from pathlib import Path

import pytest

from retailiq.imports.reading import FileFormatError, detect_date_format, sniff_file

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
LINE = "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"


def write(tmp_path: Path, content: str | bytes, name: str = "sales.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    data = content.encode(encoding) if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def test_online_retail_layout(tmp_path):
    found = sniff_file(write(tmp_path, HEADER + LINE * 3))
    assert found.compressed is False
    assert found.encoding == "utf-8"
    assert found.delimiter == ","
    assert found.decimal == "."
    assert found.header == HEADER.strip().split(",")
    assert found.sample_rows[0][2] == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert len(found.sample_rows) == 3
    assert found.date_format == "%Y-%m-%d %H:%M:%S"


def test_gzip_is_recognised_by_its_magic_bytes_not_its_name(tmp_path):
    path = write(tmp_path, HEADER + LINE, name="sales.csv.gz")
    renamed = path.rename(tmp_path / "sales.csv")
    found = sniff_file(renamed)
    assert found.compressed is True
    assert found.header[0] == "InvoiceNo"


def test_sample_rows_stop_at_twenty(tmp_path):
    assert len(sniff_file(write(tmp_path, HEADER + LINE * 50)).sample_rows) == 20


def test_utf8_with_bom(tmp_path):
    found = sniff_file(write(tmp_path, "\ufeff" + HEADER + LINE))
    assert found.encoding == "utf-8-sig"
    assert found.header[0] == "InvoiceNo"


def test_latin1_when_not_valid_utf8(tmp_path):
    path = write(tmp_path, "Order;Shop;Qty\n1;Café du Coin;3\n", encoding="latin-1")
    found = sniff_file(path)
    assert found.encoding == "latin-1"
    assert found.sample_rows[0][1] == "Café du Coin"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(tmp_path, delimiter):
    text = HEADER.replace(",", delimiter) + LINE.replace(",", delimiter) * 2
    found = sniff_file(write(tmp_path, text))
    assert found.delimiter == delimiter
    assert len(found.header) == 8


def test_quoted_fields_with_delimiters_and_newlines(tmp_path):
    text = 'order,sku,description,qty\n1,A,"Mug, large",2\n2,B,"Two\nlines",3\n3,C,"Say ""hi""",4\n'
    found = sniff_file(write(tmp_path, text))
    assert found.delimiter == ","
    assert found.sample_rows == [
        ["1", "A", "Mug, large", "2"],
        ["2", "B", "Two\nlines", "3"],
        ["3", "C", 'Say "hi"', "4"],
    ]


def test_decimal_comma_with_semicolons(tmp_path):
    text = "Order;Date;Qty;Price\n1;01.02.2011;3;1.234,50\n2;02.02.2011;1;2,55\n"
    found = sniff_file(write(tmp_path, text))
    assert (found.delimiter, found.decimal) == (";", ",")
    assert found.date_format == "%d.%m.%Y"


def test_decimal_dot_with_semicolons(tmp_path):
    found = sniff_file(write(tmp_path, "Order;Qty;Price\n1;3;2.55\n2;1;1.234\n"))
    assert (found.delimiter, found.decimal) == (";", ".")


def test_thousands_groups_alone_do_not_make_a_decimal_comma(tmp_path):
    found = sniff_file(write(tmp_path, "Order\tQty\tPrice\n1\t3\t1.234\n2\t1\t5\n"))
    assert found.decimal == "."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("\n\n  \n", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"PK\x03\x04rest-of-a-zip", "Excel workbook or a ZIP"),
        ("\ufeffa,b\n".encode("utf-16"), "UTF-16"),
        ("1,2,3\n4,5,6\n", "looks like data"),
        ("justonecolumn\nvalue\nvalue\n", "Only one column"),
    ],
)
def test_refusals_say_why(tmp_path, content, message):
    with pytest.raises(FileFormatError, match=message):
        sniff_file(write(tmp_path, content))


def test_damaged_gzip_is_refused(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(FileFormatError, match="cannot be decompressed"):
        sniff_file(path)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2010-12-01 08:26:00", "2011-12-09 12:50:00"], "%Y-%m-%d %H:%M:%S"),
        (["2010-12-01 08:26"], "%Y-%m-%d %H:%M"),
        (["2010-12-01T08:26:00"], "%Y-%m-%dT%H:%M:%S"),
        (["2010-12-01", "2011-01-31"], "%Y-%m-%d"),
        (["01/02/2011 08:26", "25/12/2011 10:00"], "%d/%m/%Y %H:%M"),
        (["12/1/2010 8:26", "12/31/2010 17:01"], "%m/%d/%Y %H:%M"),
        (["01/02/2011", "31/12/2011"], "%d/%m/%Y"),
        (["01/02/2011", "12/31/2011"], "%m/%d/%Y"),
        (["01/02/2011", "03/04/2011"], "%d/%m/%Y"),  # ambiguous: day first
        (["01.02.2011", "31.12.2011"], "%d.%m.%Y"),
        (["01-02-2011", "31-12-2011"], "%d-%m-%Y"),
        (["2011-12-09", "", "  "], "%Y-%m-%d"),
        (["not a date"], None),
        (["536365", "536366"], None),
        (["", ""], None),
        (["2011-12-09", "09/12/2011"], None),
    ],
)
def test_detect_date_format(values, expected):
    assert detect_date_format(values) == expected
