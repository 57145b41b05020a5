"""Precomputed demand forecasts, written by batch scoring and read by the dashboards."""

from django.db import models
from django.db.models import F, Q


class DemandForecast(models.Model):
    """One product's forecast for one day by one model version, with 80% and 95%
    intervals. Unique on (version, product, day): scoring again overwrites in place."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.CASCADE, related_name="demand_forecasts"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="demand_forecasts")
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
                fields=["model_version", "product", "target_date"], name="one_forecast_per_version_product_day"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(lower_95__lte=F("lower_80")) & Q(upper_80__lte=F("upper_95")),
                name="forecast_intervals_nested",
            ),
        ]
        indexes = [models.Index(fields=["product", "target_date"])]

    def __str__(self) -> str:
        return f"{self.product_id} on {self.target_date}: {self.quantity:.1f}"
