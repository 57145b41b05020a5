"""Aggregates over all history are cached until the data they summarise changes.

The key carries a data version: the newest order id, the last import that finished or was
undone, the sales rollups' version, which every write path moves in its transaction
(a cancellation or an admin edit too), and the directory stamp (retailiq/core/directory.py),
which an edit to a shop, product, vendor or warehouse moves (a product moved to another
vendor changes whose figures its sales are). So a cached figure is never older than the data;
the TTL only bounds memory. Pages read the rollups, so the first request after a write
(a cold cache) costs a few small queries, not a pass over every order line."""

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Max

from retailiq.core.directory import DIRECTORY_GENERATION
from retailiq.core.generations import generation

T = TypeVar("T")

DEFAULT_TTL_SECONDS = 15 * 60


# A page asks for the version several times; within these seconds it is asked once.
VERSION_MEMO_SECONDS = 5
DATA_VERSION_KEY = "dashboards:data-version"


def data_version() -> str:
    found = cache.get(DATA_VERSION_KEY)
    if found is None:
        found = _current_data_version()
        cache.set(DATA_VERSION_KEY, found, VERSION_MEMO_SECONDS)
    return found


def _current_data_version() -> str:
    from retailiq.imports.models import ImportBatch
    from retailiq.orders.models import Order
    from retailiq.rollups.selectors import rollups_version

    orders = Order.objects.aggregate(newest=Max("id"), rollups=Max(rollups_version()))
    imports = ImportBatch.objects.aggregate(finished=Max("finished_at"), undone=Max("undone_at"))
    directory = generation(DIRECTORY_GENERATION)
    stamp = f"{orders['newest'] or 0}|{imports['finished']}|{imports['undone']}|{orders['rollups']}|{directory}"
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


def scope_key(user: Any) -> str:
    """What a user's figures depend on: the whole marketplace, one vendor, one retailer,
    or one rep's book. Never shared across scopes."""
    if user.sees_everything:
        return "all"
    if user.vendor_id:
        return f"vendor-{user.vendor_id}"
    if user.retailer_id:
        return f"retailer-{user.retailer_id}"
    return f"user-{user.pk}"


def cached_for_user(user: Any, name: str, compute: Callable[[], T], *, version: str | None = None, **params: Any) -> T:
    """A per-scope cached figure; the day is part of the key, so windows move at midnight."""
    from django.utils import timezone

    detail = ":".join(f"{k}={params[k]}" for k in sorted(params))
    key = f"{name}:{scope_key(user)}:{timezone.localdate().isoformat()}:{detail}"
    return cached_for_data(key, compute, version=version)
