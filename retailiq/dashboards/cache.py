"""Aggregates over all history are cached until the data they summarise changes.

The key carries a data version: the newest order id plus the last import that finished
or was undone. New orders, imports and undos all move it, so a cached figure is never
older than the data; the TTL only bounds memory and any change the version cannot see
(an order edited in the admin)."""

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Max

T = TypeVar("T")

DEFAULT_TTL_SECONDS = 15 * 60


def data_version() -> str:
    from retailiq.imports.models import ImportBatch
    from retailiq.orders.models import Order

    newest_order = Order.objects.aggregate(newest=Max("id"))["newest"] or 0
    imports = ImportBatch.objects.aggregate(finished=Max("finished_at"), undone=Max("undone_at"))
    stamp = f"{newest_order}|{imports['finished']}|{imports['undone']}"
    return hashlib.sha1(stamp.encode()).hexdigest()[:12]


def cached_for_data(
    key: str, compute: Callable[[], T], *, ttl: int = DEFAULT_TTL_SECONDS, version: str | None = None
) -> T:
    """`key` must name everything the result depends on besides the data (user scope,
    filters, granularity). Pass `version` when one request caches several results."""
    full_key = f"dashboards:{version or data_version()}:{key}"
    found: Any = cache.get(full_key)
    if found is not None:
        return found
    value = compute()
    cache.set(full_key, value, ttl)
    return value
