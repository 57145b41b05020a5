"""Which version serves: activation, rollback, comparison and challenger rollout."""

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from retailiq.core.errors import Conflict, InvalidInput
from retailiq.core.outages import unavailable_service

from ..models import ModelStatus, ModelVersion, Rollout

logger = logging.getLogger(__name__)


def serving_cache_key(capability: str, segment: str) -> str:
    return f"registry:serving:{capability}:{segment}"


def _forget_serving(capability: str, segment: str) -> None:
    # Predictions are cached under the version id, so a new champion never reads an old
    # answer; dropping this key makes every process look the champion up again. Dropped
    # now for this transaction's own reads, and again on commit in case another process
    # cached the old state in between.
    key = serving_cache_key(capability, segment)
    _drop(key)
    transaction.on_commit(lambda: _drop(key))


def _drop(key: str) -> None:
    # A cache outage must not undo a training that finished (the job would be left running): the cached state
    # then expires by itself within RETAILIQ_SERVING_STATE_TTL.
    try:
        cache.delete(key)
    except Exception as exc:
        if unavailable_service(exc) != "cache":
            raise
        logger.warning("Cache unreachable: %s expires within RETAILIQ_SERVING_STATE_TTL instead", key)


def active_model_version(*, capability: str, segment: str = "") -> ModelVersion | None:
    return ModelVersion.objects.filter(capability=capability, segment=segment, status=ModelStatus.ACTIVE).first()


@transaction.atomic
def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in (ModelStatus.READY, ModelStatus.RETIRED, ModelStatus.ACTIVE):
        raise Conflict(
            f"Version {version.pk} is {version.status}; only a trained version can serve.",
            code="not_ready",
        )
    ModelVersion.objects.filter(
        capability=version.capability, segment=version.segment, status=ModelStatus.ACTIVE
    ).exclude(pk=version.pk).update(status=ModelStatus.RETIRED)
    version.status, version.activated_at = ModelStatus.ACTIVE, timezone.now()
    version.rollout, version.traffic_share = Rollout.NONE, 0.0  # a champion is no longer a challenger
    version.save(update_fields=["status", "activated_at", "rollout", "traffic_share"])
    _forget_serving(version.capability, version.segment)
    return version


def model_version_rollback(*, capability: str, segment: str = "") -> ModelVersion:
    """Serve again the version that was active before the current one."""
    current = active_model_version(capability=capability, segment=segment)
    previous = (
        ModelVersion.objects.filter(capability=capability, segment=segment, status=ModelStatus.RETIRED)
        .exclude(activated_at=None)
        .exclude(pk=getattr(current, "pk", None))
        .order_by("-activated_at")
        .first()
    )
    if previous is None:
        raise Conflict(
            f"No earlier {capability} version has served; there is nothing to roll back to.",
            code="nothing_to_roll_back",
        )
    return model_version_activate(version=previous)


def model_versions_compare(*, first: ModelVersion, second: ModelVersion) -> list[dict[str, Any]]:
    """Metric by metric, side by side; a metric one version lacks shows as None. Only
    numbers compare: breakdowns (per member, per class) are shown on their own."""

    def numeric(metrics: dict[str, Any]) -> set[str]:
        return {name for name, value in metrics.items() if isinstance(value, int | float)}

    names = sorted(numeric(first.metrics) | numeric(second.metrics))
    return [{"metric": n, "first": first.metrics.get(n), "second": second.metrics.get(n)} for n in names]


@transaction.atomic
def model_version_set_rollout(*, version: ModelVersion, rollout: str, traffic_share: float = 0.0) -> ModelVersion:
    """Make a trained version the challenger: in shadow (scored and logged, never shown)
    or serving a share of requests. One challenger per capability and segment."""
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if rollout != Rollout.NONE and version.status not in (ModelStatus.READY, ModelStatus.RETIRED):
        raise Conflict(
            f"Version {version.pk} is {version.status}; only a trained version that is not serving can be a challenger.",
            code="not_a_challenger",
        )
    if rollout == Rollout.SHARE and not 0 < traffic_share < 1:
        raise InvalidInput("A challenger's share of requests must be between 0 and 1.", field="traffic_share")
    ModelVersion.objects.filter(capability=version.capability, segment=version.segment).exclude(pk=version.pk).exclude(
        rollout=Rollout.NONE
    ).update(rollout=Rollout.NONE, traffic_share=0.0)
    version.rollout = rollout
    version.traffic_share = traffic_share if rollout == Rollout.SHARE else 0.0
    version.save(update_fields=["rollout", "traffic_share"])
    _forget_serving(version.capability, version.segment)
    return version
