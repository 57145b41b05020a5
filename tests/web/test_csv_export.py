import datetime as dt
from decimal import Decimal

from retailiq.web.csv_export import csv_cell, csv_line, csv_response, csv_streaming_response


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


def test_a_streamed_csv_escapes_like_the_plain_one_and_reads_rows_lazily():
    read = []

    def rows():
        for row in (['=HYPERLINK("x")', 3], ["-3.0", -3.0]):
            read.append(row)
            yield row

    response = csv_streaming_response("issues", ["name", "=bad"], rows())
    assert response["Content-Disposition"] == 'attachment; filename="issues.csv"' and read == []
    streamed = b"".join(response.streaming_content).decode()
    plain = csv_response("issues", ["name", "=bad"], [['=HYPERLINK("x")', 3], ["-3.0", -3.0]]).content.decode()
    assert streamed == plain
    assert streamed.splitlines() == ["name,'=bad", '"\'=HYPERLINK(""x"")",3', "'-3.0,-3.0"]


def test_a_whole_line_kept_in_one_cell_is_quoted_as_csv_and_escaped_once_by_the_response():
    whole = csv_line(["=1+1", "a,b", 7])
    assert whole == '=1+1,"a,b",7'
    assert csv_response("x", ["whole"], [[whole]]).content.decode().splitlines()[1] == '"\'=1+1,""a,b"",7"'
