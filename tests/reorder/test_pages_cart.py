"""The retailer's "Time to reorder" cart and its CSV, through the Django test client:
pre-filled quantities, adjustments, errors naming the line, and only the shop's own."""

import csv
import datetime as dt
import io
import re

import pytest

from reorder.selectors import reorder_batch_serving
from tests import factories as f

from .test_pages_calls import _buy, habits  # noqa: F401  (fixture)

PAGE = "/retailer/reorder/"
CSV = "/retailer/reorder.csv"
HTMX_CART = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "reorder-cart"}


@pytest.fixture
def shop_client(client, habits):  # noqa: F811
    client.force_login(habits.retailer_user_a)
    return client


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_cart_is_prefilled_with_the_shops_own_suggestions(habits, shop_client):  # noqa: F811
    body = shop_client.get(PAGE).content.decode()
    assert "Time to reorder" in body and f'name="qty-{habits.product_1.pk}"' in body
    assert f'name="qty-{habits.product_1.pk}" value="17"' in body  # 20 a week, and 10 once
    assert "orders every 7 days" in body


def test_export_uses_the_adjusted_quantities_and_drops_zeros(habits, shop_client):  # noqa: F811
    p1, p2 = habits.product_1.pk, habits.product_2.pk
    rows = _rows(shop_client.post(CSV, {f"qty-{p1}": "35", f"qty-{p2}": "0"}))
    assert rows[0][:5] == ["sku", "product", "quantity", "unit_price", "line_value"]
    assert rows[1:] and [r[:5] for r in rows[1:]] == [
        [habits.product_1.sku, "'=HYPERLINK(rice)", "35", "100.0", "3500.0"]
    ]


def test_a_bad_quantity_is_named_and_exports_nothing(habits, shop_client):  # noqa: F811
    response = shop_client.post(CSV, {f"qty-{habits.product_1.pk}": "lots"})
    body = response.content.decode()
    assert response.status_code == 400 and "text/html" in response["Content-Type"]
    assert "=HYPERLINK(rice): enter a whole number of units" in body and 'aria-invalid="true"' in body
    assert shop_client.post(CSV, {f"qty-{habits.product_1.pk}": "-2"}).status_code == 400


def test_update_and_remove_by_htmx_redraw_the_cart(habits, shop_client):  # noqa: F811
    p1 = habits.product_1.pk
    body = shop_client.post(PAGE, {f"qty-{p1}": "3"}, **HTMX_CART).content.decode()
    assert "<html" not in body and 'value="3"' in body and "₹300" in body
    body = shop_client.post(PAGE, {f"qty-{p1}": "3", "remove": str(p1)}, **HTMX_CART).content.decode()
    assert f'name="qty-{p1}"' not in body


def test_another_shops_products_cannot_be_smuggled_in(habits, shop_client):  # noqa: F811
    other = __import__("tests.factories", fromlist=["x"]).ProductFactory(name="Not yours")
    rows = _rows(shop_client.post(CSV, {f"qty-{habits.product_1.pk}": "1", f"qty-{other.pk}": "9"}))
    assert all("Not yours" not in r for r in rows)


def test_a_retailer_sees_only_its_own_shop(habits, client):  # noqa: F811
    client.force_login(habits.retailer_user_b)
    body = client.get(PAGE, {"retailer": habits.shop_a.pk}).content.decode()
    assert habits.shop_a.name not in body
    # Shop B buys rice too; its page shows its own quantity, never shop A's (17).
    assert f'name="qty-{habits.product_1.pk}" value="8"' in body and 'value="17"' not in body
    panel = client.get("/retailer/reorder/soon/").content.decode()
    assert "=HYPERLINK(rice)" in panel and "Review and export the cart" in panel


def test_retailer_home_loads_the_panel_after_the_page(habits, shop_client):  # noqa: F811
    home = shop_client.get("/retailer/").content.decode()
    assert "Time to reorder" in home and 'hx-get="/retailer/reorder/soon/"' in home


@pytest.mark.parametrize("who", ["vendor_user_1", "rep_a"])
def test_vendors_and_reps_are_refused(habits, client, who):  # noqa: F811
    client.force_login(getattr(habits, who))
    assert client.get(PAGE).status_code == 403
    assert client.get("/retailer/reorder/soon/").status_code == 403
    assert client.post(CSV, {f"qty-{habits.product_1.pk}": "1"}).status_code == 403


def test_an_analyst_picks_a_shop(habits, client):  # noqa: F811
    client.force_login(habits.analyst)
    assert "Pick a shop" in client.get(PAGE).content.decode()
    body = client.get(PAGE, {"retailer": habits.shop_b.pk}).content.decode()
    assert f'name="retailer" value="{habits.shop_b.pk}"' in body and 'value="8"' in body


def test_an_overdue_line_is_needed_by_the_day_it_fell_due(habits, shop_client):  # noqa: F811
    """ "Needed by" beside "N d overdue" is the day the product fell due, N days before the predictions' day,
    never a later one: the reason and the date come from one computation."""
    lentils = f.ProductFactory(name="Lentils")
    for k in range(6):  # every 20 days until 30 days ago: a few days overdue
        _buy(habits.shop_a, lentils, 30 + 20 * k, quantity=5)
    as_of = reorder_batch_serving().as_of
    body = shop_client.get(PAGE).content.decode()
    lines = re.findall(r'data-label="Needed by">([^<]+)<div class="overdue small">(\d+)d overdue', body)
    assert lines, "an overdue line is shown"
    for needed_by, overdue in lines:
        day = dt.datetime.strptime(needed_by.strip(), "%d %b %Y").date()
        assert day <= as_of
        assert day == as_of - dt.timedelta(days=int(overdue))
