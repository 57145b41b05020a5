"""Recommendation pages: the retailer's tabs and cards, add to cart into reorder's cart, not interested, the home
panels, a rep's pitches and a vendor's reach; each role only its own."""

import pytest

from recommendations.models import RecommendationFeedback

pytestmark = pytest.mark.django_db
PAGE = "/retailer/recommendations/"


def test_the_retailer_page_shows_cards_with_vendor_price_pack_and_reason(client, habits):
    client.force_login(habits.retailer_user_a)
    body = client.get(PAGE).content.decode()
    assert 'role="tab"' in body and "Buy again" in body and "Bundles" in body
    assert habits.product_3.name in body and habits.vendor_1.name in body and "pack of" in body
    assert "Add to cart" in body and "Not interested" in body
    assert habits.product_1.name not in body  # bought before: buy again, not discover


def test_an_analyst_picks_a_shop_instead_of_a_refusal(client, habits):
    client.force_login(habits.analyst)
    unpicked = client.get(PAGE)
    body = unpicked.content.decode()
    assert unpicked.status_code == 200 and "Pick a shop" in body and 'role="tab"' not in body
    assert habits.shop_a.name in body and habits.shop_b.name in body
    picked = client.get(PAGE, {"retailer": habits.shop_a.pk}).content.decode()
    assert 'role="tab"' in picked and habits.product_3.name in picked


def test_a_tab_by_htmx_answers_only_the_list(client, habits):
    client.force_login(habits.retailer_user_a)
    response = client.get(PAGE, {"kind": "buy_again"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="recs-list")
    body = response.content.decode()
    assert "<html" not in body and habits.product_1.name in body and 'data-kind="buy_again"' in body


def test_add_to_cart_puts_the_product_in_the_reorder_cart(client, habits):
    client.force_login(habits.retailer_user_a)
    response = client.post(
        "/retailer/recommendations/feedback/", {"product": habits.product_3.pk, "action": "added_to_cart"}
    )
    assert response.status_code == 200 and "In your cart" in response.content.decode()
    cart = client.get("/retailer/reorder/").content.decode()
    assert habits.product_3.name in cart
    # removed from the cart, it stays out
    client.post("/retailer/reorder/", {"remove": habits.product_3.pk, f"qty-{habits.product_3.pk}": "1"})
    assert habits.product_3.name not in client.get("/retailer/reorder/").content.decode()


def test_not_interested_removes_it_from_the_page(client, habits):
    client.force_login(habits.retailer_user_a)
    client.post("/retailer/recommendations/feedback/", {"product": habits.product_3.pk, "action": "dismissed"})
    assert RecommendationFeedback.objects.filter(retailer=habits.shop_a, action="dismissed").count() == 1
    assert habits.product_3.name not in client.get(PAGE).content.decode()


def test_the_retailer_home_loads_the_panel_instead_of_the_placeholder(client, habits):
    client.force_login(habits.retailer_user_a)
    home = client.get("/retailer/").content.decode()
    assert "/retailer/recommendations/panel/" in home and "card soon" not in home
    panel = client.get("/retailer/recommendations/panel/").content.decode()
    assert habits.product_3.name in panel or habits.product_4.name in panel


def test_a_rep_sees_pitches_for_its_shops_only(client, habits):
    client.force_login(habits.rep_a)
    assert "/rep/recommendations/panel/" in client.get("/rep/").content.decode()
    panel = client.get("/rep/recommendations/panel/").content.decode()
    assert habits.shop_a.name in panel and habits.shop_b.name not in panel
    assert client.get(f"/rep/retailers/{habits.shop_b.pk}/pitch/").status_code == 404
    assert client.get(f"/rep/retailers/{habits.shop_a.pk}/pitch/").status_code == 200


def test_the_call_list_and_the_shop_page_load_each_shops_pitch(client, habits):
    client.force_login(habits.rep_a)
    pitch = f"/rep/retailers/{habits.shop_a.pk}/pitch/"
    calls = client.get("/rep/calls/", {"horizon": "30"}).content.decode()
    assert f'hx-get="{pitch}"' in calls and f'hx-get="/rep/retailers/{habits.shop_b.pk}/pitch/"' not in calls
    shop_page = client.get(f"/rep/retailers/{habits.shop_a.pk}/").content.decode()
    assert f'hx-get="{pitch}"' in shop_page and "To pitch: new to this shop" in shop_page
    fragment = client.get(pitch, HTTP_HX_REQUEST="true").content.decode()
    # Shop A buys products 1 and 2: it is pitched what it never bought, each with the reason it was chosen.
    assert "<html" not in fragment and habits.product_3.name in fragment and habits.product_1.name not in fragment
    assert fragment.count('class="muted small-note"') >= 1
    assert client.get(f"/rep/retailers/{habits.shop_b.pk}/pitch/", HTTP_HX_REQUEST="true").status_code == 404


def test_a_vendor_page_waits_for_the_nightly_lists(client, habits):
    client.force_login(habits.vendor_user_1)
    assert "scored nightly" in client.get("/vendor/recommendations/").content.decode()


@pytest.mark.parametrize(("user", "url"), [("vendor_user_1", PAGE), ("retailer_user_a", "/vendor/recommendations/")])
def test_other_roles_are_refused(client, habits, user, url):
    client.force_login(getattr(habits, user))
    assert client.get(url).status_code == 403
