"""Precomputed demand forecasts, written by batch scoring and read by the dashboards."""

from django.db import models
from django.db.models import F, Q


class LocationKind(models.TextChoices):
    ALL = "all", "all locations"
    WAREHOUSE = "warehouse", "warehouse"
    REGION = "region", "region"


class DemandForecast(models.Model):
    """One product's forecast for one day (or week) by one model version, with 80% and 95%
    intervals: for the whole marketplace (location kind "all"), one warehouse (location =
    its code) or one region (location = its name). Unique on (version, product, location,
    day): scoring again overwrites in place."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.CASCADE, related_name="demand_forecasts"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="demand_forecasts")
    location_kind = models.CharField(max_length=12, choices=LocationKind.choices, default=LocationKind.ALL)
    location = models.CharField(max_length=100, blank=True, default="", help_text="Warehouse code or region name.")
    target_date = models.DateField()
    origin_date = models.DateField(help_text="The last day of actual sales the forecast was made from.")
    quantity = models.FloatField()
    lower_80 = models.FloatField()
    upper_80 = models.FloatField()
    lower_95 = models.FloatField()
    upper_95 = models.FloatField()
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "target_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "product", "location_kind", "location", "target_date"],
                name="one_forecast_per_version_product_location_day",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(lower_95__lte=F("lower_80")) & Q(upper_80__lte=F("upper_95")),
                name="forecast_intervals_nested",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "location_kind", "target_date"]),
            # The dashboards read a batch by version and location: the serving batch's origin (a maximum, read
            # from this index alone) and which regions it scored (one probe each). Without them both scanned
            # every row of the table: 150 and 360 ms on `large`'s 800 k rows, on every cold demand page.
            models.Index(fields=["model_version", "location_kind", "origin_date"], name="forecast_version_origin"),
            models.Index(
                fields=["model_version", "location_kind", "location", "target_date"], name="forecast_version_location"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} on {self.target_date}: {self.quantity:.1f}"
