"""How a task rides out the database going away for a while (a restart, a failover): the same delivery is tried
again with backoff for long enough to outlast a restart, instead of giving up after a few seconds and leaving its
row running with no delivery left to finish it."""

from django.db import InterfaceError, OperationalError

DATABASE_ERRORS = (OperationalError, InterfaceError)

DATABASE_RETRIES = 10
DATABASE_BACKOFF_MAX_SECONDS = 60

# Celery options: backoff 1, 2, 4 ... seconds capped at a minute, jittered; ten tries span up to about five minutes.
RETRY_ON_DATABASE_OUTAGE = {
    "autoretry_for": DATABASE_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": DATABASE_BACKOFF_MAX_SECONDS,
    "max_retries": DATABASE_RETRIES,
}


def database_retry_countdown(retries: int) -> int:
    """For a task that retries by hand: the same backoff, without the jitter."""
    return min(2**retries, DATABASE_BACKOFF_MAX_SECONDS)
