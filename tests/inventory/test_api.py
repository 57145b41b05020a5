"""The ledger and purchase orders over the API: a vendor sees its own, analysts all, retailers nothing; a bad
filter answers 400 naming it."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from retailiq.accounts.models import Role, User
from retailiq.catalog.models import Product
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace
from retailiq.inventory.models import PurchaseOrder, StockMovement


@pytest.fixture
def users(db):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=dt.date(2026, 3, 1)))
    return {role: User.objects.filter(role=role).order_by("vendor_id").first() for role in Role.values}


def _get(user, path: str, **params):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/{path}/", {"limit": 500, **params})


def test_the_ledger_is_scoped_and_filtered(users):
    vendor = users[Role.VENDOR]
    own = set(Product.objects.filter(vendor_id=vendor.vendor_id).values_list("pk", flat=True))
    answer = _get(vendor, "stock-movements", kind="receipt")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert rows and {row["product"] for row in rows} <= own and {row["kind"] for row in rows} == {"receipt"}
    assert all(row["purchase_order_line"] for row in rows)
    every = _get(users[Role.ANALYST], "stock-movements", limit=1).json()["count"]
    assert every == StockMovement.objects.count() > _get(vendor, "stock-movements", limit=1).json()["count"]
    assert _get(users[Role.RETAILER], "stock-movements").json()["count"] == 0
    bad = _get(vendor, "stock-movements", moved_on__gte="yesterday")
    assert bad.status_code == 400 and "moved_on__gte" in str(bad.json())


def test_purchase_orders_come_with_their_lines_to_their_vendor(users):
    vendor = users[Role.VENDOR]
    rows = _get(vendor, "purchase-orders").json()["results"]
    assert rows and {row["vendor"] for row in rows} == {vendor.vendor_id}
    assert all(row["lines"] and row["lines"][0]["quantity_ordered"] > 0 for row in rows)
    assert _get(users[Role.ANALYST], "purchase-orders", limit=1).json()["count"] == PurchaseOrder.objects.count()
    assert _get(users[Role.SALES_REP], "purchase-orders").json()["count"] == 0
    bad = _get(vendor, "purchase-orders", status="lost")
    assert bad.status_code == 400 and "status" in str(bad.json())
