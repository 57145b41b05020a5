"""Where capabilities register their feature sets, and how a model version records and checks one.

The shared domain never imports a capability: each capability calls :func:`register` from its own modules (its
adapter, which the registry app autodiscovers), and model versions carry ``{"name", "version"}`` in their params."""

from __future__ import annotations

from typing import Any

from .spec import FeatureSet

_feature_sets: dict[str, FeatureSet] = {}

PARAM_KEY = "feature_set"  # where a model version's params record the set it was trained on


def register(feature_set: FeatureSet) -> FeatureSet:
    """Register a feature set under its name (the last registration wins, as a module reload needs); returns it."""
    _feature_sets[feature_set.name] = feature_set
    return feature_set


def feature_set(name: str) -> FeatureSet:
    try:
        return _feature_sets[name]
    except KeyError:
        raise KeyError(f"no feature set {name!r} is registered") from None


def registered() -> list[FeatureSet]:
    return sorted(_feature_sets.values(), key=lambda f: f.name)


def recorded(feature_set: FeatureSet) -> dict[str, dict[str, str]]:
    """What a model version's params keep about the set it was trained on."""
    return {PARAM_KEY: {"name": feature_set.name, "version": feature_set.version}}


def version_mismatch(params: dict[str, Any] | None) -> str | None:
    """Why a version trained on the set recorded in ``params`` cannot be served now, or None when it can.

    A version recorded before feature sets existed records none and is served as before: refusing it would take
    every trained model out of service on upgrade, and its features are the ones the current code computes."""
    recorded_set = (params or {}).get(PARAM_KEY)
    if not recorded_set:
        return None
    current = _feature_sets.get(recorded_set.get("name", ""))
    if current is None:
        return f"the model was trained on feature set {recorded_set.get('name')!r}, which is no longer registered"
    if recorded_set.get("version") != current.version:
        return (
            f"the model was trained on {current.name}@{recorded_set.get('version')}, "
            f"but the features are now {current.label}; retrain it"
        )
    return None
