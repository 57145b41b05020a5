"""Streaming files into staged lines and issues: every rule, with the line number, the
file's column name and the cell exactly as written."""

import gzip
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from retailiq.imports.reading import (
    ISSUE_COLUMNS,
    PRESETS,
    STAGED_COLUMNS,
    FileFormatError,
    LineLimitExceeded,
    ReadOptions,
    SizeLimitExceeded,
    read_orders,
)

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
PRESET = PRESETS["online-retail"]


def write(tmp_path: Path, lines: list[str], name: str = "sales.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    data = "\n".join(lines).encode(encoding) + b"\n"
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


# The preset states no rate into rupees; these tests assume 100 a pound, as the analyst would type it.
RATE = 100.0


def online_retail(**changes) -> ReadOptions:
    return ReadOptions.from_dict({**PRESET.options, "exchange_rate": RATE, "mapping": PRESET.mapping} | changes)


def read_all(path: Path, options: ReadOptions):
    chunks = list(read_orders(path, options))
    staged = pd.concat([c.staged for c in chunks], ignore_index=True)
    issues = pd.concat([c.issues for c in chunks], ignore_index=True)
    return staged, issues, chunks[-1].totals, chunks


def issue_at(issues: pd.DataFrame, line: int) -> dict:
    rows = issues[issues.line_number == line]
    assert len(rows) == 1, f"expected one issue on line {line}, got {len(rows)}"
    return rows.iloc[0].to_dict()


def test_staged_columns_and_types(tmp_path):
    path = write(tmp_path, [HEADER, "536365,85123A, WHITE HEART ,6,2010-12-01 08:26:00,2.557,17850,United Kingdom"])
    staged, issues, totals, chunks = read_all(path, online_retail())
    assert list(staged.columns) == list(STAGED_COLUMNS)
    assert list(issues.columns) == list(ISSUE_COLUMNS)
    assert staged.dtypes.astype(str).to_dict() == {
        "line_number": "int64", "order_id": "object", "kind": "object", "ordered_at": "datetime64[ns]",
        "retailer_id": "object", "retailer_name": "object", "retailer_city": "object", "retailer_region": "object",
        "retailer_country": "object", "retailer_segment": "object", "retailer_contact_name": "object",
        "retailer_phone": "object", "retailer_email": "object", "sku": "object", "product_name": "object",
        "category": "object", "brand": "object", "vendor": "object", "quantity": "int64", "unit_price": "float64",
        "discount_rate": "float64", "on_promotion": "bool", "warehouse": "object",
    }  # fmt: skip
    line = staged.iloc[0].to_dict()
    assert line["line_number"] == 2
    assert line["kind"] == "sale"
    assert line["ordered_at"] == pd.Timestamp("2010-12-01 08:26:00")
    assert line["product_name"] == "WHITE HEART"
    assert line["unit_price"] == 255.7  # £2.557 at the stated 100 a pound, to the paisa
    assert line["retailer_region"] == "United Kingdom"  # the country stands in for an unmapped region
    assert (line["retailer_name"], line["category"], line["vendor"], line["warehouse"]) == ("", "", "", "")
    assert line["discount_rate"] == 0.0
    assert not line["on_promotion"]
    assert chunks[0].lines == 1 and totals.lines == 1
    assert chunks[-1].bytes_read == path.stat().st_size


def test_returns_by_cancellation_prefix_and_by_negative_quantity(tmp_path):
    path = write(
        tmp_path,
        [
            HEADER,
            "C536379,22556,PLASTERS,-12,2010-12-01 09:41:00,1.65,14527,United Kingdom",
            "536380,22557,PLASTERS,-2,2010-12-01 09:41:00,1.65,14527,United Kingdom",
            "C536381,22558,PLASTERS,3,2010-12-01 09:41:00,1.65,14527,United Kingdom",
        ],
    )
    staged, issues, totals, _ = read_all(path, online_retail())
    assert staged[["line_number", "order_id", "kind", "quantity"]].values.tolist() == [
        [2, "C536379", "return", 12],
        [3, "536380-R", "return", 2],
    ]
    assert issue_at(issues, 4) | {"row": None} == {
        "line_number": 4,
        "column": "Quantity",
        "value": "3",
        "reason": "positive quantity on a cancellation invoice",
        "severity": "error",
        "row": None,
    }
    assert totals.return_lines == 2 and totals.error_lines == 1
    assert totals.return_revenue == pytest.approx(-14 * 1.65)


def test_without_a_cancellation_prefix_only_negative_quantities_are_returns(tmp_path):
    path = write(tmp_path, [HEADER, "C536381,22558,PLASTERS,3,2010-12-01 09:41:00,1.65,14527,United Kingdom"])
    staged, issues, _, _ = read_all(path, online_retail(cancellation_prefix=""))
    assert staged[["order_id", "kind"]].values.tolist() == [["C536381", "sale"]]
    assert issues.empty


def test_each_rejection_reason_with_line_column_and_value(tmp_path):
    header = "Order;Date;Customer;SKU;Qty;Price;Discount;Promo;Warehouse"
    lines = [
        header,
        "1;2011-01-02;R1;A;3;2,50;15%;yes;W1",  # 2 fine
        ";2011-01-02;R1;A;3;2,50;;;",  # 3 order id empty
        "1;02/01/2011;R1;A;3;2,50;;;",  # 4 date in the wrong format
        "1;2011-01-02;R1;A;3.5;2,50;;;",  # 5 quantity not whole
        "1;2011-01-02;R1;A;0;2,50;;;",  # 6 quantity zero
        "1;2011-01-02;R1;A;3;abc;;;",  # 7 price not a number
        "1;2011-01-02;R1;A;3;-1,00;;;",  # 8 negative price
        "1;2011-01-02;R1;A;3;2,50;150;;",  # 9 discount out of range
        "1;2011-01-02;R1;A;3;2,50;;maybe;",  # 10 not a boolean
        "1;2011-01-02;R1;A;3;2,50;;;" + "W" * 41,  # 11 too long
        "1;2011-01-02;;A;3;2,50;;;",  # 12 no customer, rejected by default
        "1;2011-01-02;R1;;3;2,50;;;",  # 13 no SKU
        "1;2011-01-02;R1;A; ;2,50;;;",  # 14 quantity empty
        ";;R1;A;x;y;;;",  # 15 several problems: the first field in order is reported
        "1;2011-01-02;R1;A;1.234;1.234,50;0,15;N;W2",  # 16 fine: grouped thousands and a decimal comma
    ]
    mapping = {
        "order_id": "Order", "ordered_at": "Date", "retailer_id": "Customer", "sku": "SKU", "quantity": "Qty",
        "unit_price": "Price", "discount": "Discount", "on_promotion": "Promo", "warehouse": "Warehouse",
    }  # fmt: skip
    options = ReadOptions(mapping=mapping, delimiter=";", decimal=",", date_format="%Y-%m-%d")
    staged, issues, totals, _ = read_all(write(tmp_path, lines), options)
    got = {row.line_number: (row.column, row.value, row.reason, row.severity) for row in issues.itertuples()}
    assert got == {
        3: ("Order", "", "Order ID is empty", "error"),
        4: ("Date", "02/01/2011", "unparseable date: expected YYYY-MM-DD (e.g. 2011-12-09)", "error"),
        5: ("Qty", "3.5", "quantity is not a whole number", "error"),
        6: ("Qty", "0", "quantity is zero", "error"),
        7: ("Price", "abc", "unit price is not a number", "error"),
        8: ("Price", "-1,00", "negative price", "error"),
        9: ("Discount", "150", "discount must be a fraction below 1 or a percentage below 100", "error"),
        10: ("Promo", "maybe", "not yes or no: use true/false, yes/no, y/n or 1/0", "error"),
        11: ("Warehouse", "W" * 41, "longer than 40 characters", "error"),
        12: ("Customer", "", "Customer ID is empty", "error"),
        13: ("SKU", "", "SKU is empty", "error"),
        14: ("Qty", " ", "Quantity is empty", "error"),
        15: ("Order", "", "Order ID is empty", "error"),
    }
    assert issue_at(issues, 8)["row"] == dict(zip(header.split(";"), lines[7].split(";"), strict=True))
    assert staged.line_number.tolist() == [2, 16]
    fine = staged.set_index("line_number")
    assert fine.loc[2, "discount_rate"] == pytest.approx(0.15) and fine.loc[2, "on_promotion"]
    assert fine.loc[16, ["quantity", "unit_price"]].tolist() == [1234, 1234.5]
    assert fine.loc[16, "discount_rate"] == pytest.approx(0.15) and not fine.loc[16, "on_promotion"]
    assert totals.error_lines == 13 and totals.sale_lines == 2


SMALL_HEADER = "o,d,c,s,q,p,disc"
SMALL_MAPPING = {
    "order_id": "o", "ordered_at": "d", "retailer_id": "c", "sku": "s", "quantity": "q", "unit_price": "p", "discount": "disc"
}  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "rate"),
    [("", 0.0), ("0", 0.0), ("0.2", 0.2), ("20", 0.2), ("20%", 0.2), ("1", 0.01), ("99.5", 0.995), ("1.5%", 0.015)],
)
def test_discounts(tmp_path, cell, rate):
    path = write(tmp_path, [SMALL_HEADER, f"1,2011-01-02,R,A,1,2.5,{cell}"])
    staged, issues, _, _ = read_all(path, ReadOptions(mapping=SMALL_MAPPING))
    assert issues.empty
    assert staged.discount_rate.iloc[0] == pytest.approx(rate)


@pytest.mark.parametrize("cell", ["100", "100%", "-5", "abc"])
def test_bad_discounts(tmp_path, cell):
    path = write(tmp_path, [SMALL_HEADER, f"1,2011-01-02,R,A,1,2.5,{cell}"])
    _, issues, _, _ = read_all(path, ReadOptions(mapping=SMALL_MAPPING))
    assert issues.reason.tolist() == ["discount must be a fraction below 1 or a percentage below 100"]
    assert issues.value.tolist() == [cell]


def test_set_aside_and_skipped_lines(tmp_path):
    lines = [
        HEADER,
        "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,,United Kingdom",  # no customer
        "536366,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,12583,France",  # not a product
        "536367,gift_0001_20,VOUCHER,1,2010-12-01 08:26:00,20.00,,United Kingdom",  # skipped beats set aside
        ",,,,,,,",  # an empty line
        "536368,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
    ]
    staged, issues, totals, _ = read_all(write(tmp_path, lines), online_retail())
    assert issue_at(issues, 2) == {
        "line_number": 2,
        "column": "CustomerID",
        "value": "",
        "reason": "no customer: kept apart",
        "severity": "set_aside",
        "row": dict(zip(HEADER.split(","), lines[1].split(","), strict=True)),
    }
    assert issue_at(issues, 3) == {
        "line_number": 3,
        "column": "StockCode",
        "value": "POST",
        "reason": "not a product: POST",
        "severity": "skipped",
        "row": None,
    }
    assert issue_at(issues, 4)["reason"] == "not a product: gift_0001_20"
    assert issue_at(issues, 5) | {"row": None} == {
        "line_number": 5, "column": "", "value": "", "reason": "empty line", "severity": "skipped", "row": None
    }  # fmt: skip
    assert staged.line_number.tolist() == [6]
    assert (totals.set_aside_lines, totals.skipped_lines, totals.sale_lines) == (1, 3, 1)
    assert totals.set_aside_revenue == pytest.approx(15.3)
    assert totals.skipped_revenue == pytest.approx(38.0)
    assert totals.revenue == pytest.approx(15.3 * 2 + 38)
    assert totals.customers == {"12583", "17850"}
    assert totals.invoices == {"536365", "536366", "536367", "536368"}


def test_missing_customer_rejected_by_default(tmp_path):
    path = write(tmp_path, [HEADER, "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,,United Kingdom"])
    _, issues, _, _ = read_all(path, online_retail(missing_retailer="reject"))
    assert issues.reason.tolist() == ["Customer ID is empty"]
    assert issues.severity.tolist() == ["error"]


def test_a_line_with_more_fields_than_the_header(tmp_path):
    lines = [
        HEADER,
        "536365,85123A,HEART, LARGE,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",  # an unquoted comma
        "536366,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom,",  # a trailing empty field is fine
    ]
    _, issues, totals, _ = read_all(write(tmp_path, lines), online_retail())
    assert issue_at(issues, 2) | {"row": None} == {
        "line_number": 2,
        "column": "",
        "value": "United Kingdom",
        "reason": "the line has 9 fields; the header has 8",
        "severity": "error",
        "row": None,
    }
    assert totals.sale_lines == 1


def test_many_surplus_fields_are_read_again_with_room_for_them(tmp_path):
    good = "536366,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom"
    lines = [HEADER, good, good, good, ",".join(["x"] * 30), good, good]
    staged, issues, totals, chunks = read_all(write(tmp_path, lines), online_retail(chunk_lines=2))
    assert staged.line_number.tolist() == [2, 3, 4, 6, 7]
    assert issues.line_number.tolist() == [5]
    assert issues.reason.tolist() == ["the line has 30 fields; the header has 8"]
    assert issues.value.tolist() == [",".join(["x"] * 22)]
    assert [c.lines for c in chunks] == [2, 2, 2]
    assert totals.lines == 6 and totals.sale_lines == 5


def test_a_line_far_wider_than_the_header_stops_the_file(tmp_path):
    path = write(tmp_path, [HEADER, ",".join(["x"] * 300)])
    with pytest.raises(FileFormatError, match="A line has 300 fields where the header has 8"):
        read_all(path, online_retail())


def test_unclosed_quote_stops_the_file(tmp_path):
    path = write(tmp_path, [HEADER, '536365,"85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,UK'])
    with pytest.raises(FileFormatError, match="readable CSV"):
        read_all(path, online_retail())


def test_the_header_must_fit_the_mapping(tmp_path):
    path = write(tmp_path, [HEADER.replace("Quantity", "Qty"), "x"])
    with pytest.raises(FileFormatError, match=r"not in the file's header; choose another for ‘Quantity’ \(quantity\)"):
        read_all(path, online_retail())


def test_gzip_latin1_quoted_fields_and_bom(tmp_path):
    header = "Order;Date;Shop;Item;Qty;Price"
    lines = [
        header,
        '1;01/02/2011 10:00;"Café; du ""Coin""";"A;1";3;2,50',
        '2;13/02/2011 10:00;"Two\nlines";B;1;1.234,50',
    ]
    path = write(tmp_path, lines, name="sales.csv.gz", encoding="latin-1")
    mapping = {
        "order_id": "Order",
        "ordered_at": "Date",
        "retailer_id": "Shop",
        "sku": "Item",
        "quantity": "Qty",
        "unit_price": "Price",
    }
    options = ReadOptions(mapping=mapping, encoding="latin-1", delimiter=";", decimal=",")  # date format detected
    staged, issues, _, chunks = read_all(path, options)
    assert issues.empty
    assert staged.retailer_id.tolist() == ['Café; du "Coin"', "Two\nlines"]
    assert staged.sku.tolist() == ["A;1", "B"]
    assert staged.ordered_at.tolist() == [pd.Timestamp("2011-02-01 10:00"), pd.Timestamp("2011-02-13 10:00")]
    assert staged.unit_price.tolist() == [2.5, 1234.5]
    assert staged.line_number.tolist() == [2, 3]  # a record spanning two lines is still one line number
    assert chunks[-1].bytes_read == path.stat().st_size

    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode("utf-8"))
    for encoding in ("utf-8-sig", "utf-8"):
        staged, issues, _, _ = read_all(
            bom, ReadOptions(mapping=mapping, encoding=encoding, delimiter=";", decimal=",")
        )
        assert issues.empty and len(staged) == 2


def test_tab_delimited_with_month_first_dates(tmp_path):
    lines = [
        "order\tdate\tcustomer\tsku\tqty\tprice",
        "1\t12/31/2010 17:01\tR\tA\t2\t3.5",
        "2\t1/2/2011 8:05\tR\tB\t1\t4",
    ]
    mapping = {
        "order_id": "order",
        "ordered_at": "date",
        "retailer_id": "customer",
        "sku": "sku",
        "quantity": "qty",
        "unit_price": "price",
    }
    staged, issues, _, _ = read_all(write(tmp_path, lines), ReadOptions(mapping=mapping, delimiter="\t"))
    assert issues.empty
    assert staged.ordered_at.tolist() == [pd.Timestamp("2010-12-31 17:01"), pd.Timestamp("2011-01-02 08:05")]


def test_chunks_give_the_same_result_as_one_chunk(tmp_path):
    lines = [
        HEADER,
        "536360,22000,ITEM 0,1,2010-12-01 08:20:00,1.5,17850,UK",
        "536360,22001,ITEM 1,2,2010-12-01 08:21:00,1.5,17851,UK",
        "536361,22002,ITEM 2,3,2010-12-01 08:22:00,1.5,17852,UK",
        "536361,22003,ITEM 3,4,2010-12-01 08:23:00,1.5,,UK",  # set aside
        "536362,22004,ITEM 4,5,2010-12-01 08:24:00,1.5,17851,UK",
        "536362,POST,POSTAGE,6,2010-12-01 08:25:00,1.5,17851,UK",  # skipped
        "536363,22006,ITEM 6,7,2010-12-01 08:26:00,1.5,17850,UK",
        "536363,22007,ITEM 7,-2,2010-12-01 08:27:00,1.5,17850,UK",  # return
        "536364,22008,ITEM 8,0,2010-12-01 08:28:00,1.5,17850,UK",  # error
        "C536369,22009,ITEM 9,-1,2010-12-01 08:29:00,1.5,17850,UK",  # cancellation
    ]
    path = write(tmp_path, lines)
    whole = read_all(path, online_retail(chunk_lines=100))
    chunked = read_all(path, online_retail(chunk_lines=3))
    assert [c.lines for c in chunked[3]] == [3, 3, 3, 1]
    assert [c.lines for c in whole[3]] == [10]
    pd.testing.assert_frame_equal(whole[0], chunked[0])
    pd.testing.assert_frame_equal(whole[1], chunked[1])
    assert whole[2].as_summary() == chunked[2].as_summary()
    assert whole[2].as_summary() == {
        "lines": 10, "invoices": 6, "customers": 3, "skus": 10, "revenue": 37.5,
        "sale_lines": 5, "sale_revenue": 27.0, "return_lines": 2, "return_revenue": -4.5,
        "skipped_lines": 1, "skipped_revenue": 9.0, "set_aside_lines": 1, "set_aside_revenue": 6.0,
        "error_lines": 1, "error_revenue": 0.0,
    }  # fmt: skip
    assert chunked[3][-1].bytes_read == path.stat().st_size
    assert chunked[3][0].bytes_read <= chunked[3][-1].bytes_read


def test_line_limit(tmp_path):
    path = write(tmp_path, [HEADER] + ["536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,UK"] * 10)
    assert sum(c.lines for c in read_orders(path, online_retail(max_lines=10))) == 10
    with pytest.raises(LineLimitExceeded) as raised:
        for _ in read_orders(path, online_retail(max_lines=9, chunk_lines=4)):
            pass
    assert str(raised.value) == "The file has more than 9 lines; the limit is 9 (RETAILIQ_IMPORT_MAX_LINES)."
    assert raised.value.limit == 9


def test_a_header_only_file_gives_one_empty_chunk(tmp_path):
    chunks = list(read_orders(write(tmp_path, [HEADER]), online_retail()))
    assert len(chunks) == 1 and chunks[0].lines == 0
    assert list(chunks[0].staged.columns) == list(STAGED_COLUMNS)
    assert chunks[0].staged.dtypes["ordered_at"] == "datetime64[ns]"
    assert chunks[0].issues.empty and list(chunks[0].issues.columns) == list(ISSUE_COLUMNS)


def test_the_package_does_not_import_django():
    """In a fresh interpreter, with retailiq/__init__.py bypassed (it starts Celery, whose
    Django fix-up imports Django): the reading package itself must not need Django."""
    code = (
        "import sys, types; parent = types.ModuleType('retailiq'); parent.__path__ = ['retailiq'];"
        "sys.modules['retailiq'] = parent; import retailiq.imports.reading;"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'django']; assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_mixed_dates_fall_back_to_iso_8601_without_time_zones(tmp_path):
    lines = [
        SMALL_HEADER,
        "1,2011-01-02 10:00,R,A,1,2.5,",
        "2,2011-01-03,R,A,1,2.5,",
        "3,2011-01-04T10:00:00+01:00,R,A,1,2.5,",
    ]
    staged, issues, _, _ = read_all(write(tmp_path, lines), ReadOptions(mapping=SMALL_MAPPING))
    assert staged.ordered_at.tolist() == [pd.Timestamp("2011-01-02 10:00"), pd.Timestamp("2011-01-03")]
    assert issues.reason.tolist() == [
        "unparseable date: expected an ISO 8601 date such as 2011-12-09 12:50:30, without a time zone"
    ]


def test_prices_with_currency_signs_and_thousands_groups(tmp_path):
    lines = [SMALL_HEADER, '1,2011-01-02,R,A,1,"1,234.50",', "2,2011-01-02,R,A,1,£2.55,", "3,2011-01-02,R,A,1,12.5.1,"]
    staged, issues, _, _ = read_all(write(tmp_path, lines), ReadOptions(mapping=SMALL_MAPPING))
    assert staged.unit_price.tolist() == [1234.5, 2.55]
    assert issues[["line_number", "value", "reason"]].values.tolist() == [[4, "12.5.1", "unit price is not a number"]]


def test_dates_outside_the_accepted_days_are_errors_naming_line_and_column(tmp_path):
    path = write(
        tmp_path,
        [
            HEADER,
            "536365,85123A,HEART,6,2011-12-01 08:26:00,2.55,17850,United Kingdom",
            "536366,85123A,HEART,6,2030-01-01 08:26:00,2.55,17850,United Kingdom",
            "536367,85123A,HEART,6,1900-01-01 08:26:00,2.55,17850,United Kingdom",
            "536368,85123A,HEART,6,2011-12-02 23:59:59,2.55,17850,United Kingdom",
        ],
    )
    staged, issues, _, _ = read_all(path, online_retail(earliest_date="1990-01-01", latest_date="2011-12-02"))

    assert list(staged.line_number) == [2, 5]
    future, ancient = issue_at(issues, 3), issue_at(issues, 4)
    assert (future["column"], future["value"]) == ("InvoiceDate", "2030-01-01 08:26:00")
    assert future["reason"] == "date is in the future: the latest accepted day is 2011-12-02"
    assert (ancient["column"], ancient["value"]) == ("InvoiceDate", "1900-01-01 08:26:00")
    assert ancient["reason"] == "date is before 1990-01-01, the earliest accepted day"


def test_the_accepted_days_must_be_iso_days():
    with pytest.raises(ValueError, match="latest_date"):
        online_retail(latest_date="tomorrow")


def test_a_gzip_bomb_stops_at_the_decompressed_limit(tmp_path):
    line = "536365,85123A,HEART,6,2011-12-01 08:26:00,2.55,17850,United Kingdom"
    path = write(tmp_path, [HEADER] + [line] * 20_000, name="bomb.csv.gz")
    assert path.stat().st_size < 50_000

    with pytest.raises(SizeLimitExceeded, match="RETAILIQ_IMPORT_MAX_DECOMPRESSED_BYTES"):
        read_all(path, online_retail(max_bytes=500_000))
    staged, _, _, _ = read_all(path, online_retail(max_bytes=2_000_000))
    assert len(staged) == 20_000


@pytest.mark.parametrize("name", ["huge-cell.csv", "huge-cell.csv.gz"])
def test_a_huge_cell_stops_the_file_before_it_is_held_whole(tmp_path, name):
    path = write(tmp_path, [HEADER, "536365,85123A," + "X" * 3_000_000 + ",6,2011-12-01 08:26:00,2.55,1,UK"], name=name)

    with pytest.raises(SizeLimitExceeded, match="RETAILIQ_IMPORT_MAX_LINE_BYTES"):
        read_all(path, online_retail(max_line_bytes=64 * 1024))


def test_lines_just_under_the_line_limit_read_whole(tmp_path):
    lines = [HEADER] + [f"53636{i},85123A,{'X' * (900 + i)},6,2011-12-01 08:26:00,2.55,1,UK" for i in range(200)]
    staged, issues, _, _ = read_all(write(tmp_path, lines), online_retail(max_line_bytes=1200))

    assert len(staged) + len(issues) == 200


def test_a_rejected_long_value_is_stored_truncated(tmp_path):
    path = write(tmp_path, [HEADER, "536365,85123A,HEART,6,2011-12-01 08:26:00,2.55," + "9" * 5000 + ",UK"])
    _, issues, _, _ = read_all(path, online_retail())

    issue = issue_at(issues, 2)
    assert issue["value"] == "9" * 1000 + "…"
    assert issue["row"]["CustomerID"] == "9" * 1000 + "…"
