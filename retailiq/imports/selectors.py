"""Reads of import batches, scoped: only analysts and admins see imports at all."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from .models import ImportBatch, ImportIssue, SavedMapping


def _require_analyst(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.sees_everything):
        raise PermissionDenied("Only analysts and admins work with imports.")


def import_batch_list(*, user: Any) -> QuerySet[ImportBatch]:
    _require_analyst(user)
    return ImportBatch.objects.select_related("uploaded_by").order_by("-created_at")


def import_batch_get(*, user: Any, pk: int) -> ImportBatch:
    return import_batch_list(user=user).get(pk=pk)


def import_issue_list(*, batch: ImportBatch, severity: str | None = None) -> QuerySet[ImportIssue]:
    issues = ImportIssue.objects.filter(batch=batch).order_by("line_number", "id")
    return issues.filter(severity=severity) if severity else issues


def saved_mapping_list(*, user: Any) -> QuerySet[SavedMapping]:
    _require_analyst(user)
    return SavedMapping.objects.all()
