"""Token authentication for the API: DRF's token, refused once older than
RETAILIQ_API_TOKEN_MAX_AGE_DAYS, throttled per address after repeated bad tokens, and remembered
for a few seconds (retailiq/accounts/token_cache.py) so a good token costs no query.

DRF authenticates before it throttles, so a throttle class never sees a call whose token is
wrong: 130 bad tokens a minute went through unthrottled. The check lives here instead. The
address's bad-token count and the cached token are read in one cache round trip."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from retailiq.accounts.token_cache import token_cache_key, token_remember

from .throttling import FixedWindowThrottle, window_hit


class BadTokenThrottle(FixedWindowThrottle):
    """Counts bad tokens per address (RETAILIQ_API_RATE_BAD_TOKEN) in fixed windows; a good token costs nothing."""

    scope = "bad_token"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def window_key(self, request) -> str:
        duration = int(self.duration)
        window = int(self.timer() // duration)
        self.window_ends = (window + 1) * duration
        return f"{self.get_cache_key(request, None)}:w{window}"

    def record_failure(self, request) -> None:
        window_hit(self.window_key(request), int(self.duration) + 1)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        throttle = BadTokenThrottle()
        counter = throttle.window_key(request)
        key = _key_of(header)
        cached_as = token_cache_key(key) if key else None
        found = cache.get_many([counter, cached_as] if cached_as else [counter])
        if int(found.get(counter) or 0) >= throttle.num_requests:
            raise Throttled(wait=throttle.wait(), detail="Too many calls with a bad token from this address.")
        token = found.get(cached_as) if cached_as else None
        try:
            if token is not None:
                self._check_age(token)
                return token.user, token
            user, token = super().authenticate(request)
        except AuthenticationFailed:
            throttle.record_failure(request)
            raise
        token_remember(token=token)
        return user, token

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        self._check_age(token)
        return user, token

    def _check_age(self, token) -> None:
        max_age = settings.RETAILIQ_API_TOKEN_MAX_AGE_DAYS
        if max_age and token.created < timezone.now() - dt.timedelta(days=max_age):
            raise AuthenticationFailed(f"The token is older than {max_age} days: ask an administrator for a new one.")


def _key_of(header: list[bytes]) -> str | None:
    """The key as DRF reads it, or None for a malformed header (DRF's own check answers that)."""
    if len(header) != 2:
        return None
    try:
        return header[1].decode()
    except UnicodeError:
        return None
