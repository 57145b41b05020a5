"""Computed features kept in Django's cache, keyed so that a stale frame is never read.

The key holds the set's name and version, the entity (a shop, a product, "marketplace"), the cutoff and the data
version every write moves (`retailiq.web.cache.data_version`): new orders, a new feature version or another day
each make a new key, and the TTL only bounds memory.

A set that every request reads whole (reorder's market context: a frame per product and the co-occurrence counts)
can also be kept in the process (``in_process=True``): under the same key, so it is exactly as fresh as the shared
cache, and a request no longer pays for fetching and unpickling megabytes. Only the newest few keys are kept."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache

from retailiq.web.cache import data_version

from .spec import FeatureSet

T = TypeVar("T")

DEFAULT_TTL_SECONDS = 6 * 60 * 60
IN_PROCESS_KEYS = 4  # a context per day and data version: the current one, and a few a new order just replaced

_in_process: OrderedDict[str, Any] = OrderedDict()
_in_process_lock = threading.Lock()


def features_cache_key(feature_set: FeatureSet, *, entity: str, cutoff: dt.date | str, version: str) -> str:
    return f"features:{feature_set.name}:{feature_set.version}:{entity}:{cutoff}:{version}"


def cached_features(
    feature_set: FeatureSet,
    *,
    entity: str,
    cutoff: dt.date | str,
    compute: Callable[[], T],
    ttl: int = DEFAULT_TTL_SECONDS,
    in_process: bool = False,
) -> T:
    """``compute()`` once per set version, entity, cutoff and data version; later calls read the cache (with
    ``in_process``, first this process's copy under the same key)."""
    key = features_cache_key(feature_set, entity=entity, cutoff=cutoff, version=data_version())
    if in_process:
        with _in_process_lock:
            if key in _in_process:
                _in_process.move_to_end(key)
                return _in_process[key]
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, ttl)
    if in_process:
        with _in_process_lock:
            _in_process[key] = found
            while len(_in_process) > IN_PROCESS_KEYS:
                _in_process.popitem(last=False)
    return found


def in_process_features_clear() -> None:
    """Forget this process's copies (tests that clear the shared cache clear these too)."""
    with _in_process_lock:
        _in_process.clear()
