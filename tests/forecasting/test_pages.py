"""The vendor's demand page and the retailer's expected demand: who may see what, the
HTMX fragment, CSV exports, empty states, and how many queries a page costs."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from forecasting import views
from forecasting.models import DemandForecast
from retailiq.registry.models import ModelStatus, ModelVersion
from retailiq.registry.services import ServedPrediction
from retailiq.rollups.services import rollups_rebuild
from tests.conftest import DEMAND_END
from tests.factories import ProductFactory

PAGE = "/vendor/demand/"


def _forecast_rows(version, product, *, origin, days, quantity, location_kind="all", location=""):
    return [
        DemandForecast(
            model_version=version,
            product=product,
            location_kind=location_kind,
            location=location,
            target_date=origin + dt.timedelta(days=d),
            origin_date=origin,
            quantity=quantity,
            lower_80=quantity * 0.8,
            upper_80=quantity * 1.2,
            lower_95=quantity * 0.6,
            upper_95=quantity * 1.4,
        )
        for d in range(1, days + 1)
    ]


@pytest.fixture
def forecasts(demand_history):
    """An active version with a 28-day forecast from DEMAND_END for both products, and
    two weeks of forecasts for days that have passed (origin two weeks earlier)."""
    version = ModelVersion.objects.create(
        capability="forecasting", algorithm="lightgbm_global", status=ModelStatus.ACTIVE
    )
    m = demand_history
    rows = []
    for product, quantity in ((m.product_1, 14.0), (m.product_2, 1.0)):
        rows += _forecast_rows(version, product, origin=DEMAND_END, days=28, quantity=quantity)
        rows += _forecast_rows(version, product, origin=DEMAND_END - dt.timedelta(days=14), days=14, quantity=12.0)
    DemandForecast.objects.bulk_create(rows)
    m.version = version
    return m


def _sales_rose(m) -> None:
    """Product 1 sold 3 more a day over the last 4 weeks than the fixture's history: its sales rose against
    the 4 weeks before, so the growing list may show it (its weekday rhythm stays)."""
    from django.db.models import F

    from retailiq.orders.models import OrderLine

    since = DEMAND_END - dt.timedelta(days=28)
    OrderLine.objects.filter(product=m.product_1, placed_on__gt=since).update(quantity=F("quantity") + 3)
    rollups_rebuild()  # lines changed in place, past the order services


@pytest.fixture
def served(monkeypatch):
    """The on-demand forecast the product chart shows, with an explanation."""
    calls = []

    def fake_product_forecast(*, product, horizon, routing_key, **kwargs):
        calls.append(product.pk)
        days = [
            {
                "date": (DEMAND_END + dt.timedelta(days=d)).isoformat(),
                "quantity": 11.0,
                "lower_80": 8.0,
                "upper_80": 14.0,
                "lower_95": 6.0,
                "upper_95": 17.0,
            }
            for d in range(1, horizon + 1)
        ]
        return ServedPrediction(
            result={
                "product_id": product.pk,
                "origin_date": DEMAND_END.isoformat(),
                "days": days,
                "explanation": [
                    {"driver": "day of week", "effect": 0.18, "text": "day of week +18%"},
                    {"driver": "recent sales", "effect": -0.07, "text": "recent sales -7%"},
                ],
            },
            model={"version": 7, "algorithm": "lightgbm_global", "role": "champion", "fallback": False},
            cached=False,
        )

    monkeypatch.setattr(views, "product_forecast", fake_product_forecast)
    return calls


# --- Who may see what -------------------------------------------------------------------


def test_vendor_sees_only_its_own_products(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    body = client.get(PAGE).content.decode()
    assert "Sunrise Basmati Rice" in body and "Bluecrest Shampoo" not in body
    assert served == [forecasts.product_1.pk]  # the first of its own products is charted


def test_another_vendors_product_answers_404(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    assert client.get(PAGE, {"show": f"product:{forecasts.product_2.pk}"}).status_code == 404
    assert client.get(PAGE, {"show": "product:999999"}).status_code == 404
    assert client.get(PAGE, {"show": "category:999999"}).status_code == 404
    for key in ("9" * 5000, "1" + "0" * 30, "\u00b2"):  # beyond Python's int() and a 64-bit id; not ASCII
        assert client.get(PAGE, {"show": f"product:{key}"}).status_code == 404
        assert client.get(PAGE, {"show": f"category:{key}"}).status_code == 404
    export = reverse("demand-export", args=["forecast"])
    assert client.get(export, {"show": f"product:{forecasts.product_2.pk}"}).status_code == 404
    assert served == []


def test_a_vendor_cannot_switch_vendor_by_the_url(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    body = client.get(PAGE, {"vendor": forecasts.vendor_2.pk}).content.decode()
    assert "Bluecrest Shampoo" not in body and "Sunrise Basmati Rice" in body


@pytest.mark.parametrize("who", ["retailer_user_a", "rep_a"])
def test_retailers_and_reps_are_refused(forecasts, client, who):
    client.force_login(getattr(forecasts, who))
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("demand-export", args=["growth"])).status_code == 403


def test_anonymous_visitors_are_sent_to_login(db, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_analyst_sees_every_product_and_picks_a_vendor(forecasts, served, client):
    client.force_login(forecasts.analyst)
    body = client.get(PAGE).content.decode()
    assert "Sunrise Basmati Rice" in body and "Bluecrest Shampoo" in body and 'id="demand-vendor"' in body
    picked = client.get(PAGE, {"vendor": forecasts.vendor_2.pk}).content.decode()
    assert "Bluecrest Shampoo" in picked and "Sunrise Basmati Rice" not in picked
    assert client.get(PAGE, {"vendor": 999999}).status_code == 404


# --- What the page shows -------------------------------------------------------------------


def test_page_shows_chart_model_explanation_accuracy_rankings_and_seasonality(forecasts, served, client):
    _sales_rose(forecasts)
    client.force_login(forecasts.vendor_user_1)
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="demand-figure"' in body and 'id="demand-figure"' in body
    figure = response.context["demand_figure"]
    names = [trace["name"] for trace in figure["data"]]
    assert {"Actual sales", "Forecast", "80% interval", "95% interval"} <= set(names)
    assert figure["layout"]["shapes"][0]["x0"] == DEMAND_END.isoformat()  # the origin marker
    assert "version 7 (lightgbm_global)" in body
    assert "Day of week raises the forecast by about 18%." in body
    assert "Recent sales lowers the forecast by about 7%." in body
    # Two past weeks of product 1's forecasts (12 a day) against what sold (10, 15 on Saturdays).
    accuracy = response.context["accuracy"]
    assert accuracy and all(0 < row["wape"] < 1 for row in accuracy)
    # Product 1 sold about 384 units in the last 4 weeks, more than before; the forecast is 14 x 28 = 392.
    growing = response.context["ranking_tables"][0][1]
    assert [r["product"] for r in growing] == ["Sunrise Basmati Rice 5 kg"] and growing[0]["next_4_weeks"] == 392
    assert "392" in body and 'id="weekday-figure"' in body
    weekday = response.context["weekday_figure"]["data"][0]
    assert weekday["y"][5] == pytest.approx(1.5 * weekday["y"][0], rel=0.1)  # Saturdays sell 15, other days 10


def test_numbers_carry_thousands_separators(forecasts, served, client):
    DemandForecast.objects.filter(product=forecasts.product_1, origin_date=DEMAND_END).update(quantity=100.0)
    _sales_rose(forecasts)
    client.force_login(forecasts.vendor_user_1)
    body = client.get(PAGE).content.decode()
    assert "2,800" in body  # 100 a day for 28 days


def test_choosing_an_aggregate_by_htmx_returns_only_the_fragment(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    category = forecasts.product_1.category_id
    response = client.get(
        PAGE, {"show": f"category:{category}", "by": "week"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="demand-detail"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="demand-figure"' in body
    assert "Growing and slowing" not in body  # the rankings stay on the page, not in the fragment
    forecast = next(t for t in response.context["demand_figure"]["data"] if t["name"] == "Forecast")
    assert forecast["y"] == [98.0] * 4  # four weeks of 14 a day, summed from the batch rows
    assert served == []  # an aggregate reads the batch forecasts, no on-demand call
    assert response.headers["Vary"].count("HX-Request") == 1


def test_history_restore_gets_the_whole_page(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    response = client.get(
        PAGE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="demand-detail", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_region_without_location_forecasts_says_so(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    response = client.get(PAGE, {"show": "region:West"})
    assert "Forecasts per region have not been scored yet" in response.content.decode()
    DemandForecast.objects.bulk_create(
        _forecast_rows(
            forecasts.version,
            forecasts.product_1,
            origin=DEMAND_END,
            days=7,
            quantity=5.0,
            location_kind="region",
            location="West",
        )
    )
    response = client.get(PAGE, {"show": "region:West"})
    assert "have not been scored yet" not in response.content.decode()
    forecast = next(t for t in response.context["demand_figure"]["data"] if t["name"] == "Forecast")
    assert forecast["y"] == [5.0] * 7


# --- Empty states --------------------------------------------------------------------------


def test_without_a_trained_model_the_page_says_what_to_do(demand_history, served, client):
    client.force_login(demand_history.vendor_user_1)
    body = client.get(PAGE, {"show": "all"}).content.decode()
    assert "an analyst trains the forecasting model on the Models page" in body
    assert 'id="demand-figure"' in body  # what sold is still charted


def test_a_vendor_without_products_or_sales_gets_empty_states(db, client):
    from tests.factories import VendorUserFactory

    user = VendorUserFactory()
    client.force_login(user)
    assert "No products yet" in client.get(PAGE).content.decode()
    ProductFactory(vendor=user.vendor, name="Brand-new Ghee")
    body = client.get(PAGE, {"show": "all"}).content.decode()
    assert "Nothing sold yet for all products" in body


# --- CSV -----------------------------------------------------------------------------------


def test_csv_exports_escape_product_names_and_follow_the_selection(forecasts, served, client):
    forecasts.product_1.name = '=HYPERLINK("http://evil")'
    forecasts.product_1.save(update_fields=["name"])
    _sales_rose(forecasts)
    client.force_login(forecasts.vendor_user_1)
    growth = client.get(reverse("demand-export", args=["growth"]))
    assert growth["Content-Type"].startswith("text/csv") and "attachment" in growth["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(growth.content.decode())))
    assert rows[0][:2] == ["product", "sku"] and rows[1][0] == '\'=HYPERLINK("http://evil")'
    show = {"show": f"product:{forecasts.product_1.pk}"}
    forecast = list(
        csv.reader(io.StringIO(client.get(reverse("demand-export", args=["forecast"]), show).content.decode()))
    )
    assert forecast[1][0].startswith("'=") and len(forecast) == 1 + 91 + 28  # 91 days sold, 28 forecast
    accuracy = list(
        csv.reader(io.StringIO(client.get(reverse("demand-export", args=["accuracy"]), show).content.decode()))
    )
    assert accuracy[0][0] == "week_starting" and len(accuracy) == 2  # the one whole week of past forecasts
    weekday = list(csv.reader(io.StringIO(client.get(reverse("demand-export", args=["weekday"])).content.decode())))
    assert [r[0] for r in weekday[1:]] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert client.get("/vendor/demand/export/secrets.csv").status_code == 404


# --- Query counts --------------------------------------------------------------------------

# Measured on a cold cache: 17 for the default product (served forecast stubbed) and for
# an aggregate, with the data version and the newest forecast id that key the cached reads
# (one of them the units refused for want of stock shown beside the sales).
PAGE_MAX_QUERIES = 17
# Asked again, the two-year daily totals, rankings, scored regions and the batch's origin
# come from the cache (measured: 8); so do the fragment's and the exports' (measured: 8, 7-8).
PAGE_WARM_MAX_QUERIES = 8
FRAGMENT_MAX_QUERIES = 8
EXPORT_WARM_MAX_QUERIES = 8


def _more_products(vendor, version, n):
    for _ in range(n):
        product = ProductFactory(vendor=vendor)
        DemandForecast.objects.bulk_create(_forecast_rows(version, product, origin=DEMAND_END, days=28, quantity=3.0))


@pytest.mark.parametrize("show", ["", "all", "category", "region:West"])
def test_query_count_does_not_grow_with_products(forecasts, served, client, django_assert_max_num_queries, show):
    client.force_login(forecasts.vendor_user_1)
    if show == "category":
        show = f"category:{forecasts.product_1.category_id}"
    query = {"show": show} if show else {}
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        assert client.get(PAGE, query).status_code == 200
    _more_products(forecasts.vendor_1, forecasts.version, 12)
    with django_assert_max_num_queries(PAGE_MAX_QUERIES):
        assert client.get(PAGE, query).status_code == 200
    with django_assert_max_num_queries(PAGE_WARM_MAX_QUERIES):
        assert client.get(PAGE, query).status_code == 200
    with django_assert_max_num_queries(FRAGMENT_MAX_QUERIES):
        client.get(PAGE, {"show": show, "by": "week"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="demand-detail")
    with django_assert_max_num_queries(EXPORT_WARM_MAX_QUERIES):
        assert client.get(reverse("demand-export", args=["weekday"]), query).status_code == 200


def test_exports_read_the_cached_page_figures_again(forecasts, served, client, django_assert_max_num_queries):
    """The profile and ranking downloads reuse what the page read, and rank the same products."""
    client.force_login(forecasts.vendor_user_1)
    page = client.get(PAGE, {"show": "all"})
    assert page.status_code == 200
    for table in ("weekday", "month", "growth"):
        with django_assert_max_num_queries(EXPORT_WARM_MAX_QUERIES):
            response = client.get(reverse("demand-export", args=[table]), {"show": "all"})
        assert response.status_code == 200


# --- The retailer's expected demand ------------------------------------------------------------


def test_retailer_home_shows_its_share_of_the_forecast(forecasts, client, django_assert_max_num_queries):
    client.force_login(forecasts.retailer_user_a)
    with django_assert_max_num_queries(14):  # measured: 14, with the reference day the windows end on
        response = client.get(reverse("retailer-home"))
    body = response.content.decode()
    assert "Expected demand, next 4 weeks" in body and f'hx-get="{reverse("expected-demand-panel")}"' in body
    with django_assert_max_num_queries(14):  # the card's own request, loaded after the home
        response = client.get(reverse("expected-demand-panel"))
    rows = response.context["demand"].rows
    # Shop A bought every unit of both products in the last 90 days: share 1.
    rice = next(r for r in rows if r["product"] == "Sunrise Basmati Rice 5 kg")
    assert rice["share"] == 1.0 and rice["weekly"] == [98.0] * 4 and "392" in response.content.decode()


def test_days_rewritten_by_an_earlier_origin_still_count_as_the_current_forecast(forecasts, client):
    # A backfill scored after the latest batch leaves the first week's rows with its own
    # (earlier) origin; they are still the version's only forecast for those days.
    first_week = [DEMAND_END + dt.timedelta(days=d) for d in range(1, 8)]
    DemandForecast.objects.filter(target_date__in=first_week).update(origin_date=DEMAND_END - dt.timedelta(days=7))
    client.force_login(forecasts.retailer_user_a)
    rows = client.get(reverse("expected-demand-panel")).context["demand"].rows
    assert next(r for r in rows if r["sku"] == forecasts.product_1.sku)["weekly"] == [98.0] * 4
    client.force_login(forecasts.vendor_user_1)
    response = client.get(PAGE, {"show": "all", "by": "week"})
    forecast = next(t for t in response.context["demand_figure"]["data"] if t["name"] == "Forecast")
    assert forecast["y"] == [98.0] * 4


def test_retailer_share_is_its_own_part_and_other_shops_see_nothing_of_it(forecasts, client):
    from retailiq.orders.models import OrderLine

    # Shop B buys as much rice as shop A in the window: shop A's share halves.
    line = OrderLine.objects.filter(product=forecasts.product_1, retailer=forecasts.shop_a).order_by("-placed_on")[0]
    units_a = sum(
        OrderLine.objects.filter(
            product=forecasts.product_1, retailer=forecasts.shop_a, placed_on__gte=DEMAND_END - dt.timedelta(days=89)
        ).values_list("quantity", flat=True)
    )
    from tests.factories import OrderFactory, OrderLineFactory

    placed = dt.datetime.combine(line.placed_on, dt.time(12), tzinfo=dt.UTC)
    OrderLineFactory(
        order=OrderFactory(retailer=forecasts.shop_b, placed_at=placed), product=forecasts.product_1, quantity=units_a
    )
    client.force_login(forecasts.retailer_user_a)
    rice = next(
        r
        for r in client.get(reverse("expected-demand-panel")).context["demand"].rows
        if r["sku"] == forecasts.product_1.sku
    )
    assert rice["share"] == pytest.approx(0.5) and rice["weekly"] == [pytest.approx(49.0)] * 4
    client.force_login(forecasts.retailer_user_b)
    rows = client.get(reverse("expected-demand-panel")).context["demand"].rows
    assert [r["sku"] for r in rows] == [forecasts.product_1.sku]  # shop B never bought the shampoo
    assert rows[0]["share"] == pytest.approx(0.5)


def test_retailer_card_without_a_model_says_so(demand_history, client):
    client.force_login(demand_history.retailer_user_a)
    body = client.get(reverse("retailer-home")).content.decode()
    card = client.get(reverse("expected-demand-panel")).content.decode()
    assert "No demand forecast yet" in card and "Time to reorder" in body and "Suggested for you" in body


# --- The figures and the weekly roll-up (no database) ------------------------------------------


def _frames(days: int = 14, upper_95: float = 20.0):
    import pandas as pd

    history = pd.DataFrame({"date": pd.date_range("2026-03-04", periods=28, freq="D"), "units": 10.0})
    forecast = pd.DataFrame(
        {
            "date": pd.date_range("2026-04-01", periods=days, freq="D"),
            "quantity": 12.0,
            "lower_80": 9.0,
            "upper_80": 15.0,
            "lower_95": 7.0,
            "upper_95": upper_95,
        }
    )
    return history, forecast


def test_demand_figure_has_bands_origin_and_a_readable_y_range():
    from forecasting.charts import demand_figure

    history, forecast = _frames()
    figure = demand_figure(history, forecast, origin=DEMAND_END)
    bands = [t for t in figure["data"] if t.get("fill") == "tonexty"]
    assert [t["name"] for t in bands] == ["95% interval", "80% interval"]
    assert "range" not in figure["layout"]["yaxis"]  # the whole 95% band fits
    assert figure["layout"]["xaxis"]["range"] == ["2026-03-03", "2026-04-15"]
    spiky = demand_figure(*_frames(upper_95=400.0), origin=DEMAND_END)
    assert spiky["layout"]["yaxis"]["range"] == [0, pytest.approx(15.0 * 1.3)]


def test_weeks_are_counted_from_the_origin_without_partial_weeks():
    from forecasting.analytics import roll_up_weeks

    history, forecast = _frames(days=14)
    weekly_history, weekly_forecast = roll_up_weeks(history, forecast, origin=DEMAND_END)
    assert list(weekly_history["units"]) == [70.0] * 4 and weekly_history["date"].max() == pd_ts("2026-03-25")
    assert list(weekly_forecast["quantity"]) == [84.0, 84.0]
    # Seven days each 3 above the forecast: the week's half-width is 3 x sqrt(7), not 21.
    assert weekly_forecast["upper_80"].iloc[0] == pytest.approx(84.0 + 3 * 7**0.5)


def pd_ts(value: str):
    import pandas as pd

    return pd.Timestamp(value)


@pytest.mark.parametrize("returns_only", [False, True])
def test_a_product_without_sales_in_the_window_gets_a_page_and_csvs(forecasts, served, client, returns_only):
    from tests import factories as f

    product = ProductFactory(vendor=forecasts.vendor_1)
    if returns_only:
        f.OrderLineFactory(product=product, order=f.OrderFactory(kind="return"), line_number=1)
    client.force_login(forecasts.vendor_user_1)
    show = {"show": f"product:{product.pk}"}

    assert client.get(PAGE, show).status_code == 200
    assert client.get(PAGE, show | {"by": "week"}, HTTP_HX_REQUEST="true").status_code == 200
    for table in views.EXPORTS:
        response = client.get(reverse("demand-export", args=[table]), show)
        assert response.status_code == 200, (table, response.status_code)


def test_slowing_agrees_with_the_sales_trend_the_vendor_home_shows(forecasts, served, client):
    """A forecast below the last 4 weeks lists a product as slowing only when its sales fell too: a product
    whose sales rose (the vendor home shows it up) is not "halving" because a forecast sits low."""
    from django.core.cache import cache

    from retailiq.dashboards.vendor_data import vendor_product_movement

    m = forecasts
    DemandForecast.objects.filter(product=m.product_1, origin_date=DEMAND_END).update(quantity=5.0)  # half
    _sales_rose(m)
    client.force_login(m.vendor_user_1)
    slowing = client.get(PAGE).context["ranking_tables"][1][1]
    home = {r["name"]: r["change"] for r in vendor_product_movement(user=m.vendor_user_1, today=DEMAND_END)}
    assert home[m.product_1.name] > 0
    assert m.product_1.name not in [r["product"] for r in slowing]

    # Sales that fell, with a forecast lower still: slowing, in agreement with the home page.
    from retailiq.orders.models import OrderLine

    cache.clear()  # the page keeps its rankings for a while
    recent = OrderLine.objects.filter(product=m.product_1, placed_on__gt=DEMAND_END - dt.timedelta(days=14))
    recent.update(quantity=2)
    rollups_rebuild()  # lines changed in place, past the order services
    client.force_login(m.vendor_user_1)
    slowing = client.get(PAGE).context["ranking_tables"][1][1]
    home = {r["name"]: r["change"] for r in vendor_product_movement(user=m.vendor_user_1, today=DEMAND_END)}
    row = next(r for r in slowing if r["product"] == m.product_1.name)
    assert row["last_4_weeks"] < row["previous_4_weeks"] and row["growth"] < 0 and home[m.product_1.name] < 0


def test_rankings_count_from_the_same_last_sales_day_as_the_chart(forecasts, served, client):
    """A batch scored two weeks before the latest sales (as of 17 Mar) while the product chart's on-demand
    forecast starts from 31 Mar: "Growing and slowing" must name and count from 31 Mar too, not the batch's day."""
    m = forecasts
    _sales_rose(m)
    DemandForecast.objects.update(origin_date=DEMAND_END - dt.timedelta(days=14))
    client.force_login(m.vendor_user_1)
    response = client.get(PAGE)
    body = response.content.decode()
    assert response.context["sales_up_to"] == DEMAND_END
    assert response.context["run"].last_data_day == DEMAND_END - dt.timedelta(days=14)
    said = "from sales up to 31 Mar 2026"
    assert body.count(said) >= 2  # the chart's line and the rankings' line
    # The batch's own day appears only in the note that says its forecasts are older than the chart's day.
    assert body.count("from sales up to 17 Mar 2026") == 1 and "forecasts were scored from sales up to 17 Mar" in body
    growing = response.context["ranking_tables"][0][1]
    # The last 4 weeks end on 31 Mar and the next 4 are the batch's days after it: 14 a day for 28 days.
    assert [r["product"] for r in growing] == [m.product_1.name] and growing[0]["next_4_weeks"] == 392


def test_accuracy_leaves_out_partial_weeks(forecasts, served, client):
    """The past forecasts cover 18 to 31 Mar (a Wednesday to a Tuesday): only the whole week of Monday 23 Mar
    counts; the five days of the week before and the two of the week after are no "week" with their sales."""
    client.force_login(forecasts.vendor_user_1)
    accuracy = client.get(PAGE).context["accuracy"]
    assert [row["week"] for row in accuracy] == [dt.date(2026, 3, 23)]
    assert accuracy[0]["observations"] == 7  # product 1's seven days (the page shows one product)


@pytest.mark.parametrize("show", ["", "all", "region:West"])
def test_the_chart_shows_units_refused_for_want_of_stock_beside_sales_own_products_only(
    forecasts, served, client, show
):
    from retailiq.orders.services import lost_sale_create

    m = forecasts
    day = DEMAND_END - dt.timedelta(days=3)
    lost_sale_create(retailer_id=m.shop_a.pk, product_id=m.product_1.pk, lost_on=day, quantity=9)
    lost_sale_create(retailer_id=m.shop_b.pk, product_id=m.product_2.pk, lost_on=day, quantity=50)  # vendor 2's
    client.force_login(m.vendor_user_1)
    response = client.get(PAGE, {"show": show} if show else {})
    refused = [t for t in response.context["demand_figure"]["data"] if t["name"] == "Refused (out of stock)"]
    assert len(refused) == 1 and sum(refused[0]["y"]) == 9
    assert "9 units ordered in the period shown were refused for want of stock" in response.content.decode()


def test_without_refusals_the_chart_has_no_refused_bars(forecasts, served, client):
    client.force_login(forecasts.vendor_user_1)
    response = client.get(PAGE)
    assert "Refused (out of stock)" not in [t["name"] for t in response.context["demand_figure"]["data"]]
    assert "refused for want of stock" not in response.content.decode()


def test_accuracy_is_against_demand_the_units_sold_and_refused(forecasts, served, client):
    """The models forecast demand (sold + refused for want of stock), so the past weeks are scored against it;
    another vendor's refusals stay out."""
    from retailiq.orders.services import lost_sale_create

    m = forecasts
    client.force_login(m.vendor_user_1)
    before = client.get(PAGE).context["accuracy"][0]
    day = dt.date(2026, 3, 25)  # in the one whole week of past forecasts, from 23 Mar
    lost_sale_create(retailer_id=m.shop_a.pk, product_id=m.product_1.pk, lost_on=day, quantity=9)
    lost_sale_create(retailer_id=m.shop_b.pk, product_id=m.product_2.pk, lost_on=day, quantity=50)  # vendor 2's
    response = client.get(PAGE)
    after = response.context["accuracy"][0]
    assert before["refused"] == 0 and before["demand"] == before["sold"]
    assert after["sold"] == before["sold"] and after["refused"] == 9 and after["demand"] == before["sold"] + 9
    # The forecast (12 a day) was over the day's sales (10) by 2; against demand (19) it is under by 7.
    assert after["mae"] * after["observations"] == pytest.approx(before["mae"] * before["observations"] + 5)
    assert after["wape"] == pytest.approx(after["mae"] * after["observations"] / after["demand"])
    assert "Refused</th>" in response.content.decode()
    exported = list(csv.reader(io.StringIO(client.get(reverse("demand-export", args=["accuracy"])).content.decode())))
    assert exported[0][:5] == ["week_starting", "forecast", "units_sold", "units_refused", "demand"]
    assert float(exported[1][3]) == 9
