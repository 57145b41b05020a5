"""Demand drivers that are not orders: the calendar's holidays and festivals, and
vendors' promotions. Forecasting and reorder models read both as features."""

from django.db import models
from django.db.models import F, Q


class CalendarEvent(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Public holiday"
        FESTIVAL = "festival", "Festival"
        SALE = "sale", "Marketplace sale"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    region = models.CharField(max_length=100, blank=True, help_text="Empty when it applies everywhere.")

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="event_ends_after_start"),
            models.UniqueConstraint(fields=["name", "starts_on", "region"], name="event_unique_per_day_region"),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on})"


class Promotion(models.Model):
    name = models.CharField(max_length=160)
    vendor = models.ForeignKey("catalog.Vendor", on_delete=models.CASCADE, related_name="promotions")
    products = models.ManyToManyField("catalog.Product", related_name="promotions")
    discount_rate = models.DecimalField(max_digits=5, decimal_places=4)
    starts_on = models.DateField()
    ends_on = models.DateField()
    region = models.CharField(max_length=100, blank=True, help_text="Empty when it applies everywhere.")

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="promotion_ends_after_start"),
            models.CheckConstraint(
                condition=Q(discount_rate__gt=0) & Q(discount_rate__lt=1), name="promotion_discount_fraction"
            ),
        ]
        indexes = [models.Index(fields=["vendor", "starts_on"])]

    def __str__(self) -> str:
        return self.name
