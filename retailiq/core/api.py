"""Operational endpoints: health for load balancers and Prometheus metrics."""

import os
import secrets
from dataclasses import asdict

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from rest_framework import permissions, renderers, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .health import run_checks


class HealthOutputSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checks = serializers.ListField(child=serializers.DictField())
    models = serializers.ListField(child=serializers.DictField())


class HealthApi(APIView):
    """Database, cache, broker and (unless `worker=0`) a worker's answer, plus which model
    version serves each capability. 503 when any check fails. Open to anyone, throttled."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("worker", int, description="0 skips waiting for a worker (default 1).")],
        responses={200: HealthOutputSerializer, 503: HealthOutputSerializer},
    )
    def get(self, request):
        from retailiq.registry.adapters import registered_capabilities
        from retailiq.registry.services import active_model_version

        results = run_checks(
            include_broker=True, include_worker=request.query_params.get("worker") != "0", worker_timeout=3
        )
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
        ok = all(r.ok for r in results)
        return Response({"ok": ok, "checks": [asdict(r) for r in results], "models": models}, status=200 if ok else 503)


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
