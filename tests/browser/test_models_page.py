"""The analyst trains a model from the browser and watches its progress live, then
sees accuracy and drift charts and activates another version."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command

from retailiq.celery import app
from retailiq.registry.models import ModelStatus, ModelVersion
from tests.browser.test_role_homes import demo_site, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_analyst_trains_watches_progress_and_activates(demo_site, page, screenshot):  # noqa: F811
    sign_in(page, demo_site, "analyst")
    page.goto(f"{demo_site}/analyst/models/")
    assert "No version trained yet" in page.locator("main").inner_text()

    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=["default", "training"]):
        page.get_by_role("region", name="Demand forecasting").get_by_role("button", name="Train new version").click()
        progress = page.locator("#new-jobs .progress")
        progress.wait_for()
        progress.locator(".badge.succeeded").wait_for(timeout=90_000)  # polled by HTMX until done
    assert "Version" in progress.inner_text() and ModelVersion.objects.filter(status=ModelStatus.ACTIVE).count() == 1

    call_command(
        "train_models", capability=["forecasting"], backfill_weeks=2
    )  # a second version, forecasts to compare with sales
    page.goto(f"{demo_site}/analyst/models/")
    page.wait_for_function("document.querySelectorAll('.chart .main-svg').length >= 2", timeout=20_000)
    traces = page.evaluate("Array.from(document.querySelectorAll('.chart')).map(el => el.data.length)")
    assert traces == [1, 1]  # live accuracy of the serving version, drift of its inputs
    screenshot("models-page")

    waiting = ModelVersion.objects.get(status=ModelStatus.READY)
    page.get_by_role("row", name=f"v{waiting.pk}").get_by_role("button", name="Activate").click()
    page.wait_for_load_state("networkidle")
    assert f"Version {waiting.pk} now serves" in page.locator(".messages").inner_text()
