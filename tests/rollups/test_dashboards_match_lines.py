"""The pages read the rollups; their figures equal what the order lines give under the
demand rule (`retailiq.orders.selectors`), computed here the way the pages did before."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from forecasting import analytics
from retailiq.dashboards import analyst_data, rep_data, retailer_data, vendor_data
from retailiq.orders import selectors as lines
from retailiq.orders.services import LineInput, order_cancel, order_create, order_return_create
from retailiq.rollups import selectors as rollups
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def market():
    """Three shops (two with a rep), two vendors, 120 days of seeded orders with
    discounts, returns and cancellations, all through the order services."""
    rng = np.random.default_rng(7)
    rep = f.SalesRepFactory()
    shops = [
        f.RetailerFactory(assigned_rep=rep, region="West"),
        f.RetailerFactory(assigned_rep=rep, region="North"),
        f.RetailerFactory(region="South"),
    ]
    vendors = [f.VendorFactory(), f.VendorFactory()]
    products = [f.ProductFactory(vendor=vendors[i % 2]) for i in range(6)]
    warehouses = [f.WarehouseFactory(), None]
    sales = []
    for n in range(50):
        placed = timezone.now() - dt.timedelta(days=int(rng.integers(0, 120)), hours=int(rng.integers(0, 5)))
        picked = rng.choice(len(products), size=int(rng.integers(1, 4)), replace=False)
        order = order_create(
            external_id=f"S-{n}",
            retailer_id=shops[int(rng.integers(0, 3))].pk,
            warehouse_id=getattr(warehouses[int(rng.integers(0, 2))], "pk", None),
            placed_at=placed,
            lines=[
                LineInput(products[i].pk, int(rng.integers(1, 9)), Decimal(f"{rng.integers(100, 999) / 10:.2f}"),
                          Decimal(str(rng.choice(["0", "0.05", "0.125"]))))
                for i in picked
            ],
        )  # fmt: skip
        sales.append(order)
    for n, sale in enumerate(sales[:6]):
        line = sale.lines.first()
        order_return_create(
            sale=sale, external_id=f"R-{n}", placed_at=sale.placed_at + dt.timedelta(days=3),
            lines=[LineInput(line.product_id, 1, line.unit_price)],
        )  # fmt: skip
    for sale in sales[10:15]:
        order_cancel(order=sale)
    return {
        "analyst": f.AnalystFactory(),
        "rep": rep,
        "retailer": f.RetailerUserFactory(retailer=shops[0]),
        "vendor": f.VendorUserFactory(vendor=vendors[0]),
        "products": products,
    }


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def test_analyst_weekly_totals_and_retailer_table(market):
    user = market["analyst"]
    weekly = analyst_data.marketplace_weekly_sales(user=user)
    expected = list(
        lines.demand_lines()
        .annotate(week=TruncWeek("placed_on"))
        .values("week")
        .annotate(
            lines=Count("pk"),
            orders=Count("order", distinct=True),
            units=Sum(lines.net_quantity_expression()),
            revenue=Sum(lines.net_value_expression()),
        )
        .order_by("week")
    )
    assert len(weekly) == len(expected) > 10
    for got, want in zip(weekly.to_dict("records"), expected, strict=True):
        assert (got["lines"], got["orders"], got["units"]) == (want["lines"], want["orders"], want["units"])
        assert _money(got["revenue"]) == _money(want["revenue"])

    since = TODAY - dt.timedelta(days=90)
    got = {r["retailer_id"]: r for r in rollups.retailer_sales_for_user(user=user, since=since)}
    want = {r["retailer_id"]: r for r in lines.retailer_sales_for_user(user=user, since=since)}
    assert got.keys() == want.keys() and len(got) == 3
    for key, row in want.items():
        assert (got[key]["units"], got[key]["orders"]) == (row["units"], row["orders"])
        assert _money(got[key]["revenue"]) == _money(row["revenue"])


@pytest.mark.parametrize("who", ["retailer", "rep", "analyst"])
def test_retailer_and_rep_daily_activity(market, who):
    user = market[who]
    since = TODAY - dt.timedelta(days=200)
    got = retailer_data._daily_rows(user=user, since=since)
    want = list(
        lines.demand_lines(lines.order_line_list_for_user(user=user))
        .filter(placed_on__gte=since)
        .values("placed_on")
        .annotate(
            orders=Count("order", filter=lines.sale_filter(), distinct=True),
            value=Sum(lines.net_value_expression()),
            units=Sum(lines.net_quantity_expression()),
        )
        .order_by("placed_on")
    )
    assert [(r["placed_on"], r["orders"], r["units"]) for r in got] == [
        (r["placed_on"], r["orders"], r["units"]) for r in want
    ]
    assert [_money(r["value"]) for r in got] == [_money(r["value"]) for r in want]


def test_rep_window_figures_and_last_order_days(market):
    user = market["rep"]
    retailers = rep_data.with_window_figures(rep_data.retailer_rows_for_user(user=user), today=TODAY)
    current, previous = retailer_data.windows(TODAY)
    for retailer in retailers:
        demand = lines.demand_lines().filter(retailer=retailer)
        assert retailer.last_order_on == demand.order_by("-placed_on").values_list("placed_on", flat=True)[0]
        recent = demand.filter(placed_on__gte=current)
        assert retailer.recent_orders == recent.filter(lines.sale_filter()).values("order").distinct().count()
        value = recent.aggregate(v=Sum(lines.net_value_expression()))["v"]
        before = demand.filter(placed_on__gte=previous, placed_on__lt=current)
        assert _money(retailer.value_recent) == _money(value)
        assert _money(retailer.value_before) == _money(before.aggregate(v=Sum(lines.net_value_expression()))["v"])


def test_vendor_home_figures(market):
    user = market["vendor"]
    movement = {r["product_id"]: r for r in vendor_data.vendor_product_movement(user=user, today=TODAY)}
    since = TODAY - dt.timedelta(days=vendor_data.MOVEMENT_DAYS)
    before = since - dt.timedelta(days=vendor_data.MOVEMENT_DAYS)
    sold = lines.demand_lines(lines.order_line_list_for_user(user=user)).filter(placed_on__gte=before)
    want = {
        r["product_id"]: r
        for r in sold.values("product_id").annotate(
            units=Sum(lines.net_quantity_expression(), filter=Q(placed_on__gte=since)),
            units_before=Sum(lines.net_quantity_expression(), filter=Q(placed_on__lt=since)),
            revenue=Sum(lines.net_value_expression(), filter=Q(placed_on__gte=since)),
        )
    }
    assert movement.keys() == want.keys() and len(movement) == 3
    for key, row in want.items():
        assert (movement[key]["units"], movement[key]["units_before"]) == (row["units"] or 0, row["units_before"] or 0)
        assert _money(movement[key]["revenue"]) == _money(row["revenue"])

    figures = {k.label: k for k in vendor_data.vendor_key_figures(user=user, today=TODAY)}
    window = lines.demand_lines(lines.order_line_list_for_user(user=user)).filter(
        placed_on__gte=TODAY - dt.timedelta(days=vendor_data.KEY_FIGURE_DAYS)
    )
    totals = window.aggregate(
        revenue=Sum(lines.net_value_expression()), units=Sum(lines.net_quantity_expression()),
        products=Count("product", distinct=True), retailers=Count("retailer", distinct=True),
    )  # fmt: skip
    assert _money(figures["Revenue"].value) == _money(totals["revenue"])
    assert figures["Units sold"].value == totals["units"]
    assert figures["Products sold"].value == totals["products"]
    assert figures["Buying retailers"].value == totals["retailers"]
    regions = {r for r, _ in vendor_data.sales_region_choices(user=user)}
    assert regions == set(window.model.objects.filter(lines.sale_filter(), product__vendor=user.vendor_id)
                          .filter(lines.demand_filter()).values_list("retailer__region", flat=True))  # fmt: skip


@pytest.mark.parametrize("granularity", ["day", "week", "month"])
@pytest.mark.parametrize("breakdown", ["region", "segment"])
def test_vendor_chart_and_retailer_table_equal_the_lines(market, granularity, breakdown):
    user = market["vendor"]
    since = TODAY - dt.timedelta(days=vendor_data.CHART_WINDOW_DAYS[granularity])
    trunc = vendor_data.GRANULARITIES[granularity]
    want = (
        lines.demand_lines(lines.order_line_list_for_user(user=user))
        .filter(placed_on__gte=since)
        .annotate(period=trunc("placed_on"), group=F(vendor_data.BREAKDOWNS[breakdown]))
        .values("period", "group")
        .annotate(revenue=Sum(lines.net_value_expression()), units=Sum(lines.net_quantity_expression()))
        .order_by("period", "group")
    )
    got = vendor_data.vendor_sales_series(user=user, granularity=granularity, breakdown=breakdown, today=TODAY)
    assert len(got) == len(want) > 0
    for row, expected in zip(got.to_dict(orient="records"), want, strict=True):
        assert row["period"] == expected["period"] and row["units"] == expected["units"]
        assert _money(row["revenue"]) == _money(expected["revenue"])

    table = {r["retailer_id"]: r for r in vendor_data.vendor_retailer_sales(user=user, today=TODAY)}
    window = TODAY - dt.timedelta(days=vendor_data.KEY_FIGURE_DAYS)
    expected = {r["retailer_id"]: r for r in lines.retailer_sales_for_user(user=user, since=window)}
    assert table.keys() == expected.keys() and table
    for key, row in expected.items():
        assert (table[key]["orders"], table[key]["units"], table[key]["region"]) == (
            row["orders"], row["units"], row["region"]
        )  # fmt: skip
        assert _money(table[key]["revenue"]) == _money(row["revenue"])
    # The table's region filter runs on the rollup rows as it did on the lines.
    region = next(iter(expected.values()))["region"]
    filtered = vendor_data.vendor_retailer_sales(user=user, today=TODAY).filter(retailer__region=region)
    assert {r["retailer_id"] for r in filtered} == {k for k, r in expected.items() if r["region"] == region}


def test_demand_page_daily_units_follow_the_sale_lines(market):
    user = market["vendor"]
    products = analytics.demand_products_for_user(user=user)
    selection = analytics.Selection(kind="all")
    start = TODAY - dt.timedelta(days=200)
    got = analytics.daily_units(user=user, products=products, selection=selection, start=start, end=TODAY)
    want = (
        lines.sale_lines(lines.order_line_list_for_user(user=user))
        .filter(placed_on__gte=start)
        .values_list("placed_on")
        .annotate(units=Sum("quantity"))
        .order_by("placed_on")
    )
    assert [(d.date(), u) for d, u in got.items()] == [(d, float(u)) for d, u in want]
    last = lines.last_day_of(lines.sale_lines(lines.order_line_list_for_user(user=user)))
    assert analytics.latest_sales_day_for_user(user=user, products=products) == last
