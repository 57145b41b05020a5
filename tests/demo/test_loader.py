import datetime as dt

import pandas as pd
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Sum

from retailiq.accounts.models import Role, User
from retailiq.catalog.models import Product
from retailiq.demo import loader
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import DEMO_PASSWORD, load_marketplace
from retailiq.inventory.models import PurchaseOrderLine, StockLevel, StockMovement, StockoutPeriod
from retailiq.orders.models import LostSale, Order, OrderKind, OrderLine, OrderStatus
from retailiq.retailers.models import Retailer
from retailiq.rollups.checks import rollups_compare
from retailiq.rollups.models import ProductDailySales
from tests import factories as f

END = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def tiny_market():
    return generate_marketplace(size="tiny", seed=11, end=END)


def test_load_writes_every_generated_row(db, tiny_market):
    report = load_marketplace(tiny_market)
    history = tiny_market.history
    assert Order.objects.count() == len(history.orders) == report.rows["orders"]
    assert OrderLine.objects.count() == len(history.lines)
    assert Product.objects.count() == len(tiny_market.catalog.products)
    assert Retailer.objects.filter(assigned_rep__role=Role.SALES_REP).count() == len(tiny_market.catalog.retailers)
    assert StockLevel.objects.count() == len(tiny_market.stock_levels)
    # Stockouts follow from the ledger; the tiny size may have none still open at the end (the demo size does).
    assert StockoutPeriod.objects.count() == len(tiny_market.history.stockouts) > 0
    assert Order.objects.filter(kind=OrderKind.RETURN, returns_order__isnull=False).exists()
    assert Order.objects.filter(status=OrderStatus.CANCELLED, cancelled_at__isnull=False).exists()
    first = Order.objects.order_by("placed_at").first()
    assert first.placed_at.tzinfo is not None and first.lines.first().placed_on == first.placed_at.date()
    # The refused lines are on record as lost sales, and the per-product days carry their units.
    assert LostSale.objects.count() == len(history.refused) == report.rows["lost_sales"] > 0
    assert LostSale.objects.filter(order__isnull=False).exists()
    assert not LostSale.objects.filter(order__status=OrderStatus.CANCELLED).exists()
    lost = ProductDailySales.objects.aggregate(total=Sum("lost_units"))["total"]
    assert lost == int(history.refused["quantity"].sum())
    # The rollups are built once at the end of the load and agree with the lines.
    assert ProductDailySales.objects.exists() and not any(d.differs for d in rollups_compare())


def test_every_demo_login_works_with_the_documented_password(db, tiny_market):
    load_marketplace(tiny_market)
    expected = {
        "admin": Role.ADMIN,
        "analyst": Role.ANALYST,
        "retailer": Role.RETAILER,
        "retailer2": Role.RETAILER,
        "vendor": Role.VENDOR,
        "vendor2": Role.VENDOR,
        "rep": Role.SALES_REP,
    }
    for username, role in expected.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None and user.role == role, username
    rep = User.objects.get(username="rep")
    assert rep.assigned_retailers.exists()


def test_ids_continue_after_the_load(db, tiny_market):
    load_marketplace(tiny_market)
    order = f.OrderFactory(retailer=Retailer.objects.first())
    assert order.pk > len(tiny_market.history.orders)


def test_loading_into_a_populated_database_refuses_and_keeps_the_data(db, tiny_market):
    load_marketplace(tiny_market)
    before = Order.objects.count()
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_demo_data", size="tiny", seed=3, end_date=END)
    assert Order.objects.count() == before
    call_command("generate_demo_data", size="tiny", seed=3, end_date=END, if_empty=True)
    assert Order.objects.count() == before


def test_reset_replaces_the_marketplace(db, tiny_market):
    load_marketplace(tiny_market)
    call_command("generate_demo_data", size="tiny", seed=3, end_date=END, reset=True)
    other = generate_marketplace(size="tiny", seed=3, end=END)
    assert Order.objects.count() == len(other.history.orders)
    assert User.objects.filter(username="admin").count() == 1
    assert not any(d.differs for d in rollups_compare())  # the old marketplace's rollups went with it


def test_the_models_see_what_retailers_ordered_sold_plus_refused(db, tiny_market):
    """What the forecasts learn from the loaded demo is, per product and day, the shipped sale lines of orders not
    cancelled plus the refused lines: the bench's `ordered` column (bench/demo_series.py), not the sales alone."""
    from forecasting.selectors import daily_product_demand

    load_marketplace(tiny_market)
    history = tiny_market.history
    orders = history.orders.set_index("id")
    lines = history.lines.join(orders[["kind", "status"]], on="order_id")
    sold = lines[(lines["kind"] == "sale") & (lines["status"] != "cancelled")]
    both = pd.concat(
        [sold[["product_id", "placed_on", "quantity"]], history.refused[["product_id", "placed_on", "quantity"]]]
    )
    ordered = both.groupby(["product_id", "placed_on"])["quantity"].sum()
    learned = daily_product_demand().assign(placed_on=lambda d: d["date"].dt.date)
    learned = learned.set_index(["series_id", "placed_on"])["units"]
    assert learned.sum() > sold["quantity"].sum()  # the refusals are in
    assert dict(learned.items()) == {key: float(value) for key, value in ordered.items()}


def _table_rows(model) -> pd.DataFrame:
    """Every stored row of a table in id order, timestamps the loader fills in left out."""
    frame = pd.DataFrame(list(model.objects.order_by("pk").values()))
    return frame.drop(columns=[c for c in ("created_at", "updated_at") if c in frame.columns])


def test_loading_in_small_slices_writes_the_same_rows(db, tiny_market, monkeypatch):
    """The loader writes each table a slice of rows at a time; slices of 7 rows (hundreds of slices for the
    order lines, a short last one) must store exactly what one slice per table stores."""
    tables = (Order, OrderLine, LostSale, StockMovement, PurchaseOrderLine, Product)
    monkeypatch.setattr(loader, "SLICE_ROWS", 10**9)
    load_marketplace(tiny_market)
    whole = {model: _table_rows(model) for model in tables}
    monkeypatch.setattr(loader, "SLICE_ROWS", 7)
    load_marketplace(tiny_market, reset=True)
    for model in tables:
        assert len(whole[model]) > 7, model
        pd.testing.assert_frame_equal(_table_rows(model), whole[model], check_exact=True, obj=model.__name__)
    assert not any(d.differs for d in rollups_compare())
