"""Operational endpoints: health for load balancers and Prometheus metrics."""

import os
import secrets

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from rest_framework import permissions, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from retailiq.core.errors import InvalidInput

from .health import deep_checks, deep_checks_allowed, public_checks


class HealthOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checks = serializers.ListField(child=serializers.DictField())
    models = serializers.ListField(child=serializers.DictField())


class HealthApi(APIView):
    """Anyone: whether the API process is alive (nothing else). The health token or staff: database,
    cache, broker and (unless `worker=0`) a worker's answer, plus which model version serves each
    capability, remembered for a few seconds; 503 when any check fails. Throttled."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "worker", int, enum=[0, 1], description="Deep checks only: 0 skips waiting for a worker (default 1)."
            )
        ],
        responses={200: HealthOutputSerializer, 503: HealthOutputSerializer},
    )
    def get(self, request):
        if not deep_checks_allowed(request):
            return Response({"ok": True, "checks": [], "models": []})
        worker = request.query_params.get("worker", "1")
        if worker not in ("0", "1"):
            raise InvalidInput("Use 0 or 1.", field="worker")
        results = deep_checks(include_worker=worker == "1", worker_timeout=3)
        ok = all(r.ok for r in results)
        # Which version serves is read from the database: with the database down, the checks still answer.
        database_ok = any(r.name == "database" and r.ok for r in results)
        models = _serving_models() if database_ok else []
        return Response({"ok": ok, "checks": public_checks(results), "models": models}, status=200 if ok else 503)


def _serving_models() -> list[dict]:
    from retailiq.registry.adapters import registered_capabilities
    from retailiq.registry.services import active_model_version

    models = []
    for capability in registered_capabilities():
        version = active_model_version(capability=capability)
        models.append(
            {
                "capability": capability,
                "version": version.pk if version else None,
                "algorithm": version.algorithm if version else "baseline",
                "trained_on": version.data_end if version else None,
            }
        )
    return models


class PrometheusRenderer(renderers.BaseRenderer):
    media_type = "text/plain"
    format = "prometheus"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else str(data).encode()


class MetricsAccess(permissions.BasePermission):
    """Analysts and admins, or a scraper presenting RETAILIQ_METRICS_TOKEN as a bearer token."""

    message = "Metrics are for analysts, admins and the configured scraper token."

    def has_permission(self, request, view) -> bool:
        token = settings.RETAILIQ_METRICS_TOKEN
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if token and header.startswith("Bearer ") and secrets.compare_digest(header[7:], token):
            return True
        return bool(request.user and request.user.is_authenticated and request.user.sees_everything)


def _registry() -> CollectorRegistry:
    """Several web processes (gunicorn) share counters through PROMETHEUS_MULTIPROC_DIR."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    from .metrics import JobCollector

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(JobCollector())
    return registry


class MetricsApi(APIView):
    """Prometheus text format: request latency, predictions served, cache hits and
    misses, and job counts, durations and failures."""

    permission_classes = [MetricsAccess]
    renderer_classes = [PrometheusRenderer]

    @extend_schema(responses={(200, "text/plain"): str})
    def get(self, request):
        return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
