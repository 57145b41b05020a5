"""The one table every page uses: sortable by any column, filtered by a django-filter
form, paginated, exported to CSV exactly as filtered and sorted (all pages, escaped
against formula injection), and re-rendered in place by HTMX. A page declares a
table class and calls `table_response`; nothing else is table code."""

from collections.abc import Callable
from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from retailiq.web.csv_export import csv_response
from retailiq.web.htmx import wants_fragment
from retailiq.web.templatetags.money import money

PER_PAGE = 20


class DashboardTable(tables.Table):
    """Subclasses set `export_name` and a `prefix` (so two tables on one page keep their
    own sort and page in the URL); `region_id` is where HTMX swaps the table."""

    export_name = "table"

    class Meta:
        template_name = "components/table.html"
        attrs = {"class": "data-table"}

    def __init__(self, *args: Any, filterset: django_filters.FilterSet | None = None, **kwargs: Any) -> None:
        self.filterset = filterset
        super().__init__(*args, **kwargs)

    @property
    def region_id(self) -> str:
        return f"table-{self.prefix.rstrip('-') or self.export_name}"

    @property
    def export_field(self) -> str:
        return f"{self.prefix}export"

    def as_csv(self) -> HttpResponse:
        """Every row the filter and sort select, not only the page on screen."""
        values = list(self.as_values())
        return csv_response(self.export_name, values[0], values[1:])


def table_response(
    request: HttpRequest,
    table: DashboardTable,
    *,
    per_page: int = PER_PAGE,
) -> HttpResponse | None:
    """Configure sort and page from the request. Answers the CSV download, or the table
    alone when HTMX asks for its region; otherwise None, and the page renders in full."""
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    if request.GET.get(table.export_field) == "csv":
        return table.as_csv()
    if wants_fragment(request, table.region_id):
        return render(request, table.Meta.template_name, {"table": table})
    return None


def first_response(
    request: HttpRequest, tables_on_page: list[DashboardTable], page: Callable[[], HttpResponse]
) -> HttpResponse:
    """The first table that answers the request (export or HTMX region), else the page.
    A filter value the form refuses answers 400, with the message beside its field; an HTMX
    region answers 200 so htmx swaps it in and the message shows where the user typed."""
    refused = [table for table in tables_on_page if _filter_refused(table)]
    for table in tables_on_page:
        if table in refused and request.GET.get(table.export_field) == "csv":
            return page_with_status(page, 400)
        response = table_response(request, table)
        if response is not None:
            return response
    return page_with_status(page, 400) if refused else page()


def _filter_refused(table: DashboardTable) -> bool:
    filterset = table.filterset
    return filterset is not None and filterset.is_bound and not filterset.form.is_valid()


def page_with_status(page: Callable[[], HttpResponse], status: int) -> HttpResponse:
    response = page()
    response.status_code = status
    return response


class MoneyColumn(tables.Column):
    """Shown as ₹1,234; exported as the plain number so a spreadsheet can sum it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        return money(value)

    def value(self, value: Any) -> float:
        return round(float(value or 0), 2)


class CountColumn(tables.Column):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        return intcomma(value)

    def value(self, value: Any) -> Any:
        return value
