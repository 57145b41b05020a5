"""Token authentication for the API: DRF's token, refused once older than
RETAILIQ_API_TOKEN_MAX_AGE_DAYS, and throttled per address after repeated bad tokens.

DRF authenticates before it throttles, so a throttle class never sees a call whose token is
wrong: 130 bad tokens a minute went through unthrottled. The check lives here instead."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.throttling import SimpleRateThrottle


class BadTokenThrottle(SimpleRateThrottle):
    """Counts bad tokens per address (RETAILIQ_API_RATE_BAD_TOKEN); a good token costs nothing."""

    scope = "bad_token"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def blocked(self, request) -> bool:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        self.throttle_success()


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        throttle = BadTokenThrottle()
        if throttle.blocked(request):
            raise Throttled(wait=throttle.wait(), detail="Too many calls with a bad token from this address.")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle.record_failure()
            raise

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        max_age = settings.RETAILIQ_API_TOKEN_MAX_AGE_DAYS
        if max_age and token.created < timezone.now() - dt.timedelta(days=max_age):
            raise AuthenticationFailed(f"The token is older than {max_age} days: ask an administrator for a new one.")
        return user, token
