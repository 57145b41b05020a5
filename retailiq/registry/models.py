"""The model registry: one row per trained model version. The artifact is a file in
the library's own format; everything known about it (data window, metrics, library
versions) is a row here, so a version can be compared, activated or rolled back."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from retailiq.core.models import ClaimableWork

from .adapters import SCORE, TRAIN
from .capabilities import capability_choices, job_kind_choices


class ModelStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


def artifact_path(instance: "ModelVersion", filename: str) -> str:
    return f"models/{instance.capability}/{instance.pk or 'new'}/{filename}"


class Rollout(models.TextChoices):
    """How a version that is not the champion takes part in serving."""

    NONE = "none", "Not serving"
    SHADOW = "shadow", "Shadow (scored, not shown)"
    SHARE = "share", "Serves a share of requests"


class ModelVersion(models.Model):
    # Choices come from the registered adapters when asked for, so a new capability needs no migration.
    capability = models.CharField(max_length=32, choices=capability_choices)
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
    # The training data's distribution per input feature (bin edges and shares), kept so
    # drift can be measured later without loading the training set again.
    drift_reference = models.JSONField(default=dict, blank=True)
    tuning = models.JSONField(default=dict, blank=True, help_text="Hyperparameter search: trials, budget, best.")
    rollout = models.CharField(max_length=16, choices=Rollout.choices, default=Rollout.NONE)
    traffic_share = models.FloatField(default=0.0, help_text="Share of requests a challenger serves (0 to 1).")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(traffic_share__gte=0) & Q(traffic_share__lte=1), name="traffic_share_between_0_and_1"
            ),
            models.UniqueConstraint(
                fields=["capability", "segment"],
                condition=Q(status=ModelStatus.ACTIVE),
                name="one_active_model_per_capability_segment",
            ),
        ]
        indexes = [models.Index(fields=["capability", "segment", "status"])]

    def __str__(self) -> str:
        return f"{self.capability}/{self.algorithm} v{self.pk} ({self.status})"


class JobKind:
    """The lifecycle's own kinds. A capability may run more (an optimization plan): it declares
    them in its adapter's `job_kinds`, and they become choices without a migration."""

    TRAIN = TRAIN.value
    SCORE = SCORE.value


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Job(ClaimableWork):
    """One long-running piece of work (training, batch scoring). The row is created in the
    request's transaction and the task enqueued on commit; a task claims the row with a
    compare-and-set state change (retailiq.core.claims), so a redelivered task never runs
    the work twice at once. Pages poll progress through this row, scoped to the user,
    never by bare task id."""

    FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)

    kind = models.CharField(max_length=16, choices=job_kind_choices)
    capability = models.CharField(max_length=32, choices=capability_choices)
    segment = models.CharField(max_length=64, blank=True, default="")
    # Unique per kind and capability (a score request cannot reuse a training job's key);
    # a cancelled job frees its key, so a schedule can run the slot again.
    idempotency_key = models.CharField(max_length=128)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="job_percent_at_most_100"),
            models.UniqueConstraint(
                fields=["kind", "capability", "idempotency_key"],
                condition=~Q(state="cancelled"),
                name="job_key_once_per_kind_and_capability",
            ),
        ]
        indexes = [
            models.Index(fields=["capability", "kind", "state"]),
            models.Index(fields=["requested_by", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.capability} #{self.pk} ({self.state})"

    @classmethod
    def still_wanted(cls) -> Q:
        return Q(cancel_requested=False)


class ChunkState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobChunk(models.Model):
    """One slice of a batch-scoring job, run as one task of a Celery group. A chunk is
    claimed like a job, so a redelivered chunk task does not score it twice."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    entity_ids = models.JSONField(default=list)
    state = models.CharField(max_length=16, choices=ChunkState.choices, default=ChunkState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="one_chunk_number_per_job")]

    def __str__(self) -> str:
        return f"chunk {self.number} of job {self.job_id} ({self.state})"


class DriftReport(models.Model):
    """Population stability of a version's inputs: recent data against its training data."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="drift_reports")
    computed_at = models.DateTimeField(auto_now_add=True)
    window_start = models.DateField()
    window_end = models.DateField()
    psi = models.JSONField(default=dict, help_text="Feature name to population stability index.")
    max_psi = models.FloatField(default=0.0)
    drifted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["model_version", "-computed_at"])]

    def __str__(self) -> str:
        return f"drift of v{self.model_version_id} {self.window_start}..{self.window_end}: {self.max_psi:.3f}"


class AccuracyPoint(models.Model):
    """A version's live accuracy on one day, once the actuals for that day are known."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="accuracy_points")
    day = models.DateField()
    metric = models.CharField(max_length=32)
    value = models.FloatField()
    observations = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model_version", "day"]
        constraints = [
            models.UniqueConstraint(fields=["model_version", "day", "metric"], name="one_accuracy_point_per_day")
        ]

    def __str__(self) -> str:
        return f"v{self.model_version_id} {self.metric} on {self.day}: {self.value:.3f}"
