"""The retailer's home: key figures against the previous window, its orders table
(filters, CSV, HTMX fragment) and charts, never another shop's data, in a fixed
number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from retailiq.dashboards.charts_retailer import order_calendar_figure, weekly_value_figure
from retailiq.dashboards.retailer_data import daily_activity_for_user, key_figures_for_user
from tests import factories as f

HOME = reverse("retailer-home")
HTMX_ORDERS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "table-orders"}


def _order(shop, days_ago: int, *, product, quantity: int = 10, **fields):
    order = f.OrderFactory(retailer=shop, placed_at=timezone.now() - dt.timedelta(days=days_ago), **fields)
    f.OrderLineFactory(order=order, product=product, quantity=quantity, line_number=1)
    return order


@pytest.fixture
def shop_client(marketplace, client):
    client.force_login(marketplace.retailer_user_a)
    return client


def test_key_figures_compare_with_the_previous_ninety_days(marketplace):
    _order(marketplace.shop_a, 120, product=marketplace.product_1, quantity=5)  # previous window: 500
    _order(marketplace.shop_a, 5, product=marketplace.product_1, status="cancelled")  # not demand
    _order(marketplace.shop_b, 4, product=marketplace.product_1, quantity=99)  # another shop
    spend, orders, units, average = key_figures_for_user(user=marketplace.retailer_user_a)
    # the fixture's order: 10 x 100 + 10 x 100 = 2,000 now
    assert (spend.value, spend.previous, spend.change_pct) == (2000.0, 500.0, 300.0)
    assert (orders.value, orders.previous) == (1, 1) and orders.change_pct == 0.0
    assert (units.value, units.previous) == (20, 5)
    assert (average.value, average.previous) == (2000.0, 500.0)


def test_page_shows_figures_with_currency_and_separators_and_only_its_orders(marketplace, shop_client):
    _order(marketplace.shop_a, 2, product=marketplace.product_1, quantity=1000, external_id="SO-ALPHA-BIG")
    body = shop_client.get(HOME).content.decode()
    assert "₹102,000" in body and "1,020" in body  # spend and units of the last 90 days
    assert "SO-ALPHA-1" in body and "SO-ALPHA-BIG" in body
    assert "SO-BRAVO-1" not in body and "Bravo Supermart" not in body
    assert 'data-chart="retailer-spend-figure"' in body and 'data-chart="retailer-calendar-figure"' in body
    assert "Expected demand, next 4 weeks" in body and "Time to reorder" in body


def test_htmx_filter_returns_the_orders_table_alone_with_only_its_orders(marketplace, shop_client):
    _order(marketplace.shop_a, 3, product=marketplace.product_1, kind="return", external_id="RET-ALPHA")
    _order(marketplace.shop_b, 3, product=marketplace.product_1, kind="return", external_id="RET-BRAVO")
    html = shop_client.get(HOME, {"orders-kind": "return"}, **HTMX_ORDERS).content.decode()
    assert html.startswith('<div class="table-region" id="table-orders">') and "<html" not in html
    assert "RET-ALPHA" in html and "SO-ALPHA-1" not in html and "RET-BRAVO" not in html
    assert "1 row" in html and "−₹1,000" in html  # a return is negative value


def test_status_and_date_filters(marketplace, shop_client):
    _order(marketplace.shop_a, 40, product=marketplace.product_1, external_id="OLD-ALPHA", status="shipped")
    _order(marketplace.shop_a, 1, product=marketplace.product_1, external_id="NEW-ALPHA", status="shipped")
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    html = shop_client.get(HOME, {"orders-status": "shipped", "orders-placed_from": since}, **HTMX_ORDERS)
    html = html.content.decode()
    assert "NEW-ALPHA" in html and "OLD-ALPHA" not in html and "SO-ALPHA-1" not in html
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    html = shop_client.get(HOME, {"orders-placed_to": until}, **HTMX_ORDERS).content.decode()
    assert "OLD-ALPHA" in html and "NEW-ALPHA" not in html


def test_csv_is_its_own_orders_escaped(marketplace, shop_client):
    _order(marketplace.shop_a, 1, product=marketplace.product_1, external_id="=HYPERLINK(1)")
    _order(marketplace.shop_b, 1, product=marketplace.product_1, external_id="SO-BRAVO-2")
    response = shop_client.get(HOME, {"orders-export": "csv"})
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == "Order,Placed,Kind,Status,Lines,Units,Value"
    assert lines[1].startswith("'=HYPERLINK(1),") and lines[1].endswith(",Delivered,1,10,1000.00")
    assert len(lines) == 3 and "BRAVO" not in text


def test_top_products_table_exports_too(marketplace, shop_client):
    text = shop_client.get(HOME, {"products-export": "csv"}).content.decode()
    assert text.splitlines()[0] == "Product,SKU,Orders,Units,Spend"
    assert marketplace.product_1.name in text and marketplace.product_2.name in text


def test_a_shop_without_orders_is_told_what_to_do(db, client):
    client.force_login(f.RetailerUserFactory())
    body = client.get(HOME).content.decode()
    assert "No orders match these filters" in body and "Place an order on the marketplace" in body
    assert "Nothing bought in the last 90 days" in body
    panel_url = reverse("expected-demand-panel")
    assert f'hx-get="{panel_url}"' in body  # expected demand is forecasting's panel, loaded after the home
    assert "No demand forecast yet" in client.get(panel_url).content.decode()


def test_queries_do_not_grow_with_orders(marketplace, shop_client, django_assert_max_num_queries):
    def measure() -> int:
        from django.core.cache import cache

        cache.clear()  # measure a cold page: cached aggregates would hide the queries
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert shop_client.get(HOME).status_code == 200
        return len(ctx.captured_queries)

    few = measure()
    for i in range(40):
        _order(marketplace.shop_a, i % 80, product=marketplace.product_2 if i % 2 else marketplace.product_1)
    assert measure() == few
    assert few <= 11
    # Warm: session, user, the shop, the top products, one grouped read of the daily
    # activity (charts and key figures), and one page of orders with its count.
    with django_assert_max_num_queries(7):
        shop_client.get(HOME)
    # A table request reads its own page, not the charts or the expected demand.
    with django_assert_max_num_queries(5):
        shop_client.get(HOME, {"orders-status": "delivered"}, **HTMX_ORDERS)
    with django_assert_max_num_queries(5):
        shop_client.get(HOME, {"orders-export": "csv"})


def test_charts_cover_every_week_and_day(marketplace):
    _order(marketplace.shop_a, 10, product=marketplace.product_1)
    daily = daily_activity_for_user(user=marketplace.retailer_user_a)
    bars = weekly_value_figure(daily, currency="₹")["data"][0]
    assert len(bars["x"]) in (26, 27) and sum(bars["y"]) == pytest.approx(3000.0)
    heatmap = order_calendar_figure(daily)["data"][0]
    assert len(heatmap["z"]) == 7 and sum(v or 0 for row in heatmap["z"] for v in row) == 2


def test_orders_csv_matches_the_generic_export_in_every_sort(marketplace):
    """The orders table writes its CSV rows itself (the generic path inspects every cell);
    the rows must be exactly what django-tables2 would export."""
    import django_tables2 as tables
    from django.test import RequestFactory
    from django_tables2 import RequestConfig

    from retailiq.dashboards.retailer_data import order_rows_for_user
    from retailiq.dashboards.retailer_tables import order_table

    _order(marketplace.shop_a, 3, product=marketplace.product_1, kind="return", external_id="RET-ALPHA")
    _order(marketplace.shop_a, 30, product=marketplace.product_2, status="cancelled", quantity=3)
    f.OrderFactory(retailer=marketplace.shop_a, external_id="EMPTY-ALPHA")  # an order without lines
    for query in ({}, {"orders-sort": "amount"}, {"orders-sort": "-line_count"}, {"orders-kind": "return"}):
        request = RequestFactory().get(HOME, query)
        table = order_table(order_rows_for_user(user=marketplace.retailer_user_a), request_get=request.GET)
        RequestConfig(request).configure(table)
        rows = list(table.as_values())
        assert rows == list(tables.Table.as_values(table)) and len(rows) > 1


def test_analyst_picks_a_shop_instead_of_seeing_marketplace_sums_under_an_empty_title(marketplace, client):
    _order(marketplace.shop_b, 3, product=marketplace.product_1, quantity=99, external_id="SO-BRAVO-2")
    client.force_login(marketplace.analyst)
    body = client.get(HOME).content.decode()
    assert "Pick a shop" in body and 'class="kpis"' not in body
    assert marketplace.shop_a.name in body and marketplace.shop_b.name in body  # the picker's choices
    body = client.get(HOME, {"retailer": marketplace.shop_a.pk}).content.decode()
    assert f"<h1>{marketplace.shop_a.name}</h1>" in body and "SO-ALPHA-1" in body
    assert "SO-BRAVO" not in body  # the other shop's orders stay out of this shop's page
    unknown = client.get(HOME, {"retailer": "9999999"}).content.decode()
    assert "Pick a shop" in unknown and 'class="kpis"' not in unknown
