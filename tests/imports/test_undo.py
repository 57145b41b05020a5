"""Undo never cascades into data recorded after the batch: for every table that refers to a
product, retailer, vendor or order, a later row keeps what it refers to, survives the undo, and
the batch says what it kept. The cases are checked against the models' reverse relations, so a
new table that refers to one of them fails here until it has a case."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone

from forecasting.models import DemandForecast
from insights.models import Insight, PatternProfile, RetailerSegment, SeriesAnomaly
from optimization.models import Plan, PlanLine, StockoutRisk
from recommendations.models import Recommendation, RecommendationFeedback
from reorder.models import CallOutcome, ReorderPrediction
from retailiq.catalog.models import Brand, Product, Vendor
from retailiq.events.models import Promotion
from retailiq.imports.services import import_batch_undo, import_file
from retailiq.inventory.models import PurchaseOrder, PurchaseOrderLine, StockMovement, StockoutPeriod
from retailiq.orders.models import LostSale, Order, OrderKind, OrderLine
from retailiq.orders.services import LineInput, lost_sale_create, order_create
from retailiq.registry.models import ModelVersion
from retailiq.retailers.models import Retailer
from retailiq.rollups.models import (
    ProductDailySales,
    ProductWarehouseDailySales,
    RetailerDailySales,
    RetailerProductSales,
    VendorRetailerDailySales,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

FILE = """
SO-1,2025-03-01 09:15:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,4,10.50
SO-2,2025-03-02 11:00:00,R1,Asha Stores,Pune,SKU-A,Rice 5 kg,Staples,10,10.00
"""
TODAY = dt.date(2025, 4, 1)


def _later_order(*, retailer: Retailer, product: Product, **fields) -> OrderLine:
    order = f.OrderFactory(retailer=retailer, placed_at=timezone.now(), **fields)
    return f.OrderLineFactory(order=order, product=product, line_number=1)


def _later_sale(*, retailer: Retailer, product: Product) -> Order:
    """A sale through the order service, so the rollups count it."""
    return order_create(
        external_id=f"LATER-{retailer.pk}-{product.pk}", retailer_id=retailer.pk, warehouse_id=f.WarehouseFactory().pk,
        placed_at=timezone.now(), lines=[LineInput(product.pk, 2, Decimal("10"))],
    )  # fmt: skip


def _rollup(model: type, *, retailer: Retailer, product: Product):
    """The rollup row a later sale of `product` to `retailer` leaves."""
    sale = _later_sale(retailer=retailer, product=product)
    day = sale.lines.get().placed_on
    if model is RetailerDailySales:
        return RetailerDailySales.objects.get(retailer=retailer, day=day)
    if model is RetailerProductSales:
        return RetailerProductSales.objects.get(retailer=retailer, product=product)
    if model is VendorRetailerDailySales:
        return VendorRetailerDailySales.objects.get(vendor=product.vendor, retailer=retailer, day=day)
    return model.objects.get(product=product, day=day)


def _promotion(*, vendor: Vendor, product: Product | None = None) -> Promotion:
    promotion = Promotion.objects.create(
        name="Holi", vendor=vendor, discount_rate=Decimal("0.1"), starts_on=TODAY, ends_on=TODAY
    )
    if product is not None:
        promotion.products.add(product)
    return promotion


def _prediction(*, retailer: Retailer, product: Product) -> ReorderPrediction:
    return ReorderPrediction.objects.create(
        as_of=TODAY, retailer=retailer, product=product, probabilities={"14": 0.5}, probability=0.5,
        expected_quantity=3, expected_date=TODAY, expected_value=30, priority=15, last_order_date=TODAY,
        days_since_last_order=1, interval_days=7, days_overdue=0, unit_price=10,
    )  # fmt: skip


def _call(*, retailer: Retailer, product: Product | None = None) -> CallOutcome:
    call = CallOutcome.objects.create(rep=f.SalesRepFactory(), retailer=retailer, outcome=CallOutcome.Outcome.ORDERED)
    if product is not None:
        call.products.add(product)
    return call


def _forecast(product: Product) -> DemandForecast:
    version = ModelVersion.objects.create(capability="forecasting", algorithm="lightgbm_global")
    return DemandForecast.objects.create(
        model_version=version, product=product, target_date=TODAY, origin_date=TODAY, quantity=1,
        lower_80=0, upper_80=2, lower_95=0, upper_95=3,
    )  # fmt: skip


def _movement(product: Product) -> StockMovement:
    return StockMovement.objects.create(
        product=product, warehouse=f.WarehouseFactory(), moved_on=TODAY, quantity=5, kind="adjustment",
        reference="stock count",
    )  # fmt: skip


def _purchase_order(*, vendor: Vendor, product: Product | None = None) -> PurchaseOrder:
    order = PurchaseOrder.objects.create(number=f"PO-LATER-{vendor.pk}", vendor=vendor, warehouse=f.WarehouseFactory())
    if product is not None:
        PurchaseOrderLine.objects.create(purchase_order=order, product=product, quantity_ordered=6, unit_cost=4)
    return order


def _recommendation(*, retailer: Retailer, product: Product) -> Recommendation:
    return Recommendation.objects.create(
        as_of=TODAY, retailer=retailer, kind="discover", rank=1, product=product, score=0.5,
        reason="often bought with rice", source="item_knn",
    )  # fmt: skip


def _feedback(*, retailer: Retailer, product: Product) -> RecommendationFeedback:
    return RecommendationFeedback.objects.create(
        retailer=retailer, product=product, action="dismissed", kind="discover"
    )


def _risk(product: Product) -> StockoutRisk:
    return StockoutRisk.objects.create(
        as_of=TODAY, product=product, warehouse=f.WarehouseFactory(), probability_14=0.2, probability_lead_time=0.1,
        days_to_stockout=9, expected_lost_revenue=40, priority=8, on_hand=12, on_order=0, mean_per_day=1.5,
        cover_days=8, lead_time_days=5, reason="8 days of cover", scored_at=timezone.now(),
    )  # fmt: skip


def _plan(vendor: Vendor | None = None) -> Plan:
    return Plan.objects.create(
        name="Later plan", created_by=f.UserFactory(), as_of=TODAY, vendor=vendor, explanation="", error=""
    )


def _plan_line(*, product: Product, vendor: Vendor) -> PlanLine:
    return PlanLine.objects.create(
        plan=_plan(), product=product, warehouse=f.WarehouseFactory(), vendor=vendor, on_hand=3, on_order=0,
        mean_per_day=1, days_of_cover=3, unit_cost=4, order_qty=6, order_value=24, order_up_to=9, reorder_point=5,
        safety_stock=2, expected_holding=1, expected_shortage=0.5, ordering_cost=10, expected_service=0.95,
    )  # fmt: skip


def _insight(**subject) -> Insight:
    return Insight.objects.create(
        as_of=TODAY, key=f"later:{sorted(subject)}", kind="spike", subject_kind="product", severity=2, score=4.5,
        title="Sold 3.2x its expected week", **subject,
    )  # fmt: skip


def _segment(retailer: Retailer) -> RetailerSegment:
    return RetailerSegment.objects.create(
        retailer=retailer, month=TODAY.replace(day=1), as_of=TODAY, segment="loyal", segment_label="Loyal regulars",
        recency_days=3, frequency=12, monetary=900, r_score=4, f_score=4, m_score=3,
    )  # fmt: skip


def _anomaly(**subject) -> SeriesAnomaly:
    key = f"r{subject['retailer'].pk}" if "retailer" in subject else f"p{subject['product'].pk}"
    return SeriesAnomaly.objects.create(
        as_of=TODAY, series_kind="retailer" if "retailer" in subject else "product", series_key=key, date=TODAY,
        value=30, expected=10, lower=6, upper=14, score=6.2, direction="spike", **subject,
    )  # fmt: skip


Imported = tuple[Product, Retailer, Vendor, Order]


# (model the batch created, its reverse relation) -> a row recorded after the batch that refers to it
def _lost_on_order(order: Order) -> LostSale:
    """A refusal recorded later against one of the batch's orders (in the admin): the order is then in use."""
    from retailiq.rollups.services import rollups_apply_lost_sales

    lost = LostSale.objects.create(
        order=order,
        retailer_id=order.retailer_id,
        product=order.lines.first().product,
        lost_on=order.lines.first().placed_on,
        quantity=2,
    )
    rollups_apply_lost_sales(lost_sales=LostSale.objects.filter(pk=lost.pk), sign=+1)
    return lost


LATER: dict[tuple[type, str], Callable[[Imported], object]] = {
    (Product, "stock_levels"): lambda b: f.StockLevelFactory(product=b[0]),
    (Product, "stockouts"): lambda b: StockoutPeriod.objects.create(
        product=b[0], warehouse=f.WarehouseFactory(), started_on=TODAY
    ),
    (Product, "order_lines"): lambda b: _later_order(retailer=f.RetailerFactory(), product=b[0]),
    (Product, "promotions"): lambda b: _promotion(vendor=f.VendorFactory(), product=b[0]),
    (Product, "demand_forecasts"): lambda b: _forecast(b[0]),
    (Product, "reorder_predictions"): lambda b: _prediction(retailer=f.RetailerFactory(), product=b[0]),
    (Product, "call_outcomes"): lambda b: _call(retailer=f.RetailerFactory(), product=b[0]),
    (Product, "stock_movements"): lambda b: _movement(b[0]),
    (Product, "purchase_order_lines"): lambda b: _purchase_order(vendor=f.VendorFactory(), product=b[0]),
    (Product, "recommendations"): lambda b: _recommendation(retailer=f.RetailerFactory(), product=b[0]),
    (Product, "recommendation_feedback"): lambda b: _feedback(retailer=f.RetailerFactory(), product=b[0]),
    (Product, "stockout_risks"): lambda b: _risk(b[0]),
    (Product, "plan_lines"): lambda b: _plan_line(product=b[0], vendor=f.VendorFactory()),
    (Product, "daily_sales"): lambda b: _rollup(ProductDailySales, retailer=f.RetailerFactory(), product=b[0]),
    (Product, "warehouse_daily_sales"): lambda b: _rollup(
        ProductWarehouseDailySales, retailer=f.RetailerFactory(), product=b[0]
    ),
    (Product, "retailer_sales"): lambda b: _rollup(RetailerProductSales, retailer=f.RetailerFactory(), product=b[0]),
    (Retailer, "daily_sales"): lambda b: _rollup(RetailerDailySales, retailer=b[1], product=f.ProductFactory()),
    (Retailer, "product_sales"): lambda b: _rollup(RetailerProductSales, retailer=b[1], product=f.ProductFactory()),
    (Retailer, "vendor_daily_sales"): lambda b: _rollup(
        VendorRetailerDailySales, retailer=b[1], product=f.ProductFactory()
    ),
    (Vendor, "retailer_daily_sales"): lambda b: _rollup(
        VendorRetailerDailySales, retailer=f.RetailerFactory(), product=f.ProductFactory(vendor=b[2])
    ),
    (Product, "insights"): lambda b: _insight(product=b[0], vendor=f.VendorFactory()),
    (Product, "insight_profile"): lambda b: PatternProfile.objects.create(as_of=TODAY, product=b[0]),
    (Product, "series_anomalies"): lambda b: _anomaly(product=b[0]),
    (Retailer, "users"): lambda b: f.RetailerUserFactory(retailer=b[1]),
    (Retailer, "insights"): lambda b: _insight(retailer=b[1]),
    (Retailer, "insight_segments"): lambda b: _segment(b[1]),
    (Retailer, "insight_profile"): lambda b: PatternProfile.objects.create(as_of=TODAY, retailer=b[1]),
    (Retailer, "series_anomalies"): lambda b: _anomaly(retailer=b[1]),
    (Vendor, "insights"): lambda b: _insight(vendor=b[2]),
    (Retailer, "recommendations"): lambda b: _recommendation(retailer=b[1], product=f.ProductFactory()),
    (Retailer, "recommendation_feedback"): lambda b: _feedback(retailer=b[1], product=f.ProductFactory()),
    (Retailer, "orders"): lambda b: _later_order(retailer=b[1], product=f.ProductFactory()).order,
    (Retailer, "order_lines"): lambda b: _later_order(retailer=b[1], product=f.ProductFactory()),
    (Retailer, "reorder_predictions"): lambda b: _prediction(retailer=b[1], product=f.ProductFactory()),
    (Retailer, "call_outcomes"): lambda b: _call(retailer=b[1]),
    (Vendor, "users"): lambda b: f.VendorUserFactory(vendor=b[2]),
    (Vendor, "brands"): lambda b: Brand.objects.create(name="Later brand", vendor=b[2]),
    (Vendor, "products"): lambda b: f.ProductFactory(vendor=b[2]),
    (Vendor, "promotions"): lambda b: _promotion(vendor=b[2]),
    (Vendor, "purchase_orders"): lambda b: _purchase_order(vendor=b[2]),
    (Vendor, "plans"): lambda b: _plan(vendor=b[2]),
    (Vendor, "plan_lines"): lambda b: _plan_line(product=f.ProductFactory(), vendor=b[2]),
    (Product, "lost_sales"): lambda b: lost_sale_create(
        retailer_id=f.RetailerFactory().pk, product_id=b[0].pk, lost_on=TODAY, quantity=3
    ),
    (Retailer, "lost_sales"): lambda b: lost_sale_create(
        retailer_id=b[1].pk, product_id=f.ProductFactory().pk, lost_on=TODAY, quantity=3
    ),
    (Order, "lost_sales"): lambda b: _lost_on_order(b[3]),
    (Order, "returns"): lambda b: (
        _later_order(retailer=b[1], product=b[0], kind=OrderKind.RETURN, returns_order=b[3]).order
    ),
}
LABELS = {Product: "products", Retailer: "retailers", Vendor: "vendors", Order: "orders"}


def _accessor(relation) -> str:
    return relation.get_accessor_name()


def test_every_table_that_refers_to_imported_rows_has_a_case():
    relations = {
        (model, _accessor(relation))
        for model in LABELS
        for relation in model._meta.related_objects
        if not (model is Order and relation.related_model is OrderLine)  # an order's own lines
    }
    assert relations == set(LATER)


@pytest.mark.parametrize(("model", "relation"), list(LATER), ids=lambda v: getattr(v, "__name__", v))
def test_undo_keeps_what_later_data_refers_to_and_the_later_data(orders_csv, model, relation):
    batch = import_file(path=orders_csv(FILE), options={"default_vendor": "Sunrise Foods"})
    product, retailer = Product.objects.get(sku="SKU-A"), Retailer.objects.get(code="R1")
    imported = (product, retailer, product.vendor, Order.objects.get(external_id="SO-1"))
    later = LATER[(model, relation)](imported)
    later_type, later_pk = type(later), later.pk

    undone = import_batch_undo(batch=batch)

    assert later_type.objects.filter(pk=later_pk).exists(), "undo deleted data recorded after the batch"
    kept_row = imported[list(LABELS).index(model)]
    assert model.objects.filter(pk=kept_row.pk).exists()
    assert undone.summary["undo"]["kept_still_in_use"][LABELS[model]] >= 1
    if model is not Order:
        assert not Order.objects.filter(import_batch=batch).exists()
