"""The page a person meets while the database is down (templates/503.html), in a real browser at desktop and
phone widths: it says which service is away and that nothing was changed, keeps the site's look, offers a way to
try again and fits the screen."""

import shutil
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.browser

DRIVER_MESSAGE = 'connection to server at "10.0.0.5", port 5432 failed'


@pytest.mark.parametrize(("width", "height", "name"), [(1440, 900, "desktop"), (390, 844, "phone")])
def test_the_outage_page_says_what_is_down_at_each_width(
    transactional_db, live_server, page, screenshot, width, height, name
):
    signed_in = Client()
    signed_in.force_login(f.RetailerUserFactory())
    cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": height})
    down = OperationalError(DRIVER_MESSAGE)
    with mock.patch("retailiq.dashboards.views.retailer.home_panels", side_effect=down):
        response = page.goto(f"{live_server.url}/retailer/")
        assert response.status == 503 and response.headers["retry-after"] == "30"
        assert page.get_by_role("heading", level=1).inner_text() == "RetailIQ is briefly unavailable"
        text = page.locator("main").inner_text()
        assert "the database is unavailable" in text and "nothing was changed" in text and "10.0.0.5" not in text
        # The site's stylesheet is applied (the card is not bare text on white) and nothing overflows.
        card = page.locator(".error-page")
        assert card.evaluate("e => getComputedStyle(e).borderRadius") not in ("", "0px")
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        retry = page.get_by_role("link", name="Try again")
        box = retry.bounding_box()
        assert box is not None and box["height"] >= 32 and box["x"] + box["width"] <= width
        shutil.copy(screenshot(f"outage-503-{name}"), f"/tmp/outage-503-{name}.png")
