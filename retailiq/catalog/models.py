from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from retailiq.core.models import TimeStampedModel


class Vendor(TimeStampedModel):
    class Kind(models.TextChoices):
        MANUFACTURER = "manufacturer", "Manufacturer"
        DISTRIBUTOR = "distributor", "Distributor"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MANUFACTURER)
    city = models.CharField(max_length=100, blank=True)
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

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A two-level tree: top-level departments and the categories beneath them.
    Products hang off the second level."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["parent__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_within_parent"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "Categories have two levels: the parent must be a top-level category."})


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="brands")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="products")
    sku = models.CharField(max_length=64, help_text="The vendor's stock-keeping unit; unique per vendor.")
    name = models.CharField(max_length=255)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    pack_size = models.PositiveIntegerField(default=1, help_text="Units per pack; orders come in whole packs.")
    unit_volume = models.DecimalField(
        max_digits=10, decimal_places=4, default=1, help_text="Warehouse volume units one unit occupies."
    )
    shelf_life_days = models.PositiveIntegerField(null=True, blank=True)
    launched_on = models.DateField(null=True, blank=True)
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
        ordering = ["vendor__name", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "sku"], name="product_sku_unique_per_vendor"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="product_unit_price_not_negative"),
            models.CheckConstraint(condition=Q(pack_size__gte=1), name="product_pack_size_positive"),
            models.CheckConstraint(condition=Q(unit_volume__gt=0), name="product_unit_volume_positive"),
        ]
        indexes = [
            models.Index(fields=["vendor", "is_active"]),
            models.Index(fields=["category", "is_active"]),
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"
