"""What the reorder pages share."""

import csv
from collections.abc import Iterable

from django.http import HttpResponse


def csv_download(filename: str, rows: Iterable[list[str]]) -> HttpResponse:
    """Rows from the services' CSV functions, header first and already escaped against
    formulas. Written as they are: escaping again would mark "-3.0" (a day not yet
    overdue) as a formula."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    csv.writer(response).writerows(rows)
    return response
