"""The analyst's home: the data overview, weekly chart, how data gets in, models and jobs
(table with a state filter, running ones with progress), top retailers; only analysts."""

import csv
import io
import json

import pytest
from django.urls import reverse

from retailiq.registry import capabilities
from retailiq.registry.models import Job, ModelStatus, ModelVersion
from tests import factories as f

HTMX = {"HTTP_HX_REQUEST": "true"}


def _get(client, user, params=None, target=None):
    client.force_login(user)
    headers = {**HTMX, "HTTP_HX_TARGET": target} if target else {}
    return client.get(reverse("analyst-home"), params or {}, **headers)


def _job(n: int, state: str, **extra) -> Job:
    return Job.objects.create(kind="train", capability="forecasting", idempotency_key=f"k{n}", state=state, **extra)


def test_overview_cards_and_weekly_chart(marketplace, client):
    f.RetailerFactory(name="Charlie Medicals")  # registered, never ordered: still a retailer
    body = _get(client, marketplace.analyst).content.decode()
    assert "Marketplace overview" in body
    overview = _get(client, marketplace.analyst).context["overview"]
    assert (overview.lines, overview.orders, overview.retailers, overview.products, overview.vendors) == (3, 2, 3, 2, 2)
    assert "₹2,700" in body  # 17 + 10 units at ₹100, both vendors
    assert 'data-chart="analyst-weekly-figure"' in body and "vendor/plotly.min.js" in body
    figure = json.loads(body.split('id="analyst-weekly-figure" type="application/json">')[1].split("</script>")[0])
    assert sum(figure["data"][0]["y"]) == 2700 and sum(figure["data"][1]["y"]) == 2


def test_imports_empty_state_says_how_data_gets_in(marketplace, client):
    body = _get(client, marketplace.analyst).content.decode()
    assert "No imports yet" in body and "manage.py generate_demo_data" in body and "CSV" in body


def test_models_show_the_serving_version_and_its_headline_metrics(marketplace, client, monkeypatch):
    monkeypatch.setitem(capabilities.PLANNED, "pricing", "Dynamic pricing")  # announced, no model code yet
    ModelVersion.objects.create(
        capability="forecasting",
        algorithm="lightgbm",
        status=ModelStatus.ACTIVE,
        metrics={"wape": 0.3125, "rmsse": 0.8421, "coverage_80": 0.79},
    )
    body = _get(client, marketplace.analyst).content.decode()
    assert "lightgbm" in body and "31.2%" in body and "0.842" in body and "79.0%" in body
    assert reverse("models") in body
    assert "Not built yet" in body  # capabilities without model code say so


def test_jobs_table_filters_by_state_and_running_jobs_show_progress(marketplace, client):
    running = _job(1, "running", percent=40, stage="training")
    _job(2, "failed", error="=cmd|' /C calc'!A0")
    _job(3, "succeeded", message="Trained version 7")
    body = _get(client, marketplace.analyst).content.decode()
    assert f'id="job-{running.pk}"' in body and "40%" in body  # the progress component polls it
    failed = _get(client, marketplace.analyst, {"jobs-state": "failed"}, target="table-jobs").content.decode()
    assert failed.startswith('<div class="table-region" id="table-jobs">') and "1 row" in failed
    assert "calc" in failed and "Trained version 7" not in failed
    rows = list(csv.reader(io.StringIO(_get(client, marketplace.analyst, {"jobs-export": "csv"}).content.decode())))
    assert rows[0][:4] == ["Job", "Kind", "Capability", "State"] and len(rows) == 4
    assert "'=cmd|' /C calc'!A0" in [row[4] for row in rows]  # escaped, not a formula


def test_top_retailers_table_filters_by_segment_and_exports(marketplace, client):
    table = _get(client, marketplace.analyst, {"retailers-region": "North"}, target="table-retailers")
    html = table.content.decode()
    assert "Bravo Supermart" in html and "Alpha Kirana" not in html
    rows = list(
        csv.reader(io.StringIO(_get(client, marketplace.analyst, {"retailers-export": "csv"}).content.decode()))
    )
    assert rows[1][0] == "Alpha Kirana Store" and rows[1][-1] == "2000.0"  # both vendors' lines


def test_empty_marketplace_says_what_to_do(db, client):
    body = _get(client, f.UserFactory()).content.decode()
    assert "No order history loaded yet" in body and "No orders yet. Load the demo marketplace" in body
    assert "No orders in the last 90 days" in body and "No jobs with this state" in body


@pytest.mark.parametrize("who", ["retailer_user_a", "rep_a", "vendor_user_1"])
def test_other_roles_are_refused(marketplace, client, who):
    client.force_login(getattr(marketplace, who))
    assert client.get(reverse("analyst-home")).status_code == 403
    assert client.get(reverse("analyst-home"), {"jobs-export": "csv"}).status_code == 403


def test_queries_do_not_grow_with_more_rows(marketplace, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(marketplace.analyst)

    def count_queries() -> int:
        from django.core.cache import cache

        cache.clear()  # measure a cold page: cached aggregates would hide the queries
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("analyst-home")).status_code == 200
        return len(ctx.captured_queries)

    _job(0, "running")
    small = count_queries()
    for i in range(1, 25):
        _job(i, ["running", "failed", "succeeded"][i % 3])
        order = f.OrderFactory(retailer=f.RetailerFactory(region=f"Region {i % 3}"))
        f.OrderLineFactory(order=order, product=f.ProductFactory(), line_number=1)
    assert count_queries() == small
    # session, user, jobs, regions, retailers, weekly sales, catalog, retailer count, models, running jobs,
    # recent imports
    with django_assert_max_num_queries(11):
        client.get(reverse("analyst-home"))
    with django_assert_max_num_queries(5):  # the table alone
        client.get(reverse("analyst-home"), {"jobs-state": "failed"}, **HTMX, HTTP_HX_TARGET="table-jobs")
    from django.core.cache import cache

    cache.clear()
    # session, user, jobs, reference day, regions, data version (orders, imports), retailers: the
    # export alone, none of the page's history-wide figures
    with django_assert_max_num_queries(8):
        response = client.get(reverse("analyst-home"), {"retailers-export": "csv"})
    assert len(response.content.decode().splitlines()) == 1 + 26  # the header and every retailer, past one page


def test_weeks_without_orders_are_gaps_in_the_weekly_chart():
    """2011 imported beside 2026 demo data: the years between are gaps, not a line drawn across them."""
    import pandas as pd

    from retailiq.dashboards.charts_analyst import marketplace_weekly_figure

    weekly = pd.DataFrame(
        {"week": pd.to_datetime(["2011-12-05", "2026-11-23", "2026-11-30"]), "revenue": [500.0, 900.0, 800.0]}
    ).assign(orders=[5, 9, 8])
    bars, orders = marketplace_weekly_figure(weekly, currency="INR")["data"]
    assert len(bars["x"]) > 700 and bars["x"][0] == "2011-12-05" and bars["x"][-1] == "2026-11-30"
    assert bars["y"][1] is None and orders["y"][1] is None and orders["connectgaps"] is False
    assert [v for v in bars["y"] if v is not None] == [500.0, 900.0, 800.0]
