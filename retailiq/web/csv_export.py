"""CSV downloads of what a page shows, safe to open in a spreadsheet: a cell starting
with = + - @ (or a tab or carriage return) would run as a formula, so it gets an
apostrophe in front. Every export in the project goes through here."""

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd
from django.http import HttpResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """Numbers stay numbers (a negative number is not a formula), dates become ISO text,
    text that a spreadsheet would evaluate is escaped."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, int | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A download of ``rows`` under ``header``, every cell escaped by :func:`csv_cell`. Give values, not text
    already escaped: escaping twice would mark text such as "-3.0" as a formula."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    _as_download(response, filename)
    writer = csv.writer(response)
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return response


def csv_streaming_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> StreamingHttpResponse:
    """As :func:`csv_response`, written line by line while ``rows`` is read: for exports too big to hold."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    return _as_download(StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8"), filename)


def csv_line(values: Iterable[Any]) -> str:
    """One line of CSV, cells as given and without its line end: a whole source line kept in one cell."""
    return csv.writer(_Echo()).writerow(list(values)).rstrip("\r\n")


class _Echo:
    """A file that hands back what is written to it, so that csv.writer formats one line at a time."""

    def write(self, value: str) -> str:
        return value


def _as_download(response: Any, filename: str) -> Any:
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
