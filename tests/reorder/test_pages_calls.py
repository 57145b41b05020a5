"""The rep's call list page, its CSV, the outcome form and a retailer's timeline, through
the Django test client: what each role sees, and that nobody sees another's shops."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reorder.models import CallOutcome
from reorder.services.call_list import build_call_list
from retailiq.web.templatetags.money import money
from tests import factories as f

CALLS = "/rep/calls/"
HTMX_LIST = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "call-list"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _buy(shop, product, days_ago: int, quantity: int = 10, price: str = "50") -> None:
    order = f.OrderFactory(retailer=shop, placed_at=timezone.now() - dt.timedelta(days=days_ago))
    f.OrderLineFactory(order=order, product=product, quantity=quantity, unit_price=Decimal(price), line_number=1)


@pytest.fixture
def habits(marketplace):
    """Shop A buys rice every 7 days and is due; shop B (rep B's) buys rice every 5 days.
    The baseline predicts from these on the fly; nothing is scored."""
    m = marketplace
    for k in range(8):
        _buy(m.shop_a, m.product_1, 12 + 7 * k, quantity=20)
        _buy(m.shop_b, m.product_1, 6 + 5 * k, quantity=8)
    m.product_1.name = "=HYPERLINK(rice)"  # a hostile name: the CSV must not run it
    m.product_1.save(update_fields=["name"])
    return m


@pytest.fixture
def rep_client(client, habits):
    client.force_login(habits.rep_a)
    return client


def test_rep_sees_its_own_shops_ranked_with_reasons(habits, rep_client):
    response = rep_client.get(CALLS)
    assert response.status_code == 200
    body = response.content.decode()
    assert habits.shop_a.name in body and habits.shop_b.name not in body
    assert "Showing 1 of 1 candidate" in body
    assert "orders every" in body  # the reasons, in words
    assert 'data-chart="call-hit-rate-figure"' not in body  # no calls yet: no chart
    assert "No calls recorded in the last 90 days" in body


def test_filters_refresh_the_list_fragment_and_fall_back_on_bad_values(habits, rep_client):
    response = rep_client.get(CALLS, {"city": "Pune", "capacity": "1"}, **HTMX_LIST)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and '<form id="call-filters"' not in body
    assert "Showing 1 of 1 candidate" in body and habits.shop_a.name in body
    # Another rep's city is no choice of this rep's: said so, and the list is shown unfiltered.
    body = rep_client.get(CALLS, {"city": "Delhi"}, **HTMX_LIST).content.decode()
    assert "City: Select a valid choice" in body and habits.shop_b.name not in body
    body = rep_client.get(CALLS, {"capacity": "9999", "horizon": "3"}).content.decode()
    assert "Calls per day:" in body and "Within:" in body and habits.shop_a.name in body


def test_csv_export_keeps_the_filters_and_escapes_formulas(habits, rep_client):
    response = rep_client.get("/rep/calls.csv", {"horizon": "30"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["rank", "retailer", "retailer_code"]
    assert {r[1] for r in rows[1:]} == {habits.shop_a.name}
    assert any(r[7] == "'=HYPERLINK(rice)" for r in rows[1:])


def test_outcome_by_htmx_swaps_the_last_call_line(habits, rep_client):
    data = {"retailer": habits.shop_a.pk, "outcome": "not_now", "note": "call back Friday", "horizon": "14"}
    data["products"] = [habits.product_1.pk]
    response = rep_client.post("/rep/calls/outcome/", data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Reswap" not in response
    assert f'id="last-outcome-{habits.shop_a.pk}"' in body and "Not now" in body and "call back Friday" in body
    call = CallOutcome.objects.get()
    assert call.rep == habits.rep_a and list(call.products.all()) == [habits.product_1]
    page = rep_client.get(CALLS).content.decode()
    assert "call back Friday" in page


def test_outcome_errors_show_beside_their_fields_and_store_nothing(habits, rep_client):
    response = rep_client.post("/rep/calls/outcome/", {"retailer": habits.shop_a.pk, "outcome": "note"}, **HTMX)
    body = response.content.decode()
    assert response["HX-Reswap"] == "none"
    assert f'id="outcome-{habits.shop_a.pk}-note-error"' in body and "note is required" in body
    response = rep_client.post("/rep/calls/outcome/", {"retailer": habits.shop_a.pk, "outcome": "maybe"}, **HTMX)
    assert "maybe is not one of the available choices" in response.content.decode()
    assert not CallOutcome.objects.exists()


def test_outcome_without_javascript_goes_back_to_the_filtered_list(habits, rep_client):
    data = {"retailer": habits.shop_a.pk, "outcome": "ordered", "next": "/rep/calls/?horizon=30"}
    response = rep_client.post("/rep/calls/outcome/", data)
    assert response.status_code == 302 and response["Location"] == "/rep/calls/?horizon=30"
    data["next"] = "https://evil.example/"
    assert rep_client.post("/rep/calls/outcome/", data)["Location"] == CALLS
    assert CallOutcome.objects.count() == 2


def test_another_reps_retailer_is_not_found_and_nothing_is_stored(habits, rep_client):
    other = habits.shop_b.pk
    assert rep_client.get(f"/rep/retailers/{other}/").status_code == 404
    response = rep_client.post("/rep/calls/outcome/", {"retailer": other, "outcome": "ordered"}, **HTMX)
    assert response.status_code == 404
    assert rep_client.post("/rep/calls/outcome/", {"retailer": "x", "outcome": "ordered"}).status_code == 404
    assert not CallOutcome.objects.exists()


def test_timeline_merges_orders_and_calls_newest_first(habits, rep_client):
    rep_client.post("/rep/calls/outcome/", {"retailer": habits.shop_a.pk, "outcome": "not_now"}, **HTMX)
    body = rep_client.get(reverse("reorder:retailer-timeline", args=[habits.shop_a.pk])).content.decode()
    assert habits.shop_a.name in body and "Likely to reorder" in body
    assert body.index("badge outcome-not_now") < body.index("SO-ALPHA-1")  # the call is newer than every order
    assert "&lt;" not in habits.product_1.name and "=HYPERLINK(rice)" in body


def test_analyst_sees_every_shop_and_can_pick_a_rep(habits, client):
    client.force_login(habits.analyst)
    body = client.get(CALLS).content.decode()
    assert habits.shop_a.name in body and habits.shop_b.name in body and "All reps" in body
    body = client.get(CALLS, {"rep": habits.rep_b.pk}).content.decode()
    assert habits.shop_b.name in body and habits.shop_a.name not in body
    body = client.get(CALLS, {"city": "Delhi"}, **HTMX_LIST).content.decode()
    assert habits.shop_b.name in body and habits.shop_a.name not in body
    assert client.get(f"/rep/retailers/{habits.shop_b.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["vendor_user_1", "retailer_user_a"])
def test_vendors_and_retailers_are_refused(habits, client, who):
    client.force_login(getattr(habits, who))
    for url in (CALLS, "/rep/calls.csv", "/rep/calls/today/", f"/rep/retailers/{habits.shop_a.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post("/rep/calls/outcome/", {"retailer": habits.shop_a.pk, "outcome": "ordered"}).status_code == 403
    assert not CallOutcome.objects.exists()


def test_rep_home_loads_todays_calls_after_the_page(habits, rep_client):
    home = rep_client.get("/rep/").content.decode()
    assert "Today's calls" in home and 'hx-get="/rep/calls/today/"' in home
    panel = rep_client.get("/rep/calls/today/").content.decode()
    assert habits.shop_a.name in panel and habits.shop_b.name not in panel and "Open the call list" in panel


def test_call_list_is_the_reps_first_navigation_item(rep_client):
    body = rep_client.get(CALLS).content.decode()
    nav = body[body.index('<nav aria-label="Main">') :]
    assert nav.index(">Call list<") < nav.index(">My retailers<")
    assert 'aria-current="page">Call list' in nav


def test_ids_past_999_stay_whole_in_targets_and_form_values(habits, rep_client):
    # The thousand separator must never reach an id: "last-outcome-4,725" is no HTMX target.
    shop = f.RetailerFactory(pk=4725, name="Large Id Stores", assigned_rep=habits.rep_a)
    for k in range(6):
        _buy(shop, habits.product_1, 10 + 7 * k, quantity=12)
    body = rep_client.get(CALLS).content.decode()
    assert 'id="last-outcome-4725"' in body and 'hx-target="#last-outcome-4725"' in body
    assert 'name="retailer" value="4725"' in body and "4,725" not in body
    response = rep_client.post("/rep/calls/outcome/", {"retailer": 4725, "outcome": "not_now"}, **HTMX)
    assert 'id="last-outcome-4725"' in response.content.decode()


@pytest.fixture
def two_shops(habits):
    """Rep A's two shops: a big one buying both products, a small one buying one, so ranks and figures differ."""
    big = f.RetailerFactory(name="Charlie Wholesale", assigned_rep=habits.rep_a)
    for k in range(8):
        _buy(big, habits.product_1, 9 + 6 * k, quantity=60, price="80")
        _buy(big, habits.product_2, 20 + 9 * k, quantity=30, price="40")
    return habits, big


def test_call_list_ranks_by_the_figure_it_shows_and_the_csv_and_timeline_agree(two_shops, rep_client):
    habits, _big = two_shops
    call_list = build_call_list(user=habits.rep_a, horizon_days=30)
    shown = [entry.priority for entry in call_list.entries]
    assert len(shown) == 2 and shown == sorted(shown, reverse=True)
    for entry in call_list.entries:
        assert entry.priority == pytest.approx(sum(s.likely_value for s in entry.products), abs=0.05)
        assert 0 < entry.expected_products <= len(entry.products)

    body = rep_client.get(CALLS, {"horizon": "30"}).content.decode()
    figures = [money(entry.priority) for entry in call_list.entries]
    assert body.index(figures[0]) < body.index(figures[1])  # the figure ranked by is the one shown, in order
    assert "Likely order value" in body and "Chance to reorder" not in body
    top = call_list.entries[0]
    # The why names the product it speaks of.
    assert f"Why {top.reasons_product.product.name}:" in body

    rows = list(csv.reader(io.StringIO(rep_client.get("/rep/calls.csv", {"horizon": "30"}).content.decode())))
    assert rows[0][5:7] == ["priority", "products_likely"]
    assert next(float(r[5]) for r in rows[1:] if r[0] == "1") == top.priority

    # The shop's timeline lists the call list's products first, in its order and with its chances.
    page = rep_client.get(f"/rep/retailers/{top.retailer.pk}/", {"horizon": "30"}).content.decode()
    assert "within 30 days" in page
    positions = [page.index(s.product.name, page.index("predictions-title")) for s in top.products]
    assert positions == sorted(positions)
    for s in top.products:
        assert f"{round(s.probability * 100)}%" in page


def test_call_list_and_shop_page_show_the_contact_with_a_tel_link(habits, rep_client):
    shop = habits.shop_a
    shop.contact_name, shop.contact_phone, shop.contact_email = "Meera Iyer", "+91 98765 43210", "meera@alpha.example"
    shop.save(update_fields=["contact_name", "contact_phone", "contact_email"])
    for url in (CALLS, f"/rep/retailers/{shop.pk}/"):
        body = rep_client.get(url).content.decode()
        assert "Meera Iyer" in body and 'href="tel:+919876543210">+91 98765 43210</a>' in body
        assert 'href="mailto:meera@alpha.example"' in body


def test_hit_rate_panel_is_asked_again_after_a_recorded_call(habits, rep_client):
    page = rep_client.get(CALLS).content.decode()
    assert 'hx-trigger="call-recorded from:body"' in page
    response = rep_client.post("/rep/calls/outcome/", {"retailer": habits.shop_a.pk, "outcome": "not_now"}, **HTMX)
    assert response["HX-Trigger"] == "call-recorded"
    panel = rep_client.get(CALLS, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="hit-rate").content.decode()
    assert "<html" not in panel and "call-list" not in panel
    assert "1 more call still within its horizon" in panel
    failed = rep_client.post("/rep/calls/outcome/", {"retailer": habits.shop_a.pk, "outcome": "note"}, **HTMX)
    assert "HX-Trigger" not in failed
