"""The call list and the cart in Chromium with shops that keep their own rhythms: a shop quiet for months is a
win-back call below the shops due now, not the top call on old volumes; and a cart line that says "N d overdue"
is needed by the day it fell due, never a later one."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db.models import F

from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer
from retailiq.rollups.services import rollups_rebuild

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _amounts(page) -> list[float]:
    values = page.locator(".call-entry .likely-value").all_inner_texts()
    return [float(v.replace("₹", "").replace(",", "").replace("−", "-")) for v in values]


def test_a_shop_quiet_for_months_is_a_win_back_call_not_the_first(demo_site, page, screenshot):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, demo_site, "rep")
    page.goto(f"{demo_site}/rep/calls/")
    page.wait_for_selector(".call-entry")
    top = page.locator(".call-entry h3 a").first.inner_text()
    shop = Retailer.objects.get(name=top, assigned_rep__username="rep")

    # The top shop stops ordering: its orders move 120 days back, so it has been quiet for months.
    shift = dt.timedelta(days=120)
    OrderLine.objects.filter(retailer=shop).update(placed_on=F("placed_on") - shift)
    Order.objects.filter(retailer=shop).update(placed_at=F("placed_at") - shift)
    rollups_rebuild()
    cache.clear()

    page.goto(f"{demo_site}/rep/calls/?capacity=500")
    page.wait_for_selector(".call-entry")
    names = page.locator(".call-entry h3 a").all_inner_texts()
    amounts = _amounts(page)
    assert amounts == sorted(amounts, reverse=True), "ranked by the figure shown"
    assert names[0] != shop.name
    assert not page.locator(".call-entry").first.locator(".badge.win-back").count()
    assert shop.name in names, "still in the rep's book, lower down"
    card = page.locator(".call-entry").nth(names.index(shop.name))
    assert card.locator(".badge.win-back").inner_text() == "Win-back"
    assert "win the shop back" in card.locator(".win-back-why").inner_text()
    assert amounts[names.index(shop.name)] < amounts[0]
    screenshot("call-list-win-back")
    card.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/ux2-win-back-card.png")


def test_an_overdue_cart_line_is_needed_by_a_day_already_past(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "retailer")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/retailer/reorder/")
    cells = page.locator("td.needed")
    assert cells.count(), "the seeded tiny marketplace gives this shop reorder suggestions; the page shows none"
    as_of = dt.date.today()  # the demo's last day is yesterday: predictions are as of today
    overdue_seen = 0
    for text in cells.all_inner_texts():
        match = re.match(r"\s*(\d{1,2} \w{3} \d{4})\s*(?:(\d+)d overdue)?", text)
        assert match, text
        needed_by = dt.datetime.strptime(match.group(1), "%d %b %Y").date()
        if match.group(2):
            overdue_seen += 1
            assert needed_by == as_of - dt.timedelta(days=int(match.group(2))), text
        else:
            assert needed_by >= as_of, text
    screenshot(f"cart-needed-by-{overdue_seen}-overdue")
