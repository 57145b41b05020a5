"""The vendor's home: its own products' sales only (page, chart fragment, tables, CSV),
a granularity control answered by HTMX, and a fixed number of queries."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def _get(client, user, params=None, target=None):
    client.force_login(user)
    headers = {**HTMX, "HTTP_HX_TARGET": target} if target else {}
    return client.get(reverse("vendor-home"), params or {}, **headers)


def _sell(product, retailer, *, days_ago: int, quantity: int = 10, count: int = 1):
    placed_at = timezone.now() - dt.timedelta(days=days_ago)
    for _ in range(count):
        order = f.OrderFactory(retailer=retailer, placed_at=placed_at)
        f.OrderLineFactory(order=order, product=product, quantity=quantity, line_number=1)


def test_page_shows_key_figures_with_currency_and_change(marketplace, client):
    _sell(marketplace.product_1, marketplace.shop_a, days_ago=120, quantity=1000)  # the previous 90 days
    body = _get(client, marketplace.vendor_user_1).content.decode()
    assert "Sunrise Foods" in body
    assert "₹1,700" in body  # 10 + 7 units at ₹100 in the last 90 days
    assert "▼ −98.3% vs previous 90 days" in body  # ₹1,700 against ₹100,000
    assert "Buying retailers, last 90 days" in body and "Products sold, last 90 days" in body
    assert 'data-chart="vendor-sales-figure"' in body and "vendor/plotly.min.js" in body
    assert reverse("demand") in body


def test_vendor_never_sees_another_vendors_products_or_revenue(marketplace, client):
    body = _get(client, marketplace.vendor_user_2).content.decode()
    assert "Bluecrest Shampoo" in body and "Sunrise Basmati" not in body
    assert "₹1,000" in body and "₹1,700" not in body and "₹2,700" not in body
    assert "Bravo Supermart" not in body  # only Alpha bought its shampoo
    figure = json.loads(body.split('id="vendor-sales-figure" type="application/json">')[1].split("</script>")[0])
    assert sum(sum(trace["y"]) for trace in figure["data"]) == 1000


def test_fragments_and_csv_are_scoped_too(marketplace, client):
    user = marketplace.vendor_user_2
    chart = _get(client, user, {"granularity": "month"}, target="vendor-sales-chart").content.decode()
    assert "<html" not in chart and "1000.0" in chart and "1700" not in chart
    table = _get(client, user, target="table-retailers").content.decode()
    assert table.startswith('<div class="table-region" id="table-retailers">')
    assert "Alpha Kirana Store" in table and "Bravo Supermart" not in table
    for prefix in ("retailers", "top", "declining"):
        text = _get(client, user, {f"{prefix}-export": "csv"}).content.decode()
        assert "Sunrise" not in text and "Bravo" not in text and "1700" not in text


def test_granularity_control_returns_the_chart_alone_at_that_granularity(marketplace, client):
    _sell(marketplace.product_1, marketplace.shop_a, days_ago=40)
    user = marketplace.vendor_user_1
    by_day = _get(client, user, {"granularity": "day", "breakdown": "segment"}, target="vendor-sales-chart")
    by_month = _get(client, user, {"granularity": "month"}, target="vendor-sales-chart")
    day_html, month_html = by_day.content.decode(), by_month.content.decode()
    assert "<html" not in day_html and "Per day, last 90 days, stacked by segment" in day_html
    assert "Per month, last 730 days" in month_html and '"tickformat": "%b %Y"' in month_html
    assert '"name": "Kirana"' in day_html  # segments by their labels
    assert by_day.context["granularity"] == "day" and by_month.context["granularity"] == "month"
    assert _get(client, user, {"granularity": "hour"}, target="vendor-sales-chart").context["granularity"] == "week"


def test_retailer_filter_and_csv_escaping(marketplace, client):
    evil = f.RetailerFactory(name='=HYPERLINK("http://x")', region="South")
    _sell(marketplace.product_1, evil, days_ago=2)
    user = marketplace.vendor_user_1
    south = _get(client, user, {"retailers-region": "South"}, target="table-retailers").content.decode()
    assert "HYPERLINK" in south and "Alpha Kirana" not in south
    assert '<option value="South"' in south and '<option value="East"' not in south  # only regions it sold to
    rows = _rows(_get(client, user, {"retailers-export": "csv", "retailers-sort": "name"}))
    assert rows[0] == ["Retailer", "City", "Region", "Segment", "Orders", "Units", "Revenue (INR)"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "Pune", "South", "Kirana", "1", "10", "1000.0"]  # defused
    assert ["Alpha Kirana Store", "Pune", "West", "Kirana", "1", "10", "1000.0"] in rows


def test_top_and_declining_products_compare_the_last_30_days_with_the_30_before(marketplace, client):
    lentils = f.ProductFactory(vendor=marketplace.vendor_1, name="Sunrise Toor Dal 1 kg")
    _sell(lentils, marketplace.shop_a, days_ago=45, quantity=40)
    _sell(lentils, marketplace.shop_a, days_ago=5, quantity=10)
    response = _get(client, marketplace.vendor_user_1)
    top = [row["name"] for row in response.context["top_table"].data]
    declining = response.context["declining_table"].data
    assert top == ["Sunrise Basmati Rice 5 kg", "Sunrise Toor Dal 1 kg"]  # 17 units, then 10
    assert [row["name"] for row in declining] == ["Sunrise Toor Dal 1 kg"]
    body = response.content.decode()
    assert "−75.0%" in body and "new" in body  # dal fell from 40 to 10; rice sold nothing before
    rows = _rows(_get(client, marketplace.vendor_user_1, {"declining-export": "csv"}))
    assert rows[0][:3] == ["Product", "SKU", "Units, last 30 days"]
    assert rows[1][0] == "Sunrise Toor Dal 1 kg" and rows[1][2:] == ["10", "40", "-75.0", "1000.0"]


@pytest.mark.parametrize("who", ["retailer_user_a", "rep_a"])
def test_retailers_and_reps_are_refused(marketplace, client, who):
    client.force_login(getattr(marketplace, who))
    assert client.get(reverse("vendor-home")).status_code == 403
    assert client.get(reverse("vendor-home"), {"retailers-export": "csv"}).status_code == 403


def test_empty_states_say_what_to_do(db, client):
    vendor_user = f.VendorUserFactory()
    body = _get(client, vendor_user).content.decode()
    assert "None of your products sold in the last" in body and "listed and active" in body
    assert "No retailer bought your products" in body and "None of your products sold in the last 30 days" in body


def test_queries_do_not_grow_with_more_rows(marketplace, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(marketplace.vendor_user_1)

    def count_queries() -> int:
        from django.core.cache import cache

        cache.clear()  # measure a cold page: cached aggregates would hide the queries
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("vendor-home")).status_code == 200
        return len(ctx.captured_queries)

    small = count_queries()
    for i in range(30):  # more retailers, products and lines
        product = f.ProductFactory(vendor=marketplace.vendor_1)
        _sell(product, f.RetailerFactory(region=f"Region {i % 4}"), days_ago=i * 3, count=2)
    assert count_queries() == small
    # session, user, then one query each: key figures, chart, regions, retailers, products, vendor
    with django_assert_max_num_queries(8):
        client.get(reverse("vendor-home"))
    with django_assert_max_num_queries(3):  # session, user, the chart
        client.get(reverse("vendor-home"), {"granularity": "day"}, **HTMX, HTTP_HX_TARGET="vendor-sales-chart")
    with django_assert_max_num_queries(8):
        client.get(reverse("vendor-home"), {"retailers-export": "csv"})


def test_region_choices_come_only_from_the_vendors_own_demand(marketplace):
    from retailiq.dashboards.vendor_data import sales_region_choices

    cancelled = f.OrderFactory(retailer=f.RetailerFactory(region="Cancelled Coast"), status="cancelled")
    f.OrderLineFactory(order=cancelled, product=marketplace.product_1, line_number=1)
    _sell(marketplace.product_2, f.RetailerFactory(region="Other Vendor Land"), days_ago=2)
    regions = [value for value, _ in sales_region_choices(user=marketplace.vendor_user_1)]
    assert regions == sorted(regions) and regions
    assert "Cancelled Coast" not in regions and "Other Vendor Land" not in regions


def test_retailer_export_matches_django_tables2s_own_export(marketplace, rf):
    import django_tables2 as tables
    from django_tables2 import RequestConfig

    from retailiq.dashboards.vendor_data import vendor_retailer_sales
    from retailiq.dashboards.vendor_tables import RetailerSalesTable

    _sell(marketplace.product_1, f.RetailerFactory(city="", region="South"), days_ago=2)
    rows = list(vendor_retailer_sales(user=marketplace.vendor_user_1))
    for sort in ("", "name", "-segment", "revenue"):
        table = RetailerSalesTable(rows, prefix="retailers-")
        RequestConfig(rf.get("/", {"retailers-sort": sort} if sort else {}), paginate={"per_page": 1}).configure(table)
        assert list(table.as_values()) == list(tables.Table.as_values(table))
