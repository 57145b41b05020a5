"""Supplier reliability and lead times, measured from receipts on a hand-built history."""

import datetime as dt
from decimal import Decimal

import pytest

from retailiq.inventory.selectors import delivery_frame, lead_time_by_pair, supplier_reliability
from retailiq.inventory.services import (
    PurchaseOrderLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories as f

D = dt.date(2026, 1, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


@pytest.fixture
def history(db):
    """Vendor A: promised 5 days; arrivals 5 (on time), 8 (3 late), 4 (1 early) days after ordering; the second
    delivered 80 of 100. One order still open. Vendor B: one delivery, 2 days late."""
    a, b = f.VendorFactory(), f.VendorFactory()
    pa, pb = f.ProductFactory(vendor=a), f.ProductFactory(vendor=b)
    warehouse = f.WarehouseFactory()

    def deliver(vendor, product, sent: int, promised: int, arrived: int | None, received: int) -> None:
        line = PurchaseOrderLineInput(product.pk, 100, Decimal("5"))
        order = purchase_order_create(vendor_id=vendor.pk, warehouse=warehouse, lines=[line])
        order = purchase_order_send(order=order, sent_on=day(sent), promised_on=day(sent + promised))
        if arrived is not None:
            purchase_order_receive(
                order=order, received_on=day(sent + arrived), quantities={product.pk: received}, close=True
            )

    deliver(a, pa, 0, 5, 5, 100)
    deliver(a, pa, 10, 5, 8, 80)
    deliver(a, pa, 30, 5, 4, 100)
    deliver(a, pa, 50, 5, None, 0)
    deliver(b, pb, 0, 7, 9, 100)
    return a, b, pa, warehouse


def test_reliability_per_vendor(history):
    a, b, _, _ = history
    stats = supplier_reliability().set_index("vendor_id")
    row = stats.loc[a.pk]
    assert row["deliveries"] == 3
    assert row["lateness_mean_days"] == pytest.approx(2 / 3)  # 0, +3, -1
    assert row["lateness_std_days"] == pytest.approx(np_std([0, 3, -1]))
    assert row["on_time_share"] == pytest.approx(2 / 3)
    assert row["fill_rate"] == pytest.approx(280 / 300), "the open order is not counted"
    assert row["lead_time_mean_days"] == pytest.approx(17 / 3)
    assert stats.loc[b.pk, "lateness_mean_days"] == 2 and stats.loc[b.pk, "on_time_share"] == 0


def test_reliability_knows_only_what_had_arrived_by_then(history):
    a, _, _, _ = history
    early = supplier_reliability(until=day(15), vendor_ids=[a.pk]).set_index("vendor_id")
    assert early.loc[a.pk, "deliveries"] == 1
    frame = delivery_frame(until=day(15), vendor_ids=[a.pk])
    assert len(frame) == 2 and frame["arrived_on"].isna().sum() == 1, "the second order had not arrived on day 15"


def test_lead_time_per_pair(history):
    _, _, product, warehouse = history
    leads = lead_time_by_pair(min_deliveries=2)
    assert list(zip(leads["product_id"], leads["warehouse_id"], strict=True)) == [(product.pk, warehouse.pk)]
    assert leads["lead_time_mean_days"].iat[0] == pytest.approx(17 / 3)


def np_std(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
