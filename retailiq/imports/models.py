"""Uploads of sales history. Each upload is a batch: the file as received, how its
columns map to RetailIQ's fields, what happened to every line, and what it created,
so that it can be inspected, re-run after a killed worker, and undone."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from retailiq.core.models import ClaimableWork


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing: write nothing unless every line is valid"
    QUARANTINE = "quarantine", "Import the valid lines, quarantine the rest"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded, waiting for its column mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Imported"
    REJECTED = "rejected", "Rejected (nothing written)"
    FAILED = "failed", "Failed (nothing written)"
    UNDONE = "undone", "Undone"


def upload_path(batch: "ImportBatch", filename: str) -> str:
    return f"imports/{batch.created_at:%Y/%m}/{batch.sha256[:16]}-{filename}"[:300]


class ImportBatch(ClaimableWork):
    """Claimed, kept alive and finished like any long-running work (retailiq.core.claims)."""

    FINISHED_STATES = (ImportState.SUCCEEDED, ImportState.REJECTED, ImportState.FAILED, ImportState.UNDONE)

    file = models.FileField(upload_to=upload_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    preset = models.CharField(max_length=32, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="RetailIQ field -> the file's column header.")
    options = models.JSONField(
        default=dict, blank=True, help_text="Format and policy: see imports.reading.ReadOptions."
    )
    mode = models.CharField(max_length=16, choices=ImportMode.choices, default=ImportMode.QUARANTINE)
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED)
    # Progress, updated as the file is read.
    bytes_read = models.PositiveBigIntegerField(default=0)
    lines_read = models.PositiveBigIntegerField(default=0)
    lines_accepted = models.PositiveBigIntegerField(default=0)
    lines_rejected = models.PositiveBigIntegerField(default=0)
    lines_set_aside = models.PositiveBigIntegerField(default=0)
    lines_skipped = models.PositiveBigIntegerField(default=0)
    lines_already_present = models.PositiveBigIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    created_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_imports"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "-created_at"])]

    def __str__(self) -> str:
        return f"import {self.pk} · {self.original_name} ({self.state})"

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.size_bytes:
            return 0
        return min(99, int(100 * self.bytes_read / self.size_bytes))


class IssueSeverity(models.TextChoices):
    ERROR = "error", "Rejected"
    SET_ASIDE = "set_aside", "Set aside"
    SKIPPED = "skipped", "Skipped (not a product)"


class ImportIssue(models.Model):
    """One line the import did not turn into an order line, and why. `value` is the
    cell exactly as the file had it; `row` the whole line, so a set-aside line is kept."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues")
    line_number = models.PositiveBigIntegerField()
    column = models.CharField(max_length=255, blank=True)
    value = models.TextField(blank=True)
    reason = models.CharField(max_length=300)
    severity = models.CharField(max_length=16, choices=IssueSeverity.choices, default=IssueSeverity.ERROR)
    row = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "line_number", "id"]
        indexes = [models.Index(fields=["batch", "severity", "line_number"])]

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.reason}"


class StagedLine(models.Model):
    """A valid line waiting to be merged. Rows live only while their batch runs; on
    PostgreSQL the table is UNLOGGED and filled by COPY."""

    # No database constraint: a foreign-key check per COPY'd row would cost more than the load.
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    line_number = models.PositiveBigIntegerField()
    order_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=8)
    ordered_at = models.DateTimeField()
    retailer_id = models.CharField(max_length=64)
    retailer_name = models.CharField(max_length=200, blank=True)
    retailer_city = models.CharField(max_length=100, blank=True)
    retailer_region = models.CharField(max_length=100, blank=True)
    retailer_country = models.CharField(max_length=100, blank=True)
    retailer_segment = models.CharField(max_length=16, blank=True)
    retailer_contact_name = models.CharField(max_length=120, blank=True, default="")
    retailer_phone = models.CharField(max_length=32, blank=True, default="")
    retailer_email = models.CharField(max_length=254, blank=True, default="")
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=255, blank=True)
    category = models.CharField(max_length=120, blank=True)
    brand = models.CharField(max_length=120, blank=True)
    vendor_code = models.CharField(max_length=40, blank=True)
    vendor_name = models.CharField(max_length=200, blank=True)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    discount_rate = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    on_promotion = models.BooleanField(default=False)
    warehouse = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "order_id", "line_number"])]

    def __str__(self) -> str:
        return f"batch {self.batch_id} line {self.line_number}"


class SavedMapping(models.Model):
    """A column mapping an analyst saved to reuse for files of the same layout."""

    name = models.CharField(max_length=120, unique=True)
    mapping = models.JSONField(default=dict)
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="saved_mapping_named")]

    def __str__(self) -> str:
        return self.name
