"""Purchase orders through their states; receipts write the ledger and move what is on order."""

import datetime as dt
from decimal import Decimal

import pytest

from retailiq.core.errors import Conflict, InvalidInput
from retailiq.inventory.models import MovementKind, PurchaseOrderStatus, StockLevel, StockMovement
from retailiq.inventory.selectors import stock_daily_frame, stock_on_hand
from retailiq.inventory.services import (
    PurchaseOrderLineInput,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories as f

D = dt.date(2026, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


@pytest.fixture
def setup(db):
    vendor = f.VendorFactory()
    products = [f.ProductFactory(vendor=vendor), f.ProductFactory(vendor=vendor)]
    return vendor, products, f.WarehouseFactory()


def draft(setup, quantities=(100, 50)):
    vendor, products, warehouse = setup
    lines = [PurchaseOrderLineInput(p.pk, q, Decimal("10.00")) for p, q in zip(products, quantities, strict=True)]
    return purchase_order_create(vendor_id=vendor.pk, warehouse=warehouse, lines=lines)


def level(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_send_partly_receive_then_receive(setup):
    _, (a, b), warehouse = setup
    order = draft(setup)
    assert order.status == PurchaseOrderStatus.DRAFT and order.number.startswith("PO")
    order = purchase_order_send(order=order, sent_on=day(0), promised_on=day(7))
    assert (level(a, warehouse).on_order, level(b, warehouse).on_order) == (100, 50)

    order = purchase_order_receive(order=order, received_on=day(8), quantities={a.pk: 60})
    assert order.status == PurchaseOrderStatus.PARTLY_RECEIVED and order.first_received_on == day(8)
    assert (level(a, warehouse).on_hand, level(a, warehouse).on_order) == (60, 40)

    order = purchase_order_receive(order=order, received_on=day(10), quantities={a.pk: 40, b.pk: 50})
    assert order.status == PurchaseOrderStatus.RECEIVED and order.closed_on == day(10)
    assert (level(a, warehouse).on_hand, level(a, warehouse).on_order) == (100, 0)
    receipts = StockMovement.objects.filter(kind=MovementKind.RECEIPT, reference=order.number)
    assert receipts.count() == 3 and all(r.purchase_order_line_id for r in receipts)
    assert stock_on_hand(product_id=a.pk, warehouse_id=warehouse.pk, as_of=day(9)) == 60

    frame = stock_daily_frame(start=day(0), end=day(10), pairs=[(a.pk, warehouse.pk)]).set_index("date")
    assert frame.loc[day(0), "on_order"] == 0, "on order from the day after it was sent"
    assert frame.loc[day(1), "on_order"] == 100 and frame.loc[day(9), "on_order"] == 40
    assert frame.loc[day(10), "on_order"] == 0


def test_closing_short_takes_the_rest_off_order(setup):
    _, (a, b), warehouse = setup
    order = purchase_order_send(order=draft(setup), sent_on=day(0), promised_on=day(5))
    order = purchase_order_receive(order=order, received_on=day(5), quantities={a.pk: 70}, close=True)
    assert order.status == PurchaseOrderStatus.RECEIVED
    assert (level(a, warehouse).on_hand, level(a, warehouse).on_order, level(b, warehouse).on_order) == (70, 0, 0)


def test_cancel_a_sent_order(setup):
    _, (a, _), warehouse = setup
    order = purchase_order_send(order=draft(setup), sent_on=day(0), promised_on=day(5))
    order = purchase_order_cancel(order=order, cancelled_on=day(2))
    assert order.status == PurchaseOrderStatus.CANCELLED and level(a, warehouse).on_order == 0


@pytest.mark.parametrize(
    "steps, action",
    [
        ([], "receive"),  # a draft has not been sent
        (["send", "receive_all"], "send"),
        (["send", "receive_all"], "cancel"),
        (["send", "receive_some"], "cancel"),  # close it short instead
        (["cancel"], "send"),
        (["cancel"], "receive"),
    ],
)
def test_illegal_transitions_are_refused_naming_the_status(setup, steps, action):
    _, (a, b), _ = setup
    order = draft(setup)
    do = {
        "send": lambda o: purchase_order_send(order=o, sent_on=day(0), promised_on=day(5)),
        "receive": lambda o: purchase_order_receive(order=o, received_on=day(6), quantities={a.pk: 1}),
        "receive_all": lambda o: purchase_order_receive(order=o, received_on=day(6), quantities={a.pk: 100, b.pk: 50}),
        "receive_some": lambda o: purchase_order_receive(order=o, received_on=day(6), quantities={a.pk: 10}),
        "cancel": lambda o: purchase_order_cancel(order=o, cancelled_on=day(6)),
    }
    for step in steps:
        order = do[step](order)
    before = order.status
    with pytest.raises(Conflict) as refused:
        do[action](order)
    assert "status" in refused.value.fields
    order.refresh_from_db()
    assert order.status == before


def test_bad_input_names_its_field(setup):
    vendor, (a, _), warehouse = setup
    with pytest.raises(InvalidInput) as other_vendor:
        purchase_order_create(
            vendor_id=vendor.pk,
            warehouse=warehouse,
            lines=[PurchaseOrderLineInput(f.ProductFactory().pk, 1, Decimal(1))],
        )
    assert "lines" in other_vendor.value.fields
    order = draft(setup)
    with pytest.raises(InvalidInput) as promise:
        purchase_order_send(order=order, sent_on=day(5), promised_on=day(1))
    assert "promised_on" in promise.value.fields
    order = purchase_order_send(order=order, sent_on=day(0), promised_on=day(5))
    with pytest.raises(InvalidInput) as over:
        purchase_order_receive(order=order, received_on=day(5), quantities={a.pk: 101})
    assert "quantities" in over.value.fields
    assert level(a, warehouse).on_hand == 0
