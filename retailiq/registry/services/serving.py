"""On-demand predictions: champion, challenger and baseline, behind a cache keyed by
version and inputs. A new champion changes the key, so no stale answer is served.

A prediction nobody has asked for yet is computed once however many callers ask for it at
the same moment (single-flight): the first takes a short lock in the cache, the others wait
for its answer to land in the cache. Fifty users opening one product's forecast used to
compute it fifty times, and none of them got an answer within the request timeout."""

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from retailiq.core.generations import Stamp, generation_move, generation_stamp
from retailiq.core.metrics import PREDICTION_CACHE, PREDICTIONS_SERVED
from retailiq.features import version_mismatch

from ..adapters import adapter_for
from ..models import ModelStatus, ModelVersion, Rollout
from .scoring import loaded_model
from .versions import serving_cache_key


@dataclass
class ServedPrediction:
    result: dict[str, Any]
    model: dict[str, Any]
    cached: bool
    shadow: dict[str, Any] | None = field(default=None, repr=False)  # scored, never shown


def serving_state(*, capability: str, segment: str = "") -> dict[str, Any]:
    """Champion and challenger ids, cached until activation or rollout changes. Each carries ``refused``: why it
    cannot serve (its feature set is not the one the code computes now), or None."""
    key = serving_cache_key(capability, segment)
    state = cache.get(key)
    if state is None:
        versions = ModelVersion.objects.filter(capability=capability, segment=segment)
        champion = versions.filter(status=ModelStatus.ACTIVE).values("pk", "algorithm", "params").first()
        challenger = (
            versions.exclude(rollout=Rollout.NONE)
            .values("pk", "algorithm", "rollout", "traffic_share", "params")
            .first()
        )
        for chosen in (champion, challenger):
            if chosen is not None:
                chosen["refused"] = version_mismatch(chosen.pop("params"))
        state = {"champion": champion, "challenger": challenger}
        cache.set(key, state, settings.RETAILIQ_SERVING_STATE_TTL)
    return state


def serving_stamps(*, capability: str, segment: str = "", batch: bool = False) -> list[Stamp]:
    """What a cached answer made from a capability's models depends on: the serving models (moved by activation
    and rollout) and, with ``batch``, the stored batch of predictions (moved by :func:`batch_written`)."""
    stamps = [
        Stamp(serving_cache_key(capability, segment), lambda: serving_state(capability=capability, segment=segment))
    ]
    if batch:
        stamps.append(generation_stamp(_batch_generation(capability)))
    return stamps


def batch_written(*, capability: str) -> None:
    """A capability wrote stored predictions: answers cached from its serving batch are made again (on commit)."""
    generation_move(_batch_generation(capability))


def _batch_generation(capability: str) -> str:
    return f"registry:batch:{capability}"


def _bucket(routing_key: str) -> float:
    """A stable number in [0, 1) per caller, so one retailer keeps seeing one model."""
    return int(hashlib.sha256(routing_key.encode()).hexdigest()[:8], 16) / 0x100000000


def _inputs_digest(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _predict_with(capability: str, version_id: int | None, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    key = f"prediction:{capability}:{version_id or 'baseline'}:{_inputs_digest(inputs)}"
    lock = f"{key}:computing"
    hit = cache.get(key)
    holds_lock = False
    if hit is None:
        holds_lock = cache.add(lock, True, settings.RETAILIQ_PREDICTION_LOCK_SECONDS)
        if not holds_lock:
            # Another request is computing this very prediction: its answer is worth waiting for. If it does not
            # come in time (that request died, or the machine is that slow), compute it here rather than fail.
            hit = _wait_for(key, settings.RETAILIQ_PREDICTION_WAIT_SECONDS)
    PREDICTION_CACHE.labels(capability, "hit" if hit is not None else "miss").inc()
    if hit is not None:
        return hit, True
    try:
        adapter = adapter_for(capability)
        model = adapter.baseline() if version_id is None else loaded_model(ModelVersion.objects.get(pk=version_id))
        result = adapter.predict(model, inputs)
        cache.set(key, result, settings.RETAILIQ_PREDICTION_CACHE_TTL)
    finally:
        if holds_lock:  # also on failure, so the next caller computes at once instead of waiting out the lock
            cache.delete(lock)
    return result, False


def _wait_for(key: str, seconds: float) -> dict[str, Any] | None:
    """The cached answer once it appears, polling with a growing pause; None after ``seconds``."""
    deadline = time.monotonic() + seconds
    pause = 0.02
    while True:
        _pause(min(pause, max(0.0, deadline - time.monotonic())))
        found = cache.get(key)
        if found is not None or time.monotonic() >= deadline:
            return found
        pause = min(pause * 2, 0.25)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def prediction_serve(
    *, capability: str, inputs: dict[str, Any], routing_key: str, segment: str = ""
) -> ServedPrediction:
    state = serving_state(capability=capability, segment=segment)
    champion, challenger = state["champion"], state["challenger"]
    chosen, role = champion, "champion"
    if challenger and challenger["rollout"] == Rollout.SHARE and _bucket(routing_key) < challenger["traffic_share"]:
        chosen, role = challenger, "challenger"
    refused = chosen.get("refused") if chosen else None
    if refused:
        # A model fed features it was not trained on answers confidently and wrongly: serve the fallback instead.
        refused = f"Version {chosen['pk']} is not served: {refused}."
        chosen = None
    if chosen is None:
        role = "baseline"
    result, cached = _predict_with(capability, chosen["pk"] if chosen else None, inputs)
    PREDICTIONS_SERVED.labels(capability, role).inc()
    model = {
        "version": chosen["pk"] if chosen else None,
        "algorithm": chosen["algorithm"] if chosen else "baseline",
        "role": role,
        "fallback": chosen is None,
    }
    if refused:
        model["note"] = f"{refused} This answer comes from the baseline."
    elif chosen is None:
        model["note"] = f"No {capability} model has been trained yet; this answer comes from the baseline."
    shadow = None
    if challenger and challenger["rollout"] == Rollout.SHADOW and not challenger.get("refused"):
        shadow, _ = _predict_with(capability, challenger["pk"], inputs)
        PREDICTIONS_SERVED.labels(capability, "shadow").inc()
    return ServedPrediction(result=result, model=model, cached=cached, shadow=shadow)
