"""The model registry: one row per trained model version. The artifact is a file in
the library's own format; everything known about it (data window, metrics, library
versions) is a row here, so a version can be compared, activated or rolled back."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Capability(models.TextChoices):
    FORECASTING = "forecasting", "Demand forecasting"
    REORDER = "reorder", "Reorder prediction"
    RECOMMENDATIONS = "recommendations", "Recommendations"
    STOCKOUT_RISK = "stockout_risk", "Stockout risk"


class ModelStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


def artifact_path(instance: "ModelVersion", filename: str) -> str:
    return f"models/{instance.capability}/{instance.pk or 'new'}/{filename}"


class ModelVersion(models.Model):
    capability = models.CharField(max_length=32, choices=Capability.choices)
    segment = models.CharField(max_length=64, blank=True, default="", help_text="Empty for a capability-wide model.")
    algorithm = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    data_start = models.DateField(null=True, blank=True)
    data_end = models.DateField(null=True, blank=True)
    training_rows = models.PositiveBigIntegerField(default=0)
    training_data_hash = models.CharField(max_length=64, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    library_versions = models.JSONField(default=dict, blank=True)
    artifact = models.FileField(upload_to=artifact_path, max_length=300, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="trained_models"
    )
    trigger = models.CharField(max_length=32, default="manual", help_text="manual, schedule, api or demo.")
    status = models.CharField(max_length=16, choices=ModelStatus.choices, default=ModelStatus.TRAINING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["capability", "segment"],
                condition=Q(status=ModelStatus.ACTIVE),
                name="one_active_model_per_capability_segment",
            ),
        ]
        indexes = [models.Index(fields=["capability", "segment", "status"])]

    def __str__(self) -> str:
        return f"{self.capability}/{self.algorithm} v{self.pk} ({self.status})"


class JobKind(models.TextChoices):
    TRAIN = "train", "Training"
    SCORE = "score", "Batch scoring"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Job(models.Model):
    """One long-running piece of work (training, batch scoring). The row is created in the
    request's transaction and the task enqueued on commit; a task claims the row with a
    compare-and-set state change, so a redelivered task never runs the work twice at once.
    Pages poll progress through this row, scoped to the user, never by bare task id."""

    kind = models.CharField(max_length=16, choices=JobKind.choices)
    capability = models.CharField(max_length=32, choices=Capability.choices)
    segment = models.CharField(max_length=64, blank=True, default="")
    idempotency_key = models.CharField(max_length=128, unique=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    stage = models.CharField(max_length=64, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)
    cancel_requested = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="job_percent_at_most_100"),
        ]
        indexes = [
            models.Index(fields=["capability", "kind", "state"]),
            models.Index(fields=["requested_by", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.capability} #{self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)
