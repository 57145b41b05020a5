"""The shared table: sort, filter, page, export what is shown, and answer HTMX with the
table alone."""

import django_filters
import django_tables2 as tables
import pytest
from django.test import RequestFactory

from retailiq.retailers.models import Retailer
from retailiq.web.tables import DashboardTable, table_response
from tests import factories as f


class ShopFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Retailer
        fields = ["city"]


class ShopTable(DashboardTable):
    export_name = "shops"
    name = tables.Column()
    city = tables.Column()

    class Meta(DashboardTable.Meta):
        model = Retailer
        fields = ("name", "city")


def _table(request):
    filterset = ShopFilter(request.GET, queryset=Retailer.objects.order_by("pk"))
    return ShopTable(filterset.qs, filterset=filterset, prefix="shops-")


@pytest.fixture
def shops(db):
    for i in range(25):
        f.RetailerFactory(name=f"Shop {i:02d}", city="Pune" if i % 5 else "Delhi")
    f.RetailerFactory(name="=HYPERLINK(1)", city="Delhi")


def test_sorts_pages_and_renders_the_page_when_not_asked_by_htmx(shops):
    request = RequestFactory().get("/", {"shops-sort": "-name", "shops-page": 2})
    request.htmx = False
    table = _table(request)
    assert table_response(request, table, per_page=10) is None
    assert table.page.number == 2 and len(table.page.object_list) == 10
    assert next(row.get_cell("name") for row in table.page.object_list) == "Shop 14"  # 24..15 on page 1


def test_htmx_gets_the_table_alone_with_its_filter_applied(shops):
    request = RequestFactory().get("/", {"city": "Delhi"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table-shops")
    from django_htmx.middleware import HtmxDetails

    request.htmx = HtmxDetails(request)
    response = table_response(request, _table(request))
    html = response.content.decode()
    assert html.startswith('<div class="table-region" id="table-shops">') and "<html" not in html
    assert "6 rows" in html and "Shop 05" in html and "Shop 01" not in html
    assert 'aria-label="Filter shops"' in html and "Export CSV" in html


def test_export_is_every_filtered_row_sorted_and_escaped(shops):
    request = RequestFactory().get("/", {"city": "Delhi", "shops-sort": "name", "shops-export": "csv"})
    request.htmx = False
    response = table_response(request, _table(request), per_page=2)
    lines = response.content.decode().splitlines()
    assert lines[0] == "Name,City" and len(lines) == 7  # all six Delhi shops, not the page of two
    assert lines[1] == "'=HYPERLINK(1),Delhi" and lines[2].startswith("Shop 00")
