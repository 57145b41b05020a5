from django.db import models
from django.db.models import Q

from retailiq.core.models import TimeStampedModel


class OrderStatus(models.TextChoices):
    PLACED = "placed", "Placed"
    CONFIRMED = "confirmed", "Confirmed"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class OrderKind(models.TextChoices):
    SALE = "sale", "Sale"
    RETURN = "return", "Return"


# Statuses whose lines count as demand. A cancelled order stays on record (it says
# something about the retailer) but sold nothing.
DEMAND_STATUSES = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


class Order(TimeStampedModel):
    """A retailer's order, or a return of goods from an earlier order.

    Quantities on lines are always positive; `kind` says which way the goods went, so
    net demand is sales minus returns and neither is silently dropped.
    """

    external_id = models.CharField(max_length=64, unique=True, help_text="The id the order has at its source.")
    # No single-column indexes on these keys: (retailer, placed_at) and (warehouse, placed_at)
    # below serve every lookup by the key alone, and each extra index is one more write per order.
    retailer = models.ForeignKey("retailers.Retailer", on_delete=models.PROTECT, related_name="orders", db_index=False)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    placed_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    kind = models.CharField(max_length=8, choices=OrderKind.choices, default=OrderKind.SALE)
    returns_order = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
        help_text="For a return: the sale it returns goods from, when known.",
        db_index=False,  # indexed below where set: nearly every order is a sale, with no row to point at
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The upload that created this row; undoing the upload removes it.",
    )

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrderKind.RETURN) | Q(returns_order__isnull=True),
                name="order_only_returns_reference_a_sale",
            ),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.CANCELLED) | Q(cancelled_at__isnull=True),
                name="order_cancelled_at_only_when_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["retailer", "placed_at"]),
            models.Index(fields=["warehouse", "placed_at"]),
            models.Index(fields=["placed_at"]),
            models.Index(fields=["status"]),
            models.Index(
                fields=["returns_order"], condition=Q(returns_order__isnull=False), name="order_returns_order_set"
            ),
        ]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(models.Model):
    """One product on an order.

    `retailer` and `placed_on` repeat the order's (immutable) retailer and date so
    that per-product and per-retailer time series aggregate from one indexed table.
    """

    # The keys below have no index of their own: the unique (order, line_number) key and the
    # (product, placed_on) and (retailer, placed_on) indexes lead with them and serve every
    # lookup by the key alone. An index less is a write less per line, on every order and
    # in every import (a million-line import builds each index afresh).
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_number = models.PositiveIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines", db_index=False)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    discount_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=0, help_text="Fraction off the unit price, 0 to below 1."
    )
    on_promotion = models.BooleanField(default=False)
    promotion = models.ForeignKey(
        "events.Promotion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        db_index=False,  # indexed below where set: most lines carry no promotion
    )
    retailer = models.ForeignKey(
        "retailers.Retailer", on_delete=models.PROTECT, related_name="order_lines", db_index=False
    )
    placed_on = models.DateField()

    class Meta:
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_unique_number"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0) & Q(discount_rate__lt=1), name="order_line_discount_fraction"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "placed_on"]),
            models.Index(fields=["retailer", "placed_on"]),
            models.Index(fields=["retailer", "product", "placed_on"]),
            models.Index(fields=["placed_on"]),
            # Deleting a promotion sets its lines' key to NULL: this finds them.
            models.Index(fields=["promotion"], condition=Q(promotion__isnull=False), name="order_line_promotion_set"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_number}"


class LostSaleReason(models.TextChoices):
    STOCKOUT = "stockout", "Out of stock"


class LostSale(models.Model):
    """Units a retailer asked for that a warehouse could not ship: demand the sales do not show.

    Its own row rather than a refused quantity on `OrderLine`: a refused line is often the
    whole line (nothing shipped, so no line with a positive quantity exists), and the
    order it came from may have had every line refused and be on record nowhere else.
    `order` names that order when it is on record; with it, the order's status decides
    whether the units count (a cancelled order's refusals are no demand, as its lines
    are none), and cancelling or undoing the order takes them out with its lines.
    `retailer`, `product` and `lost_on` are what the per-product rollups and scoping read,
    as on the order line."""

    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lost_sales",
        help_text="The order the refused line was on, when it is on record.",
    )
    # (product, lost_on) and (retailer, lost_on) below serve lookups by either key alone.
    retailer = models.ForeignKey(
        "retailers.Retailer", on_delete=models.PROTECT, related_name="lost_sales", db_index=False
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="lost_sales", db_index=False)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="lost_sales"
    )
    lost_on = models.DateField(help_text="The day the line was ordered.")
    quantity = models.PositiveIntegerField(help_text="Units asked for and not shipped.")
    reason = models.CharField(max_length=16, choices=LostSaleReason.choices, default=LostSaleReason.STOCKOUT)

    class Meta:
        ordering = ["-lost_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="lost_sale_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["product", "lost_on"]),
            models.Index(fields=["retailer", "lost_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x product {self.product_id} lost on {self.lost_on}"
