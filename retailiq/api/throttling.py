"""The API's throttles: DRF's anon, user and scoped rates, counted in fixed windows by one atomic
cache operation per throttle and request.

DRF's throttles keep each caller's request history as a list: a read and a write of the whole
list per request and throttle, and two concurrent requests can both read the old list, so one
of them is not counted. Here a request increments the counter of the current window (INCR, with
the window's expiry set on the first hit, in one MULTI/EXEC round trip on Redis); over the rate,
the answer is a 429 whose Retry-After is the time left in the window. A fixed window lets a
caller spend up to twice the rate across a window's edge; the rates are protection against
runaway clients, not billing, so that is accepted for the halved cost. The anon, user and scoped
rates that apply to a request are counted together (:class:`RateLimits`), in one round trip."""

import math

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import (
    AnonRateThrottle,
    BaseThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)


def window_hit(key: str, seconds: int) -> int:
    """Count one hit in the window named by `key` (which expires after `seconds`); the count so far."""
    return window_hits([(key, seconds)])[0]


def window_hits(windows: list[tuple[str, int]]) -> list[int]:
    """Count one hit in each (key, seconds) window, in one round trip on Redis; the counts so far."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        full_keys = [cache.make_and_validate_key(key) for key, _ in windows]
        client = cache._cache.get_client(full_keys[0], write=True)
        pipe = client.pipeline(transaction=True)
        for full_key, (_, seconds) in zip(full_keys, windows, strict=True):
            pipe.incr(full_key)
            pipe.expire(full_key, seconds, nx=True)
        return [int(count) for count in pipe.execute()[::2]]
    # Other backends (the embedded defaults, tests): add-then-incr, atomic within one process's locmem.
    return [_local_hit(key, seconds) for key, seconds in windows]


def _local_hit(key: str, seconds: int) -> int:
    cache = caches["default"]
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this hit opens a new window
        cache.set(key, 1, seconds)
        return 1


class FixedWindowThrottle(SimpleRateThrottle):
    """SimpleRateThrottle's rates and cache keys, counted per fixed window in one cache operation."""

    def window(self, request, view) -> tuple[str, int] | None:
        """(key, expiry) of the window this request counts in; None when this rate does not apply."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        duration = int(self.duration)
        window = int(self.timer() // duration)
        self.window_ends = (window + 1) * duration
        return f"{self.key}:w{window}", duration + 1

    def allow_request(self, request, view) -> bool:
        found = self.window(request, view)
        if found is None:
            return True
        return window_hit(*found) <= self.num_requests or self.throttle_failure()

    def wait(self) -> float:
        return max(1, math.ceil(self.window_ends - self.timer()))


class AnonThrottle(AnonRateThrottle, FixedWindowThrottle):
    pass


class UserThrottle(UserRateThrottle, FixedWindowThrottle):
    pass


class ScopedThrottle(ScopedRateThrottle, FixedWindowThrottle):
    def window(self, request, view) -> tuple[str, int] | None:
        # As ScopedRateThrottle.allow_request: the view names the scope, and so the rate.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return None
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().window(request, view)


class RateLimits(BaseThrottle):
    """The anon, user and scoped rates that apply to a request, counted in one round trip; a 429 waits for the
    longest of the windows it is over."""

    rates = (AnonThrottle, UserThrottle, ScopedThrottle)

    def allow_request(self, request, view) -> bool:
        applying = []
        for rate in self.rates:
            throttle = rate()
            found = throttle.window(request, view)
            if found is not None:
                applying.append((throttle, found))
        if not applying:
            return True
        counts = window_hits([found for _, found in applying])
        self.over = [
            throttle for (throttle, _), count in zip(applying, counts, strict=True) if count > throttle.num_requests
        ]
        return not self.over

    def wait(self) -> float:
        return max(throttle.wait() for throttle in self.over)
