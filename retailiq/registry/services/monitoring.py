"""Live accuracy (predictions against what happened) and input drift per version."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..adapters import Monitored, adapter_for
from ..ml import drift
from ..models import AccuracyPoint, DriftReport, ModelStatus, ModelVersion, Rollout


def monitored_versions(*, capability: str) -> list[ModelVersion]:
    """The champion, any challenger, and versions that served recently (to compare)."""
    recent = timezone.now() - dt.timedelta(days=settings.RETAILIQ_MONITOR_DAYS)
    return list(
        ModelVersion.objects.filter(capability=capability)
        .filter(
            Q(status=ModelStatus.ACTIVE)
            | ~Q(rollout=Rollout.NONE)
            | Q(status=ModelStatus.RETIRED, activated_at__gte=recent)
        )
        .order_by("-created_at")
    )


def accuracy_refresh(*, capability: str, since: dt.date) -> int:
    adapter = adapter_for(capability)
    versions = monitored_versions(capability=capability)
    if not isinstance(adapter, Monitored) or not versions:
        return 0
    frame = adapter.live_accuracy(model_version_ids=[v.pk for v in versions], since=since)
    points = [
        AccuracyPoint(
            model_version_id=int(row.model_version_id),
            day=row.day,
            metric=row.metric,
            value=float(row.value),
            observations=int(row.observations),
        )
        for row in frame.itertuples(index=False)
    ]
    AccuracyPoint.objects.bulk_create(
        points,
        update_conflicts=True,
        unique_fields=["model_version", "day", "metric"],
        update_fields=["value", "observations", "computed_at"],
    )
    return len(points)


def drift_check(*, version: ModelVersion, end: dt.date | None = None, days: int = 28) -> DriftReport | None:
    adapter = adapter_for(version.capability)
    if not isinstance(adapter, Monitored) or not version.drift_reference:
        return None
    end = end or adapter.latest_data_day()
    if end is None:
        return None
    start = end - dt.timedelta(days=days - 1)
    recent = adapter.recent_features(segment=version.segment, start=start, end=end)
    scores = drift.drift_against_reference(version.drift_reference, recent)
    if not scores:
        return None
    worst = max(scores.values())
    return DriftReport.objects.create(
        model_version=version,
        window_start=start,
        window_end=end,
        psi=scores,
        max_psi=worst,
        drifted=worst >= settings.RETAILIQ_DRIFT_PSI_WARNING,
    )


def monitoring_refresh(*, capability: str, since: dt.date) -> dict[str, Any]:
    points = accuracy_refresh(capability=capability, since=since)
    reports = [
        drift_check(version=v) for v in monitored_versions(capability=capability) if v.status == ModelStatus.ACTIVE
    ]
    return {"accuracy_points": points, "drift_reports": sum(r is not None for r in reports)}


def model_performance(*, capability: str | None = None) -> list[dict[str, Any]]:
    """Per version: training metrics, live accuracy over time, latest drift."""
    versions = ModelVersion.objects.exclude(status__in=[ModelStatus.TRAINING, ModelStatus.FAILED])
    if capability:
        versions = versions.filter(capability=capability)
    versions = list(versions.order_by("capability", "-created_at")[:50])
    points: dict[int, list[dict[str, Any]]] = {v.pk: [] for v in versions}
    for p in AccuracyPoint.objects.filter(model_version__in=versions).order_by("day"):
        points[p.model_version_id].append(
            {"day": p.day, "metric": p.metric, "value": p.value, "observations": p.observations}
        )
    latest_drift: dict[int, DriftReport] = {}
    for report in DriftReport.objects.filter(model_version__in=versions).order_by("computed_at"):
        latest_drift[report.model_version_id] = report
    return [
        {
            "model_version": v.pk,
            "capability": v.capability,
            "segment": v.segment,
            "algorithm": v.algorithm,
            "status": v.status,
            "rollout": v.rollout,
            "traffic_share": v.traffic_share,
            "training_metrics": v.metrics,
            "live_accuracy": points[v.pk],
            "drift": (
                {
                    "computed_at": latest_drift[v.pk].computed_at,
                    "window_start": latest_drift[v.pk].window_start,
                    "window_end": latest_drift[v.pk].window_end,
                    "psi": latest_drift[v.pk].psi,
                    "max_psi": latest_drift[v.pk].max_psi,
                    "drifted": latest_drift[v.pk].drifted,
                }
                if v.pk in latest_drift
                else None
            ),
        }
        for v in versions
    ]
