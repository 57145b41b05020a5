"""The retailer's recommendations in Chromium, at desktop and phone width: the home's panel, the page's three
tabs switched by HTMX (the URL follows, Back returns to the previous tab), "Not interested" and "Add to cart" on a
card, and the product in the reorder cart. Screenshots go to artifacts/screenshots."""

import pytest

from recommendations.models import RecommendationFeedback

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_retailer_browses_its_recommendations(demo_site, page, screenshot, width):  # noqa: F811
    if width == "phone":
        page.set_viewport_size(PHONE)
    sign_in(page, demo_site, "retailer")
    page.wait_for_selector("[aria-labelledby=suggested-title] .rec-mini li, [aria-labelledby=suggested-title] .empty")
    assert page.locator("[aria-labelledby=suggested-title] .rec-mini li").count() >= 1
    screenshot(f"recommendations-home-{width}")

    page.get_by_role("link", name="Recommended").first.click() if width == "desktop" else page.goto(
        f"{demo_site}/retailer/recommendations/"
    )
    page.wait_for_selector(".rec-card")
    assert page.get_by_role("tab", name="Discover").get_attribute("aria-selected") == "true"
    first = page.locator(".rec-card").first
    assert first.locator(".rec-reason").inner_text().strip()
    screenshot(f"recommendations-discover-{width}")

    page.evaluate("window.__noReload = 'kept'")
    page.get_by_role("tab", name="Buy again").click()
    page.wait_for_selector('[data-kind="buy_again"]')
    assert page.evaluate("window.__noReload") == "kept" and "kind=buy_again" in page.url
    screenshot(f"recommendations-buy-again-{width}")
    page.go_back()
    page.wait_for_function("() => !location.search.includes('buy_again')")
    page.wait_for_selector('[data-kind="discover"]')

    card = page.locator(".rec-card").first
    name = card.locator(".rec-name").inner_text()
    card.get_by_role("button", name="Not interested").click()
    card.get_by_text("won't suggest it again").wait_for()
    assert RecommendationFeedback.objects.filter(action="dismissed").count() == 1

    second = page.locator(".rec-card").nth(1)
    added = second.locator(".rec-name").inner_text()
    second.get_by_role("button", name=f"Add {added} to cart").click()
    second.get_by_text("In your cart").wait_for()
    screenshot(f"recommendations-feedback-{width}")
    page.reload()
    page.wait_for_selector(".rec-card")
    assert name not in page.locator("#recs-list").inner_text()

    page.goto(f"{demo_site}/retailer/reorder/")
    assert added in page.locator("#reorder-cart").inner_text()
    screenshot(f"recommendations-cart-{width}")
