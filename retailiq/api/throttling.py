"""The API's throttles: DRF's anon, user and scoped rates, counted in fixed windows by one atomic
cache operation per throttle and request.

DRF's throttles keep each caller's request history as a list: a read and a write of the whole
list per request and throttle, and two concurrent requests can both read the old list, so one
of them is not counted. Here a request increments the counter of the current window (INCR, with
the window's expiry set on the first hit, in one MULTI/EXEC round trip on Redis); over the rate,
the answer is a 429 whose Retry-After is the time left in the window. A fixed window lets a
caller spend up to twice the rate across a window's edge; the rates are protection against
runaway clients, not billing, so that is accepted for the halved cost."""

import math

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle


def window_hit(key: str, seconds: int) -> int:
    """Count one hit in the window named by `key` (which expires after `seconds`); the count so far."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(full_key, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.incr(full_key)
        pipe.expire(full_key, seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)
    # Other backends (the embedded defaults, tests): add-then-incr, atomic within one process's locmem.
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this hit opens a new window
        cache.set(key, 1, seconds)
        return 1


class FixedWindowThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's rates and cache keys, counted per fixed window in one cache operation."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        duration = int(self.duration)
        window = int(self.timer() // duration)
        self.window_ends = (window + 1) * duration
        if window_hit(f"{self.key}:w{window}", duration + 1) > self.num_requests:
            return self.throttle_failure()
        return True

    def wait(self) -> float:
        return max(1, math.ceil(self.window_ends - self.timer()))


class AnonThrottle(AnonRateThrottle, FixedWindowThrottle):
    pass


class UserThrottle(UserRateThrottle, FixedWindowThrottle):
    pass


class ScopedThrottle(ScopedRateThrottle, FixedWindowThrottle):
    pass
