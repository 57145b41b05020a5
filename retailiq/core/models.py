from typing import ClassVar

from django.db import models
from django.db.models import Q


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ClaimableWork(models.Model):
    """A row of long-running work (an import, a training or scoring job, a plan) that a
    Celery task claims by compare-and-set, keeps alive by a heartbeat and finishes; the
    services are in `retailiq.core.claims`, the progress component is
    `templates/components/progress.html`.

    The concrete model declares `state`, whose choices include "queued" and "running",
    names its finished states, and offers `percent` (a field or a property)."""

    QUEUED: ClassVar[str] = "queued"
    RUNNING: ClassVar[str] = "running"
    FINISHED_STATES: ClassVar[tuple[str, ...]] = ()

    stage = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def still_wanted(cls) -> Q:
        """The rows whose work should go on; a kind of work that can be cancelled narrows it."""
        return Q()

    @property
    def is_under_way(self) -> bool:
        """Queued or running: the progress component keeps polling."""
        return self.state in (self.QUEUED, self.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES
