import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "who, home",
    [
        ("retailer_user_a", "retailer-home"),
        ("vendor_user_1", "vendor-home"),
        ("rep_a", "rep-home"),
        ("analyst", "analyst-home"),
    ],
)
def test_each_role_lands_on_its_own_home(marketplace, client, who, home):
    client.force_login(getattr(marketplace, who))
    response = client.get("/")
    assert response.status_code == 302 and response.url == reverse(home)
    assert client.get(response.url).status_code == 200


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get(reverse("retailer-home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_form_signs_a_user_in(marketplace, client):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "shop_a_owner", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("retailer-home")
    assert "Alpha Kirana Store" in response.content.decode()


def test_retailer_home_shows_its_orders_and_not_anothers(marketplace, client):
    client.force_login(marketplace.retailer_user_a)
    body = client.get(reverse("retailer-home")).content.decode()
    assert "SO-ALPHA-1" in body and "SO-BRAVO-1" not in body
    assert "Bravo Supermart" not in body


def test_vendor_home_shows_its_products_and_not_anothers(marketplace, client):
    client.force_login(marketplace.vendor_user_1)
    body = client.get(reverse("vendor-home")).content.decode()
    assert "Sunrise Basmati Rice" in body and "Bluecrest Shampoo" not in body
    assert "Alpha Kirana Store" in body and "Bravo Supermart" in body  # both shops buy its rice


def test_rep_home_lists_only_assigned_retailers_including_silent_ones(marketplace, client):
    from tests.factories import RetailerFactory

    RetailerFactory(name="Charlie Medicals", assigned_rep=marketplace.rep_a)
    client.force_login(marketplace.rep_a)
    body = client.get(reverse("rep-home")).content.decode()
    assert "Alpha Kirana Store" in body and "Bravo Supermart" not in body
    assert "Charlie Medicals" in body and "never" in body


@pytest.mark.parametrize(
    "who, page",
    [
        ("retailer_user_a", "vendor-home"),
        ("vendor_user_1", "retailer-home"),
        ("rep_a", "analyst-home"),
        ("retailer_user_a", "rep-home"),
    ],
)
def test_roles_cannot_open_other_roles_pages(marketplace, client, who, page):
    client.force_login(getattr(marketplace, who))
    assert client.get(reverse(page)).status_code == 403


def test_amounts_show_currency_and_thousands_separators(marketplace, client):
    from tests.factories import OrderLineFactory

    OrderLineFactory(order=marketplace.order_a, product=marketplace.product_1, quantity=1000, line_number=3)
    client.force_login(marketplace.retailer_user_a)
    assert "₹1,02,000" in client.get(reverse("retailer-home")).content.decode()


@pytest.mark.parametrize(
    "who, page",
    [
        ("retailer_user_a", "retailer-home"),
        ("vendor_user_1", "vendor-home"),
        ("rep_a", "rep-home"),
        ("analyst", "analyst-home"),
    ],
)
def test_home_pages_use_a_fixed_number_of_queries(marketplace, client, django_assert_max_num_queries, who, page):
    from tests.factories import OrderFactory, OrderLineFactory

    for _ in range(20):  # more rows must not mean more queries
        order = OrderFactory(retailer=marketplace.shop_a)
        OrderLineFactory(order=order, product=marketplace.product_1, line_number=1)
    client.force_login(getattr(marketplace, who))
    # Cold cache: the pages' reference day and the data version of cached aggregates
    # cost up to three queries of their own; the analyst's recent imports one more.
    with django_assert_max_num_queries(14 if page == "analyst-home" else 12):
        assert client.get(reverse(page)).status_code == 200
