"""Under the Content-Security-Policy, the pages still work in Chromium: htmx swaps, Plotly
draws, Swagger UI renders, and the browser reports no violation."""

import datetime as dt

import pytest

from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace

from .test_role_homes import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_site(transactional_db, live_server):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=dt.date.today() - dt.timedelta(days=1)))
    return live_server.url


def test_pages_draw_under_the_policy_without_a_violation(demo_site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})  # the policy enforced
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)))
    sign_in(page, demo_site, "analyst")
    for path in ("/analyst/", "/vendor/demand/", "/api/docs/"):
        page.goto(f"{demo_site}{path}")
        page.wait_for_load_state("networkidle")
        if path == "/analyst/":
            page.wait_for_selector(".js-plotly-plot .main-svg")
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .opblock")
    context.close()
    assert violations == []
