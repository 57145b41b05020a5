"""API tokens remembered for a few seconds, so a call with a good token costs no query for it and its user.

A token and its user (as the database had them) are cached under a digest of the key, never the key itself, for
RETAILIQ_API_TOKEN_CACHE_SECONDS (30). Whatever could make a cached token wrong forgets it at once: deleting the
token (a rotation deletes the old one), saving its user (deactivated, another role or organisation, a new
password) and deleting the user. A bulk `update()` sends no signal: the short expiry bounds that case."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from rest_framework.authtoken.models import Token


def token_cache_key(key: str) -> str:
    return "api-token:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def token_remember(*, token: Token) -> None:
    """Cache a token that just authenticated (with its user loaded)."""
    seconds = settings.RETAILIQ_API_TOKEN_CACHE_SECONDS
    if seconds > 0:
        cache.set(token_cache_key(token.key), token, seconds)


def tokens_forget(*, keys: list[str]) -> None:
    """Now, and again once the transaction commits: a request that read the old rows just before the change
    may have cached them since."""
    if not keys:
        return
    names = [token_cache_key(key) for key in keys]
    cache.delete_many(names)
    transaction.on_commit(lambda: cache.delete_many(names))


def _token_deleted(sender, instance: Token, **kwargs) -> None:
    tokens_forget(keys=[instance.key])


def _user_changed(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every sign-in saves the time, which no API answer reads
    tokens_forget(keys=list(Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)))


def _user_deleted(sender, instance, **kwargs) -> None:
    # Before the delete: the user's tokens are still there to name (their own delete also forgets them).
    tokens_forget(keys=list(Token.objects.filter(user_id=instance.pk).values_list("key", flat=True)))


def connect_token_cache_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save, pre_delete

    user_model = get_user_model()
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="token-cache-token-deleted")
    post_save.connect(_token_deleted, sender=Token, dispatch_uid="token-cache-token-saved")
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="token-cache-user-saved")
    pre_delete.connect(_user_deleted, sender=user_model, dispatch_uid="token-cache-user-deleted")
