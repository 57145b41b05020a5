import datetime as dt
from types import SimpleNamespace

import pytest

from retailiq.accounts.models import Role, User
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace

END = dt.date(2026, 3, 1)


@pytest.fixture
def stocked(db):
    """The tiny demo marketplace (its ledger, purchase orders and stockouts) and one login per role."""
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=END))
    vendors = list(User.objects.filter(role=Role.VENDOR).order_by("vendor_id"))
    return SimpleNamespace(
        vendor_a=vendors[0],
        vendor_b=vendors[1],
        analyst=User.objects.filter(role=Role.ANALYST).first(),
        retailer=User.objects.filter(role=Role.RETAILER).first(),
        rep=User.objects.filter(role=Role.SALES_REP).first(),
    )
