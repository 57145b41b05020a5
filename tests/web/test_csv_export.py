import datetime as dt
from decimal import Decimal

from retailiq.web.csv_export import csv_cell, csv_response


def test_csv_cells_cannot_start_a_formula():
    values = ("=SUM(A1)", "+1", "-2", "@x", "\tx", "plain", -3.5, 7, Decimal("-4.20"), dt.date(2026, 1, 2), None)
    assert [csv_cell(v) for v in values] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "plain",
        -3.5,
        7,
        Decimal("-4.20"),
        "2026-01-02",
        "",
    ]


def test_a_csv_response_escapes_header_and_rows():
    response = csv_response("shops", ["name", "=bad"], [['=HYPERLINK("x")', 3]])
    assert response["Content-Disposition"] == 'attachment; filename="shops.csv"'
    assert response.content.decode().splitlines() == ["name,'=bad", '"\'=HYPERLINK(""x"")",3']
