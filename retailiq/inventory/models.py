from django.db import models
from django.db.models import F, Q

from retailiq.core.models import TimeStampedModel


class Warehouse(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100)
    capacity_volume = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Storage capacity in the same volume units as products."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity_volume__gt=0), name="warehouse_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(TimeStampedModel):
    """What one warehouse holds of one product, and the replenishment facts the
    optimizer needs: lead time and its spread, costs and minimum order quantity."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_levels")
    on_hand = models.IntegerField(default=0)
    on_order = models.IntegerField(default=0)
    lead_time_mean_days = models.FloatField(default=7)
    lead_time_std_days = models.FloatField(default=2)
    holding_cost_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=0.25, help_text="Yearly holding cost as a fraction of unit value."
    )
    ordering_cost = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    min_order_qty = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique_product_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(on_order__gte=0), name="stock_on_order_not_negative"),
            models.CheckConstraint(condition=Q(lead_time_mean_days__gt=0), name="stock_lead_time_positive"),
            models.CheckConstraint(condition=Q(lead_time_std_days__gte=0), name="stock_lead_time_std_not_negative"),
            models.CheckConstraint(
                condition=Q(holding_cost_rate__gte=0) & Q(holding_cost_rate__lte=1), name="stock_holding_rate_fraction"
            ),
            models.CheckConstraint(condition=Q(ordering_cost__gte=0), name="stock_ordering_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["warehouse", "product"])]

    def __str__(self) -> str:
        return f"{self.product} @ {self.warehouse}"


class StockoutPeriod(models.Model):
    """Days on which a product could not be sold from a warehouse. Forecasting treats
    these days' zero sales as censored demand, not as true zeros."""

    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="stockouts")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stockouts")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True, help_text="Empty while the stockout lasts.")

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")), name="stockout_ends_after_start"
            ),
            models.UniqueConstraint(fields=["product", "warehouse", "started_on"], name="stockout_unique_start"),
        ]
        indexes = [models.Index(fields=["product", "warehouse", "started_on"])]

    def __str__(self) -> str:
        return f"{self.product} out at {self.warehouse} from {self.started_on}"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    SALE = "sale", "Sales issue"
    RETURN = "return", "Return"
    ADJUSTMENT = "adjustment", "Adjustment"


class StockMovement(models.Model):
    """One movement of stock into or out of a warehouse: the inventory ledger.

    Stock on hand of a product at a warehouse at the end of a day is the sum of its movements up to that day;
    `StockLevel.on_hand` is the same sum today, moved by the ledger service in the transaction that writes the row.
    Receipts and returns come in (positive), sales issues go out (negative), adjustments go either way.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="stock_movements", db_index=False
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_movements")
    moved_on = models.DateField()
    quantity = models.IntegerField(help_text="Units in (positive) or out (negative).")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    reference = models.CharField(max_length=64, blank=True, help_text="The order, purchase order or count it follows.")
    purchase_order_line = models.ForeignKey(
        "PurchaseOrderLine", null=True, blank=True, on_delete=models.PROTECT, related_name="receipts", db_index=False
    )

    class Meta:
        ordering = ["moved_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind__in=["receipt", "return"]) & Q(quantity__gt=0))
                | (Q(kind="sale") & Q(quantity__lt=0))
                | (Q(kind="adjustment") & ~Q(quantity=0)),
                name="stock_movement_sign_follows_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="receipt") | Q(purchase_order_line__isnull=True),
                name="stock_movement_only_receipts_name_a_po_line",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "warehouse", "moved_on"]),
            models.Index(
                fields=["purchase_order_line"],
                condition=Q(purchase_order_line__isnull=False),
                name="stock_movement_po_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} of {self.product_id} @ {self.warehouse_id} on {self.moved_on}"


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    PARTLY_RECEIVED = "partly_received", "Partly received"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


# Statuses whose outstanding quantities are on order.
OPEN_PURCHASE_ORDER_STATUSES = (PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)


class PurchaseOrder(TimeStampedModel):
    """An order to a vendor for goods delivered to one warehouse. A received order may be short: its vendor
    delivered less than ordered and the rest will not come (that is what fill rate measures)."""

    number = models.CharField(max_length=32, unique=True)
    vendor = models.ForeignKey("catalog.Vendor", on_delete=models.PROTECT, related_name="purchase_orders")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(max_length=16, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT)
    ordered_on = models.DateField(null=True, blank=True, help_text="The day it was sent to the vendor.")
    promised_on = models.DateField(null=True, blank=True, help_text="The receipt date the vendor promised.")
    first_received_on = models.DateField(null=True, blank=True, help_text="The day the first goods arrived.")
    closed_on = models.DateField(null=True, blank=True, help_text="The day it was fully received or cancelled.")

    class Meta:
        ordering = ["-ordered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="cancelled") | (Q(ordered_on__isnull=False)),
                name="purchase_order_sent_has_order_date",
            ),
            models.CheckConstraint(
                condition=Q(promised_on__isnull=True)
                | Q(ordered_on__isnull=True)
                | Q(promised_on__gte=F("ordered_on")),
                name="purchase_order_promised_after_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "cancelled"]) | Q(closed_on__isnull=True),
                name="purchase_order_closed_on_only_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "ordered_on"]),
            models.Index(fields=["warehouse", "status"]),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="purchase_order_lines")
    quantity_ordered = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["purchase_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "product"], name="purchase_order_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity_ordered__gt=0), name="purchase_order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_ordered")),
                name="purchase_order_line_not_over_received",
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="purchase_order_line_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order_id}: {self.quantity_ordered} x {self.product_id}"
