"""Order histories written to the database for the reorder service and adapter tests: seeded, small, fast."""

import datetime as dt
from decimal import Decimal

import numpy as np

from retailiq.orders.models import Order, OrderLine
from tests import factories as f


def buy(shop, product, day: dt.date, quantity: int = 10, *, kind: str = "sale", status: str = "delivered") -> Order:
    """One order of one product on a day."""
    order = f.OrderFactory(
        retailer=shop,
        placed_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        kind=kind,
        status=status,
        cancelled_at=dt.datetime.combine(day, dt.time(11), tzinfo=dt.UTC) if status == "cancelled" else None,
    )
    f.OrderLineFactory(order=order, product=product, quantity=quantity, unit_price=Decimal("40"), line_number=1)
    return order


def periodic_history(shops, products, *, end: dt.date, days: int = 240, seed: int = 0, warehouse=None) -> int:
    """Every shop buys a few products each on its own cycle (4 to 21 days, a day of jitter) up to ``end``,
    in bulk; returns the number of lines."""
    rng = np.random.default_rng(seed)
    warehouse = warehouse or f.WarehouseFactory()
    plans = []
    for shop in shops:
        for product in rng.choice(products, size=min(len(products), int(rng.integers(2, 5))), replace=False):
            period = int(rng.integers(4, 22))
            quantity = int(rng.integers(3, 30))
            for offset in range(int(rng.integers(0, period)), days, period):
                day = end - dt.timedelta(days=days - 1 - offset + int(rng.integers(0, 2)))
                plans.append((shop, product, min(day, end), max(1, quantity + int(rng.integers(-2, 3)))))
    orders = Order.objects.bulk_create(
        Order(
            external_id=f"HIST-{seed}-{i}",
            retailer=shop,
            warehouse=warehouse,
            placed_at=dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC),
            status="delivered",
        )
        for i, (shop, _, day, _) in enumerate(plans)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            line_number=1,
            product=product,
            quantity=quantity,
            unit_price=product.unit_price,
            retailer=shop,
            placed_on=day,
        )
        for order, (shop, product, day, quantity) in zip(orders, plans, strict=True)
    )
    return len(plans)


def move_fixture_orders(marketplace, day: dt.date) -> None:
    """The marketplace fixture's two orders are placed 'three days ago'; put them on a fixed day instead."""
    placed_at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    orders = [marketplace.order_a.pk, marketplace.order_b.pk]
    Order.objects.filter(pk__in=orders).update(placed_at=placed_at)
    OrderLine.objects.filter(order__in=orders).update(placed_on=day)
