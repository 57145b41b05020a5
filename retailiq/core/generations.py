"""Generation stamps: a cache entry whose value names the current state of something that changes rarely and costs
a query to look up (the serving batch of stored predictions, the shops' assignments, the recorded calls).

A cached answer that depends on such a state stores the stamp it was made under and is served only while the stamp
is unchanged (retailiq/api/response_cache.py), so the hot path asks the cache, never the database, whether it is
still good. A writer moves the stamp when it writes and again after its transaction commits (a reader in between
made its answer from the old, committed data); a reader that finds no stamp starts a new generation, so an evicted or lost entry
costs one recomputation, never a stale answer."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction

from .outages import unavailable_service

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stamp:
    """Something a cached answer depends on: the cache entry holding its current value, and how to find that value
    when the cache holds none (the finder stores it for the next reader)."""

    key: str
    current: Callable[[], Any]


def generation_key(name: str) -> str:
    return f"generation:{name}"


def generation_stamp(name: str) -> Stamp:
    return Stamp(generation_key(name), lambda: generation(name))


def generation(name: str) -> str:
    """The current stamp of ``name``; a new one when the cache holds none."""
    key = generation_key(name)
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid.uuid4().hex, None)  # two first readers agree on one stamp
        found = cache.get(key) or uuid.uuid4().hex
    return found


def generation_move(name: str) -> None:
    """Start a new generation of ``name``: now, for the rest of the current transaction's own reads, and again once
    it commits (another reader in between made its answer from the committed, older data)."""
    if transaction.get_connection().in_atomic_block:
        _move(name)
    transaction.on_commit(lambda: _move(name))


def _move(name: str) -> None:
    # A cache outage must not fail a write that has committed; answers cached under the old stamp then live out
    # their expiry (every front cache entry has one).
    try:
        cache.set(generation_key(name), uuid.uuid4().hex, None)
    except Exception as exc:
        if unavailable_service(exc) != "cache":
            raise
        logger.warning("Cache unreachable: answers cached under %s expire instead of being replaced", name)
