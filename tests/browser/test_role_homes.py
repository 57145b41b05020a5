"""Each demo role signs in through the real login page in Chromium, lands on its own
home and sees its own data, not another's."""

import datetime as dt

import pytest

from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import DEMO_PASSWORD, load_marketplace
from retailiq.retailers.models import Retailer

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(transactional_db, live_server):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=dt.date.today() - dt.timedelta(days=1)))
    return live_server.url


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    "username, path, heading",
    [
        ("retailer", "/retailer/", None),
        ("vendor", "/vendor/", None),
        ("rep", "/rep/", "My retailers"),
        ("analyst", "/analyst/", "Marketplace overview"),
    ],
)
def test_role_signs_in_and_lands_on_its_home(demo_site, page, screenshot, username, path, heading):
    sign_in(page, demo_site, username)
    assert page.url == f"{demo_site}{path}"
    if heading:
        assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.locator(".kpi").count() >= 1 or page.locator("table").count() >= 1
    screenshot(f"home-{username}")


def test_retailer_sees_its_shop_and_not_another(demo_site, page):
    sign_in(page, demo_site, "retailer")
    own, other = Retailer.objects.order_by("id")[:2]
    text = page.locator("main").inner_text()
    assert own.name in text
    assert other.name not in text or other.name == own.name
    assert page.locator("tbody tr").count() > 0  # recent orders are listed


def test_rep_sees_only_assigned_retailers(demo_site, page):
    sign_in(page, demo_site, "rep")
    rows = page.locator("tbody tr td:first-child").all_inner_texts()
    assigned = {r.name for r in Retailer.objects.filter(assigned_rep__username="rep")}
    assert rows and all(any(row.startswith(name) for name in assigned) for row in rows)


def test_retailer_is_refused_the_vendor_page(demo_site, page):
    sign_in(page, demo_site, "retailer")
    response = page.goto(f"{demo_site}/vendor/")
    assert response.status == 403
