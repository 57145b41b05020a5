"""Sales totals kept on write, so pages read a few thousand rows instead of every order line.

Derived data only: each row is what `services.py` computes from the order lines that count
as demand (`retailiq.orders.selectors.demand_lines`) and, per product, the units refused
for want of stock (`demand_lost_sales`), and `manage.py rollups_check` proves it.
Revenue is net (returns negative) and unrounded, as the order-line selectors sum it."""

import datetime as dt

from django.db import models

# Line values carry up to 6 decimals (2 for the price, 4 for the discount); kept exact so
# a rollup sums to what the order lines sum to.
_REVENUE = {"max_digits": 20, "decimal_places": 6}


class DailySales(models.Model):
    """What a day's demand lines add up to for one key. Sold and returned units apart, so
    net units and sale-only units both come from the same row."""

    day = models.DateField()
    lines = models.IntegerField()
    orders = models.IntegerField(help_text="Distinct orders, sales and returns: additive, an order falls on one day.")
    sale_orders = models.IntegerField(help_text="Distinct sale orders (returns left out).")
    sold_units = models.BigIntegerField()
    returned_units = models.BigIntegerField()
    revenue = models.DecimalField(**_REVENUE)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day}"

    @property
    def units(self) -> int:
        return self.sold_units - self.returned_units


class MarketplaceDailySales(DailySales):
    """The whole marketplace's day: what the analyst's all-history chart reads (a thousand
    rows for three years, where the per-retailer days are hundreds of thousands)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day"], name="rollup_marketplace_day_unique")]


class PricedDailySales(DailySales):
    """A day's totals plus what its sale lines were paid, net of discounts, in all and
    off promotion: the forecasts' price driver (sale revenue / sold units, regular revenue /
    regular units) read from one row per key and day, not from the order lines; and the
    units refused for want of stock, so demand (sold plus lost) reads from the same row.

    A day with refusals and no line has a row with zero lines: read `lines > 0` (or
    `sold_units > 0`) where the question is about sales."""

    sale_revenue = models.DecimalField(**_REVENUE, default=0, help_text="Paid for sale lines (returns left out).")
    regular_units = models.BigIntegerField(default=0, help_text="Sold units not on promotion.")
    regular_revenue = models.DecimalField(**_REVENUE, default=0, help_text="Paid for sale lines not on promotion.")
    # A database default too: the import's bulk statements (batch.py) insert rows without naming it.
    lost_units = models.BigIntegerField(
        default=0, db_default=0, help_text="Units asked for and refused for want of stock (lost sales)."
    )

    class Meta:
        abstract = True

    @property
    def demand_units(self) -> int:
        """What was asked for on sale orders: sold plus lost."""
        return self.sold_units + self.lost_units


class ProductDailySales(PricedDailySales):
    # The unique (product, day) index serves lookups by product: no second index to write.
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="daily_sales", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "day"], name="rollup_product_day_unique")]
        indexes = [models.Index(fields=["day"])]


class RetailerDailySales(DailySales):
    retailer = models.ForeignKey(
        "retailers.Retailer", on_delete=models.CASCADE, related_name="daily_sales", db_index=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["retailer", "day"], name="rollup_retailer_day_unique")]
        indexes = [models.Index(fields=["day"])]


class ProductWarehouseDailySales(PricedDailySales):
    """Only orders shipped from a known warehouse (imports may leave it empty)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="warehouse_daily_sales", db_index=False
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.CASCADE, related_name="daily_sales", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse", "day"], name="rollup_product_warehouse_day_unique")
        ]
        indexes = [models.Index(fields=["warehouse", "day"])]


class VendorRetailerDailySales(DailySales):
    """What a retailer bought of one vendor's products on a day: the vendor's home reads its
    chart by region or segment, its buying retailers and its retailers table from these rows
    (a vendor's year is tens of thousands of rows, where its order lines are millions).
    The region and segment are read through the retailer, so they are never stale here."""

    vendor = models.ForeignKey(
        "catalog.Vendor", on_delete=models.CASCADE, related_name="retailer_daily_sales", db_index=False
    )
    retailer = models.ForeignKey(
        "retailers.Retailer", on_delete=models.CASCADE, related_name="vendor_daily_sales", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vendor", "retailer", "day"], name="rollup_vendor_retailer_day_unique")
        ]
        # The vendor's pages read a window of days: (vendor, day) finds it without the retailers in between.
        indexes = [models.Index(fields=["vendor", "day"])]


class RetailerProductSales(models.Model):
    """A retailer's buying history of one product, from sale lines (returns are not
    purchases): first and last order day, how many orders and order days, units, value."""

    retailer = models.ForeignKey(
        "retailers.Retailer", on_delete=models.CASCADE, related_name="product_sales", db_index=False
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="retailer_sales", db_index=False
    )
    first_order_on = models.DateField()
    last_order_on = models.DateField()
    orders = models.IntegerField()
    order_days = models.IntegerField()
    lines = models.IntegerField()
    units = models.BigIntegerField()
    revenue = models.DecimalField(**_REVENUE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["retailer", "product"], name="rollup_retailer_product_unique")]
        indexes = [models.Index(fields=["product", "last_order_on"])]

    def __str__(self) -> str:
        return f"retailer {self.retailer_id} x product {self.product_id}"

    @property
    def mean_interval_days(self) -> float | None:
        """Mean days between order days; None with one order day."""
        if self.order_days < 2:
            return None
        return (self.last_order_on - self.first_order_on).days / (self.order_days - 1)

    def days_since_last_order(self, today: dt.date) -> int:
        return (today - self.last_order_on).days


class RollupVersion(models.Model):
    """One row whose counter every rollup change moves in the same transaction: the
    cache's data version, which also sees a cancellation or an admin edit."""

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"rollups v{self.version}"
