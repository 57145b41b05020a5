"""Demand drivers read from the database, checked day by day on a small marketplace:
paid prices carried over quiet days, promotions and events by region, stockouts per
warehouse and for product totals, catalog codes, and a query count that does not grow
with the number of products."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from forecasting.drivers import (
    PRICE_LOOKBACK_DAYS,
    attach_drivers,
    demand_drivers,
    matrix_with_drivers,
    paid_per_day,
    paid_per_day_from_lines,
)
from forecasting.location_sales import daily_sales_by_location
from forecasting.ml.features import driver_of
from forecasting.ml.matrix import DemandMatrix
from retailiq.events.models import CalendarEvent, Promotion
from retailiq.inventory.models import StockoutPeriod
from retailiq.orders.services import LineInput, order_cancel, order_create, order_return_create
from tests import factories as f

FIRST = dt.date(2026, 3, 1)
DAYS = pd.date_range(FIRST, periods=14, freq="D")  # 1-14 March; columns 14-20 are 15-21 March
HORIZON = 7
# Promotions, prices, events, stockouts, and stock levels or the warehouse's region; the catalog is read once per data
# version and directory stamp (forecasting/catalog.py), then kept.
MAX_QUERIES = 5


def col(day: int) -> int:
    """The column of a day of March 2026."""
    return day - 1


def _sale(shop, warehouse, day: dt.date, product, *lines, status="delivered", kind="sale"):
    """One order with lines (quantity, unit price, discount rate, on promotion)."""
    order = f.OrderFactory(
        retailer=shop,
        warehouse=warehouse,
        placed_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        status=status,
        kind=kind,
    )
    for number, (quantity, price, discount, on_promotion) in enumerate(lines, start=1):
        f.OrderLineFactory(
            order=order,
            line_number=number,
            product=product,
            quantity=quantity,
            unit_price=Decimal(price),
            discount_rate=Decimal(discount),
            on_promotion=on_promotion,
        )
    return order


@pytest.fixture
def market(db):
    """p1 (list 100) and p2 (list 50) share a category with p4 (list 150, never asked
    for); p3 (list 200) is alone in another and has no brand. Shops and warehouses in
    the West and the North."""
    west = f.WarehouseFactory(code="wh-west", region="West")
    north = f.WarehouseFactory(code="wh-north", region="North")
    shop_west = f.RetailerFactory(region="West")
    shop_north = f.RetailerFactory(region="North")
    rice = f.CategoryFactory(name="Rice")
    brand = f.BrandFactory()
    p1 = f.ProductFactory(category=rice, brand=brand, unit_price=Decimal("100"))
    p2 = f.ProductFactory(category=rice, brand=brand, unit_price=Decimal("50"))
    p3 = f.ProductFactory(unit_price=Decimal("200"))
    p4 = f.ProductFactory(category=rice, unit_price=Decimal("150"))

    march = lambda day: dt.date(2026, 3, day)  # noqa: E731
    # p1: (2x100 + 3x90) / 5 = 94 paid on 2 March; a promotion sale at 80 on 5 March.
    _sale(shop_west, west, march(2), p1, (2, "100", "0", False), (3, "100", "0.1", False))
    _sale(shop_west, west, march(5), p1, (4, "100", "0.2", True))
    # Neither a cancelled order nor a return says anything about the price.
    _sale(shop_west, west, march(8), p1, (10, "10", "0", False), status="cancelled")
    _sale(shop_west, west, march(8), p1, (1, "5", "0", False), kind="return")
    # A North shop pays 120 on 10 March, shipped from the North warehouse.
    _sale(shop_north, north, march(10), p1, (1, "120", "0", False))
    # p3 last sold before the window, at 210 rather than its list price.
    _sale(shop_west, west, dt.date(2026, 2, 20), p3, (1, "210", "0", False))

    def promotion(products, discount, first, last, region=""):
        promo = Promotion.objects.create(
            name=f"Promo {first}",
            vendor=products[0].vendor,
            discount_rate=Decimal(discount),
            starts_on=first,
            ends_on=last,
            region=region,
        )
        promo.products.set(products)

    promotion([p1], "0.2", march(4), march(6), region="West")
    promotion([p2], "0.1", march(12), march(16))  # everywhere, from history into the horizon
    promotion([p1], "0.25", march(18), march(19), region="North")  # planned, North only

    CalendarEvent.objects.create(name="Holi", kind="festival", starts_on=march(3), ends_on=march(4))
    CalendarEvent.objects.create(name="Ugadi", kind="festival", starts_on=march(25), ends_on=march(25))
    CalendarEvent.objects.create(
        name="Local day", kind="holiday", starts_on=march(19), ends_on=march(19), region="North"
    )

    for product, warehouse in [(p1, west), (p1, north), (p3, west)]:
        f.StockLevelFactory(product=product, warehouse=warehouse)
    StockoutPeriod.objects.create(product=p1, warehouse=west, started_on=march(6), ended_on=march(8))
    StockoutPeriod.objects.create(product=p1, warehouse=north, started_on=march(7), ended_on=march(9))
    StockoutPeriod.objects.create(product=p3, warehouse=west, started_on=march(12), ended_on=None)  # still out
    return SimpleNamespace(
        p1=p1, p2=p2, p3=p3, p4=p4, rice=rice, brand=brand, west=west, north=north, ids=[p1.id, p2.id, p3.id]
    )


def _drivers(market, **location):
    return demand_drivers(series_ids=market.ids, days=DAYS, horizon=HORIZON, **location)


def test_every_array_covers_history_and_horizon(market):
    drivers = _drivers(market)
    assert set(drivers.exogenous) == {
        "price",
        "promo",
        "promo_discount",
        "event_festival",
        "event_holiday",
        "event_sale",
        "event_days_to_next",
    }
    for array in drivers.exogenous.values():
        assert array.shape == (3, 14 + HORIZON)
    assert drivers.censored.shape == (3, 14)
    # The global model reads them as the drivers it explains.
    assert {driver_of(name) for name in drivers.exogenous} == {driver_of(n) for n in ("price", "promo", "event")}


def test_price_is_what_was_paid_carried_over_quiet_days_and_cut_by_promotions(market):
    price = _drivers(market).exogenous["price"]
    p1 = np.full(21, np.nan)
    p1[col(1)] = 100  # no sale yet: the list price
    p1[col(2) : col(4)] = 94  # paid net of discount, then carried
    p1[col(4)] = 94 * 0.8  # no sale on a promotion day: the regular price less 20%
    p1[col(5)] = 80  # paid on promotion
    p1[col(6)] = 94 * 0.8
    p1[col(7) : col(10)] = 94  # the promotion over, back to the regular price, not 80
    p1[col(10) :] = 120  # the North shop's price is the last one in the total
    p1[col(18) : col(20)] = 90  # planned North promotion: 120 less 25%
    np.testing.assert_allclose(price[0], p1)

    p2 = np.full(21, 50.0)  # never sold: the list price, less its promotion 12-16 March
    p2[col(12) : col(17)] = 45
    np.testing.assert_allclose(price[1], p2)

    np.testing.assert_allclose(price[2], 210)  # sold before the window: that price, not the list price


def test_location_sets_whose_prices_and_promotions_count(market):
    west = _drivers(market, region="West")
    expected = np.full(21, 94.0)
    expected[col(1)] = 100
    expected[col(4)] = expected[col(6)] = 94 * 0.8
    expected[col(5)] = 80
    np.testing.assert_allclose(west.exogenous["price"][0], expected)  # no North sale, no North promotion
    assert west.exogenous["promo"][0].nonzero()[0].tolist() == [col(4), col(5), col(6)]

    north = _drivers(market, warehouse_id=market.north.id)
    expected = np.full(21, 100.0)
    expected[col(10) :] = 120
    expected[col(18) : col(20)] = 90
    np.testing.assert_allclose(north.exogenous["price"][0], expected)  # the West promotion does not apply
    assert north.exogenous["promo"][0].nonzero()[0].tolist() == [col(18), col(19)]


def test_prices_read_from_the_rollup_equal_the_sale_lines(market):
    """What training and serving read (the daily rollup) is what the order lines say, after
    every kind of write: orders on and off promotion, discounts, returns, cancellations."""
    rng = np.random.default_rng(20)
    products, warehouses = [market.p1, market.p2, market.p3], [market.west, market.north, None]
    shops = [f.RetailerFactory(region=region) for region in ("West", "North")]
    orders = []
    for _ in range(40):
        day = FIRST + dt.timedelta(days=int(rng.integers(-PRICE_LOOKBACK_DAYS, 14)))
        warehouse = warehouses[int(rng.integers(3))]
        order = f.OrderFactory(
            retailer=shops[int(rng.integers(2))],
            warehouse=warehouse,
            placed_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
        )
        for number in range(1, int(rng.integers(1, 4)) + 1):
            f.OrderLineFactory(
                order=order,
                line_number=number,
                product=products[int(rng.integers(3))],
                quantity=int(rng.integers(1, 20)),
                unit_price=Decimal(f"{rng.uniform(5, 300):.2f}"),
                discount_rate=Decimal(f"{rng.choice([0, 0.05, 0.125, 0.3333]):.4f}"),
                on_promotion=bool(rng.integers(2)),
            )
        orders.append(order)
    for order in orders[:5]:
        order_cancel(order=order)
    line = orders[6].lines.first()
    order_return_create(
        sale=orders[6],
        external_id="RET-P",
        placed_at=orders[6].placed_at + dt.timedelta(days=1),  # in the window: a return sets no price
        lines=[LineInput(line.product_id, 1, line.unit_price)],
    )
    order_create(  # through the service, without a warehouse
        external_id="API-P",
        retailer_id=shops[0].pk,
        placed_at=dt.datetime.combine(FIRST, dt.time(9), tzinfo=dt.UTC),
        lines=[LineInput(market.p2.pk, 3, Decimal("47.10"), Decimal("0.05"))],
    )

    window = {
        "product_ids": market.ids,
        "start": FIRST - dt.timedelta(days=PRICE_LOOKBACK_DAYS),
        "end": DAYS[-1].date(),
    }
    for location in ({}, {"warehouse_id": market.west.id}, {"warehouse_id": market.north.id}):
        from_rollup, from_lines = paid_per_day(**window, **location), paid_per_day_from_lines(**window, **location)
        assert len(from_rollup) > 10
        pd.testing.assert_frame_equal(from_rollup, from_lines, check_exact=False, rtol=1e-12)


def test_promotions_cover_history_and_future_in_their_region(market):
    drivers = _drivers(market)
    promo, discount = drivers.exogenous["promo"], drivers.exogenous["promo_discount"]
    assert promo[0].nonzero()[0].tolist() == [col(4), col(5), col(6), col(18), col(19)]
    assert promo[1].nonzero()[0].tolist() == [col(d) for d in range(12, 17)]  # 3 history days, 2 planned
    assert not promo[2].any()
    assert discount[0, col(5)] == pytest.approx(0.2) and discount[0, col(18)] == pytest.approx(0.25)
    assert set(np.unique(promo)) <= {0.0, 1.0}


def test_spans_reaching_beyond_pandas_timestamps_cover_the_grid(market):
    """A promotion to 9999 (or an event from year 1) would overflow nanosecond timestamps."""
    far = Promotion.objects.create(
        name="Forever", vendor=market.p3.vendor, discount_rate=Decimal("0.1"),
        starts_on=dt.date(2026, 3, 10), ends_on=dt.date(9999, 12, 31),
    )  # fmt: skip
    far.products.set([market.p3])
    CalendarEvent.objects.create(name="Always", kind="sale", starts_on=dt.date(1, 1, 1), ends_on=dt.date(9999, 1, 1))
    StockoutPeriod.objects.create(
        product=market.p2, warehouse=market.west, started_on=dt.date(1, 1, 1), ended_on=dt.date(9999, 1, 1)
    )
    drivers = _drivers(market)
    assert drivers.exogenous["promo"][2].nonzero()[0].tolist() == list(range(col(10), 14 + HORIZON))
    assert drivers.exogenous["event_sale"].all()
    assert drivers.censored[1].all()


def test_events_by_kind_and_region_and_days_to_the_next_festival(market):
    total, west = _drivers(market), _drivers(market, region="West")
    for drivers in (total, west):
        assert (drivers.exogenous["event_festival"] == drivers.exogenous["event_festival"][0]).all()  # same per row
        assert drivers.exogenous["event_festival"][0].nonzero()[0].tolist() == [col(3), col(4)]
        assert not drivers.exogenous["event_sale"].any()
    assert total.exogenous["event_holiday"][0].nonzero()[0].tolist() == [col(19)]  # any region counts in the total
    assert not west.exogenous["event_holiday"].any()  # a North holiday is not the West's

    days_to_next = total.exogenous["event_days_to_next"][0]
    assert days_to_next[: col(6)].tolist() == [2, 1, 0, 0, 20]
    # Ugadi on 25 March, after the horizon, still counts down: 10 days from the 15th, 4 from the 21st.
    assert days_to_next[col(15)] == 10 and days_to_next[-1] == 4
    assert days_to_next.max() <= 30


def test_censored_days_per_warehouse_region_and_product_total(market):
    def out_days(drivers, row=0):
        return (drivers.censored[row].nonzero()[0] + 1).tolist()  # days of March

    total = _drivers(market)
    assert out_days(total) == [7, 8]  # p1 only when both warehouses that stock it were out
    assert out_days(total, row=1) == []
    assert out_days(total, row=2) == [12, 13, 14]  # ongoing: through the last day of history
    assert out_days(_drivers(market, warehouse_id=market.west.id)) == [6, 7, 8]
    assert out_days(_drivers(market, warehouse_id=market.north.id)) == [7, 8, 9]
    assert out_days(_drivers(market, region="West")) == [6, 7, 8]  # the West's one warehouse
    assert total.censored.dtype == bool


def test_static_codes_place_each_product_in_the_catalog(market):
    static = _drivers(market).static
    p3 = market.p3
    assert static["category"].tolist() == [market.rice.id, market.rice.id, p3.category_id]
    assert static["parent_category"].tolist() == [market.rice.parent_id, market.rice.parent_id, p3.category.parent_id]
    assert static["brand"].tolist() == [market.brand.id, market.brand.id, -1]
    assert static["vendor"].tolist() == [market.p1.vendor_id, market.p2.vendor_id, p3.vendor_id]
    # Rice holds 50, 100 and 150 (p4, not asked for, still counts): fifths 0, 1 and 3.
    assert static["price_band"].tolist() == [1, 0, 0]
    alone = demand_drivers(series_ids=[market.p1.id], days=DAYS, horizon=0).static["price_band"]
    assert alone.tolist() == [1]  # a product's band does not depend on the batch
    for codes in static.values():
        assert codes.dtype == np.int64


def test_the_kept_catalog_follows_a_product_edit_at_once(market, django_assert_max_num_queries):
    """The catalog is kept per data version and directory stamp: a new list price moves p2's band and its
    price on days without a sale in the very next answer, not once the memoised data version expires."""
    before = _drivers(market)
    with django_assert_max_num_queries(MAX_QUERIES):
        _drivers(market)  # kept
    market.p2.unit_price = Decimal("160")
    market.p2.save()
    after = _drivers(market)
    # Rice now holds 100, 150 and 160: fifths 0, 1 and 3.
    assert before.static["price_band"].tolist() == [1, 0, 0] and after.static["price_band"].tolist() == [0, 3, 0]
    assert before.exogenous["price"][1, 0] == 50 and after.exogenous["price"][1, 0] == 160


def test_a_product_created_without_the_signal_is_read_all_the_same(market):
    """A raw import writes products without moving the directory stamp; the kept catalog lacks them, so it is read
    again rather than refusing the product or giving it no codes."""
    from retailiq.catalog.models import Product

    _drivers(market)
    template = f.ProductFactory.build(category=market.rice, brand=None, unit_price=Decimal("10"))
    template.vendor = market.p1.vendor
    (created,) = Product.objects.bulk_create([template])
    static = demand_drivers(series_ids=[created.pk, market.p1.id], days=DAYS, horizon=0).static
    assert static["category"].tolist() == [market.rice.id, market.rice.id]
    assert static["brand"].tolist() == [-1, market.brand.id]
    # Rice holds 10, 50, 100 and 150: fifths 0, 1, 2 and 3.
    assert static["price_band"].tolist() == [0, 2]


def test_queries_do_not_grow_with_products(market, django_assert_max_num_queries):
    _drivers(market)  # the data version and the catalog, read once
    for location in ({}, {"region": "West"}, {"warehouse_id": market.west.id}):
        with django_assert_max_num_queries(MAX_QUERIES):
            _drivers(market, **location)
    # Twenty more products, each with a sale, a promotion and a stockout: same count.
    more = [f.ProductFactory(category=market.rice) for _ in range(20)]
    order = f.OrderFactory(placed_at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), warehouse=market.west)
    for number, product in enumerate(more, start=1):
        f.OrderLineFactory(order=order, product=product, line_number=number)
        StockoutPeriod.objects.create(product=product, warehouse=market.west, started_on=dt.date(2026, 3, 2))
    promo = Promotion.objects.create(
        name="Wide", vendor=more[0].vendor, discount_rate=Decimal("0.1"), starts_on=FIRST, ends_on=FIRST
    )
    promo.products.set(more)
    with django_assert_max_num_queries(MAX_QUERIES + 1):  # new products: the catalog is read again
        drivers = demand_drivers(series_ids=[p.id for p in more] + market.ids, days=DAYS, horizon=HORIZON)
    assert drivers.censored[:20, col(2) :].all() and drivers.exogenous["promo"][:20, col(1)].all()


def test_drivers_attach_to_the_matrix_they_were_built_for(market):
    matrix = DemandMatrix(series_ids=np.asarray(market.ids), days=DAYS, values=np.zeros((3, 14)))
    attached = matrix_with_drivers(matrix, horizon=HORIZON)
    assert attached.exogenous["price"].shape == (3, 21) and attached.censored.shape == (3, 14)
    assert attached.static["price_band"].tolist() == [1, 0, 0]
    assert attached.exogenous_until("price", 21).shape == (3, 21)
    other = DemandMatrix(series_ids=np.asarray(market.ids[::-1]), days=DAYS, values=np.zeros((3, 14)))
    with pytest.raises(ValueError, match="other series"):
        attach_drivers(other, _drivers(market))


def test_bad_arguments_are_refused(market):
    with pytest.raises(ValueError, match="not both"):
        _drivers(market, region="West", warehouse_id=market.west.id)
    with pytest.raises(ValueError, match="consecutive"):
        demand_drivers(series_ids=market.ids, days=DAYS[::2], horizon=1)
    with pytest.raises(ValueError, match="No product"):
        demand_drivers(series_ids=[market.p1.id, 10**9], days=DAYS, horizon=1)


def test_daily_sales_by_location(market):
    # An order without a warehouse counts in its region but in no warehouse series.
    _sale(f.RetailerFactory(region="West"), None, dt.date(2026, 3, 2), market.p1, (6, "100", "0", False))
    start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 14)

    by_region = daily_sales_by_location(kind="region", start=start, end=end)
    rows = sorted(by_region.itertuples(index=False))
    assert [(r.series_id, r.location, r.date.day, r.units) for r in rows] == [
        (market.p1.id, "North", 10, 1.0),
        (market.p1.id, "West", 2, 11.0),  # 5 + 6, two orders the same day
        (market.p1.id, "West", 5, 4.0),  # the cancelled order and the return on the 8th are not demand
    ]
    by_warehouse = daily_sales_by_location(kind="warehouse", start=start, end=end, product_ids=[market.p1.id])
    assert sorted(zip(by_warehouse["location"], by_warehouse["date"].dt.day, by_warehouse["units"], strict=True)) == [
        ("wh-north", 10, 1.0),
        ("wh-west", 2, 5.0),
        ("wh-west", 5, 4.0),
    ]
    assert list(by_warehouse.columns) == ["series_id", "location", "date", "units"]
    assert daily_sales_by_location(kind="region", start=start, end=end, product_ids=[market.p2.id]).empty
    with pytest.raises(ValueError, match="Location kind"):
        daily_sales_by_location(kind="city", start=start, end=end)
