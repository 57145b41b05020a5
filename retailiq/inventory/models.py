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
