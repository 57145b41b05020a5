from django.conf import settings
from django.db import models
from django.db.models import Q

from retailiq.core.models import TimeStampedModel


class Segment(models.TextChoices):
    KIRANA = "kirana", "Kirana"
    SUPERMARKET = "supermarket", "Supermarket"
    PHARMACY = "pharmacy", "Pharmacy"
    CONVENIENCE = "convenience", "Convenience"
    HORECA = "horeca", "Hotel / restaurant / café"
    WHOLESALE = "wholesale", "Wholesaler"


class Retailer(TimeStampedModel):
    """A shop that buys on the marketplace. `assigned_rep` is the sales rep whose
    territory it is; a rep sees only the retailers assigned to them."""

    code = models.CharField(max_length=64, unique=True, help_text="The marketplace's own retailer id.")
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100)
    country = models.CharField(max_length=100, blank=True)
    segment = models.CharField(max_length=16, choices=Segment.choices, default=Segment.KIRANA)
    # Who a rep calls. Database defaults too, because bulk loads and import merges insert rows by SQL.
    contact_name = models.CharField(max_length=120, blank=True, default="", db_default="")
    contact_phone = models.CharField(max_length=32, blank=True, default="", db_default="")
    contact_email = models.EmailField(blank=True, default="", db_default="")
    onboarded_on = models.DateField(null=True, blank=True)
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    assigned_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_retailers",
        limit_choices_to={"role": "sales_rep"},
    )
    is_active = models.BooleanField(default=True)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The upload that created this row; undoing the upload removes it.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="retailer_credit_limit_not_negative"),
        ]
        indexes = [
            models.Index(fields=["region", "segment"]),
            models.Index(fields=["city"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"
