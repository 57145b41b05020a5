"""Computed features kept in Django's cache, keyed so that a stale frame is never read.

The key holds the set's name and version, the entity (a shop, a product, "marketplace"), the cutoff and the data
version every write moves (`retailiq.web.cache.data_version`): new orders, a new feature version or another day
each make a new key, and the TTL only bounds memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from retailiq.web.cache import data_version

from .spec import FeatureSet

T = TypeVar("T")

DEFAULT_TTL_SECONDS = 6 * 60 * 60


def features_cache_key(feature_set: FeatureSet, *, entity: str, cutoff: dt.date | str, version: str) -> str:
    return f"features:{feature_set.name}:{feature_set.version}:{entity}:{cutoff}:{version}"


def cached_features(
    feature_set: FeatureSet,
    *,
    entity: str,
    cutoff: dt.date | str,
    compute: Callable[[], T],
    ttl: int = DEFAULT_TTL_SECONDS,
) -> T:
    """``compute()`` once per set version, entity, cutoff and data version; later calls read the cache."""
    key = features_cache_key(feature_set, entity=entity, cutoff=cutoff, version=data_version())
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, ttl)
    return found
