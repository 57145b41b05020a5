"""Imported history that ended long ago still fills the pages: their windows end on the
last order day, and the page says so."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def history_from_2011(marketplace):
    from retailiq.orders.models import Order, OrderLine

    placed = dt.datetime(2011, 12, 9, 10, 0, tzinfo=dt.UTC)
    Order.objects.update(placed_at=placed)
    OrderLine.objects.update(placed_on=placed.date())
    return marketplace


@pytest.mark.django_db
def test_old_history_fills_the_windows_and_the_page_says_so(history_from_2011, client):
    client.force_login(history_from_2011.retailer_user_a)
    body = client.get(reverse("retailer-home")).content.decode()

    assert "The order history ends on 9 Dec 2011" in body
    assert "Sunrise Basmati Rice 5 kg" in body  # in "what you buy most (last 90 days)"


@pytest.mark.django_db
def test_a_live_marketplace_shows_no_note(marketplace, client):
    f.OrderLineFactory(order=f.OrderFactory(retailer=marketplace.shop_a), product=marketplace.product_1, line_number=1)
    client.force_login(marketplace.retailer_user_a)
    assert "The order history ends on" not in client.get(reverse("retailer-home")).content.decode()
