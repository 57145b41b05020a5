"""The rep's home: only assigned retailers, with last order, frequency, value and
trend aggregated in the database; filters, CSV and the HTMX fragment agree."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

HOME = reverse("rep-home")
HTMX_RETAILERS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "table-retailers"}


def _order(shop, days_ago: int, *, product, quantity: int = 10, **fields):
    order = f.OrderFactory(retailer=shop, placed_at=timezone.now() - dt.timedelta(days=days_ago), **fields)
    f.OrderLineFactory(order=order, product=product, quantity=quantity, line_number=1)
    return order


@pytest.fixture
def book(marketplace):
    """Rep A: Alpha (ordered 3 days ago, 2,000 now and 500 before), Charlie (quiet for
    60 days, in Mumbai, a pharmacy) and Delta (never ordered). Rep B keeps Bravo."""
    _order(marketplace.shop_a, 120, product=marketplace.product_1, quantity=5)
    charlie = f.RetailerFactory(
        name="Charlie Medicals", city="Mumbai", segment="pharmacy", assigned_rep=marketplace.rep_a
    )
    _order(charlie, 60, product=marketplace.product_1, quantity=3)
    f.RetailerFactory(name="Delta Stores", assigned_rep=marketplace.rep_a)
    return marketplace


@pytest.fixture
def rep_client(book, client):
    client.force_login(book.rep_a)
    return client


def _names(html: str) -> set[str]:
    return {
        name for name in ("Alpha Kirana Store", "Bravo Supermart", "Charlie Medicals", "Delta Stores") if name in html
    }


def test_lists_only_assigned_retailers_with_their_activity(rep_client):
    body = rep_client.get(HOME).content.decode()
    assert _names(body) == {"Alpha Kirana Store", "Charlie Medicals", "Delta Stores"}
    assert "SO-BRAVO-1" not in body
    assert "₹2,000" in body and "+300.0%" in body  # Alpha: 2,000 against 500
    assert "never" in body and 'data-chart="rep-book-figure"' in body


def test_rows_are_aggregated_in_the_database(book):
    from retailiq.dashboards.rep_data import retailer_rows_for_user, with_window_figures

    rows = {r.name: r for r in with_window_figures(retailer_rows_for_user(user=book.rep_a))}
    alpha, charlie, delta = rows["Alpha Kirana Store"], rows["Charlie Medicals"], rows["Delta Stores"]
    assert float(alpha.value_recent) == 2000 and float(alpha.value_before) == 500
    assert alpha.trend_pct == pytest.approx(300.0) and alpha.orders_per_month == pytest.approx(1 / 3)
    assert charlie.trend_pct is None and float(charlie.value_recent) == 300
    assert delta.last_order_on is None and float(delta.value_recent) == 0


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"retailers-city": "Mumbai"}, {"Charlie Medicals"}),
        ({"retailers-segment": "pharmacy"}, {"Charlie Medicals"}),
        ({"retailers-quiet_days": "30"}, {"Charlie Medicals", "Delta Stores"}),
        ({"retailers-quiet_days": "90"}, {"Delta Stores"}),
    ],
)
def test_filters_answer_htmx_with_the_table_alone(rep_client, query, expected):
    html = rep_client.get(HOME, query, **HTMX_RETAILERS).content.decode()
    assert html.startswith('<div class="table-region" id="table-retailers">') and "<html" not in html
    assert _names(html) == expected


@pytest.mark.parametrize("days", ["1000000", "1e400", "-1"])
def test_a_quiet_days_value_out_of_range_is_refused_beside_its_field(rep_client, days):
    page = rep_client.get(HOME, {"retailers-quiet_days": days})
    assert page.status_code == 400
    assert 'id="id_retailers-quiet_days-error"' in page.content.decode()
    assert rep_client.get(HOME, {"retailers-quiet_days": days, "retailers-export": "csv"}).status_code == 400
    fragment = rep_client.get(HOME, {"retailers-quiet_days": days}, **HTMX_RETAILERS)
    assert fragment.status_code == 200 and 'id="id_retailers-quiet_days-error"' in fragment.content.decode()


def test_city_filter_offers_only_its_own_retailers_cities(rep_client):
    body = rep_client.get(HOME).content.decode()
    assert '<option value="Mumbai">' in body and '<option value="Delhi">' not in body  # Bravo is in Delhi
    assert 'for="id_retailers-quiet_days"' in body


def test_csv_is_only_assigned_retailers_and_escaped(book, rep_client):
    f.RetailerFactory(name="=cmd|' /C calc'!A0", assigned_rep=book.rep_a)
    text = rep_client.get(HOME, {"retailers-export": "csv", "retailers-sort": "name"}).content.decode()
    lines = text.splitlines()
    assert lines[0] == 'Retailer,City,Segment,Last order,Days since,Orders / month,"Value, 90 days",Trend'
    assert lines[1].startswith("'=cmd") and "Bravo" not in text and len(lines) == 5
    alpha = next(line for line in lines if line.startswith("Alpha"))
    assert alpha.endswith(",0.33,2000.00,300.0")


def test_a_rep_without_retailers_is_told_what_to_do(db, client):
    client.force_login(f.SalesRepFactory())
    body = client.get(HOME).content.decode()
    assert "ask an admin to assign them" in body and "Call the quiet ones" in body


def test_queries_do_not_grow_with_retailers_or_orders(book, rep_client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure() -> int:
        from django.core.cache import cache

        cache.clear()  # measure a cold page: cached aggregates would hide the queries
        with CaptureQueriesContext(connection) as ctx:
            assert rep_client.get(HOME).status_code == 200
        return len(ctx.captured_queries)

    few = measure()
    for i in range(15):
        shop = f.RetailerFactory(city=f"City {i}", assigned_rep=book.rep_a)
        _order(shop, i * 5, product=book.product_1)
        _order(shop, 100 + i, product=book.product_2)
    assert measure() == few
    # Cold: the rows with their last order, one query of window figures for them, and one
    # grouped read of the daily activity for the chart and the key figures.
    assert few <= 9
    # Warm: session, user and the rep's cities; everything else is kept until the data changes.
    with django_assert_max_num_queries(3):
        rep_client.get(HOME)
    with django_assert_max_num_queries(5):
        rep_client.get(HOME, {"retailers-quiet_days": "10"}, **HTMX_RETAILERS)
    with django_assert_max_num_queries(3):
        rep_client.get(HOME, {"retailers-export": "csv"})


def test_a_quiet_filter_that_matches_nobody_says_so_in_the_reps_terms(rep_client):
    query = {
        "retailers-city": "Mumbai",
        "retailers-quiet_days": "3000",
    }  # Mumbai: Charlie, who ordered; within the 3,650-day cap
    html = rep_client.get(HOME, query, **HTMX_RETAILERS).content.decode()
    assert "None of your retailers has been quiet for more than 3000 days" in html
    assert "admin" not in html
