"""Errors and signing out as a person meets them: 403 and 404 inside the site's frame with a way back, and
/logout/ typed in the address bar."""

import pytest

from retailiq.retailers.models import Retailer

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_errors_keep_the_frame_and_logout_can_be_typed(demo_site, page, screenshot):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, demo_site, "retailer")
    response = page.goto(f"{demo_site}/vendor/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "This page is not for your role"
    assert page.locator("nav[aria-label=Main] a").count() >= 1
    screenshot("error-403-desktop")
    page.get_by_role("link", name="Go to your home page").click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{demo_site}/retailer/"

    page.context.clear_cookies()
    sign_in(page, demo_site, "rep")
    other = Retailer.objects.exclude(assigned_rep__username="rep").first()
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(f"{demo_site}/rep/retailers/{other.pk}/")
    assert response.status == 404 and page.get_by_role("heading", level=1).inner_text() == "Nothing here"
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    screenshot("error-404-phone")

    page.goto(f"{demo_site}/logout/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign out of RetailIQ?"
    page.locator("main").get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    assert "/login/" in page.url and "You have signed out." in page.locator("main").inner_text()
    screenshot("signed-out-phone")


def test_analyst_picks_a_shop_on_the_shop_page(demo_site, page, screenshot):  # noqa: F811
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, demo_site, "analyst")
    page.goto(f"{demo_site}/retailer/")
    assert page.get_by_role("heading", level=1).inner_text() == "A shop's page" and page.locator(".kpi").count() == 0
    shop = Retailer.objects.order_by("name").first()
    page.locator("#home-shop").select_option(str(shop.pk))
    page.wait_for_url(f"**/retailer/?retailer={shop.pk}")
    assert page.get_by_role("heading", level=1).inner_text() == shop.name
    assert page.locator(".kpi").count() >= 1 and page.locator("#home-shop").input_value() == str(shop.pk)
    screenshot("analyst-shop-page-desktop")
