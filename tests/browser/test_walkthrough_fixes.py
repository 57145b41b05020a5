"""What a walk through every page, as every role at 1440 and 390 px, found out of place, kept fixed: the plan
form's checkboxes sit beside their warehouses and its inputs beside their labels, and the retailer home's "Time
to reorder" panel keeps its suggested quantity in view on a phone."""

import pytest

from .test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_plan_form_checkboxes_sit_beside_their_warehouses(demo_site, page, screenshot, viewport):  # noqa: F811
    sign_in(page, demo_site, "vendor")
    page.set_viewport_size(viewport)
    page.goto(f"{demo_site}/plans/")
    label = page.locator(".plan-form label.inline").first
    box, tick = _box(label), _box(label.locator("input[type=checkbox]"))
    assert tick["width"] < 40, "a checkbox is a box, not a full-width line"
    assert tick["x"] - box["x"] < 8, "the box leads its warehouse's name"
    assert box["height"] < 40, "box and name share one line"
    if viewport is DESKTOP:
        name_label, name_input = _box(page.locator("label[for=id_name]")), _box(page.locator("#id_name"))
        assert name_input["x"] - (name_label["x"] + name_label["width"]) < 260, "the input sits by its label"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(f"walk-plan-form-{viewport['width']}")


def test_reorder_panel_keeps_its_quantities_in_view_on_a_phone(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "retailer")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/retailer/")
    page.wait_for_load_state("networkidle")
    cells = page.locator(".suggestion-table td[data-label='Suggested qty']")
    assert cells.count(), "the seeded tiny marketplace gives this shop reorder suggestions; the page shows none"
    box = _box(cells.first)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    label = cells.first.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') == "Suggested qty"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    cells.first.scroll_into_view_if_needed()
    screenshot("walk-reorder-panel-390")


def test_analyst_home_fits_a_phone_figures_and_models(demo_site, page, screenshot):  # noqa: F811
    """Crores of net revenue stay inside their half-width card, and the models table shows what serves (or that
    nothing does yet) instead of hiding it past the card's edge."""
    sign_in(page, demo_site, "analyst")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/analyst/")
    page.wait_for_load_state("networkidle")
    for kpi in page.locator(".va-kpis .kpi").all():
        assert kpi.evaluate("k => k.scrollWidth <= k.clientWidth + 1"), kpi.inner_text()
    serving = page.locator(".models-table tbody tr").first.locator("td").nth(1)
    box = _box(serving)
    assert box["x"] + box["width"] <= PHONE["width"], "what serves is in view"
    assert serving.evaluate("td => td.scrollWidth <= td.clientWidth + 1")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator(".models-table").scroll_into_view_if_needed()
    screenshot("walk-analyst-models-390")


@pytest.mark.parametrize("path", ["/retailer/", "/retailer/reorder/", "/retailer/recommendations/"])
def test_analysts_shop_picker_fits_a_phone(demo_site, page, screenshot, path):  # noqa: F811
    sign_in(page, demo_site, "analyst")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}{path}")
    toolbar = page.locator("form.toolbar").first
    assert toolbar.evaluate("f => f.scrollWidth <= f.clientWidth + 1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(f"walk-shop-picker{path.replace('/', '-')}390")


def test_import_format_fields_read_in_full_on_a_phone(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "analyst")
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/analyst/imports/format/")
    meaning = page.locator(".fields-table tbody td[data-label='What it means']").first
    box = _box(meaning)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    table = page.locator(".fields-table")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1"), "no column hides past the edge"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    table.scroll_into_view_if_needed()
    screenshot("walk-import-format-390")


def test_rep_shop_page_keeps_expected_dates_in_view_on_a_phone(demo_site, page, screenshot):  # noqa: F811
    from retailiq.retailers.models import Retailer

    sign_in(page, demo_site, "rep")
    shop = Retailer.objects.filter(assigned_rep__username="rep").order_by("id").first()
    page.set_viewport_size(PHONE)
    page.goto(f"{demo_site}/rep/retailers/{shop.pk}/")
    page.wait_for_load_state("networkidle")
    cells = page.locator(".prediction-table td[data-label='Expected']")
    assert cells.count(), "the seeded tiny marketplace gives this shop reorder predictions; the page shows none"
    box = _box(cells.first)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], "the expected date is in view"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    cells.first.scroll_into_view_if_needed()
    screenshot("walk-rep-shop-390")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_running_jobs_badge_is_the_size_of_the_other_badges(demo_site, page, screenshot, viewport):  # noqa: F811
    """A job under way shows its state badge in its progress panel's title, a flex row: the badge must keep the
    size of the same badge in the jobs table, not stretch with a title that wraps on a phone."""
    from retailiq.registry.models import Job

    Job.objects.create(
        kind="train", capability="forecasting", idempotency_key="badge-size", state="running", percent=40
    )
    sign_in(page, demo_site, "analyst")
    page.set_viewport_size(viewport)
    page.goto(f"{demo_site}/analyst/models/")
    in_panel = _box(page.locator(".progress .badge.running").first)
    in_table = _box(page.locator("table .badge.running").first)
    assert abs(in_panel["height"] - in_table["height"]) <= 2, (in_panel, in_table)
    assert in_panel["width"] <= in_table["width"] + 2
    screenshot(f"walk-running-badge-{viewport['width']}")
