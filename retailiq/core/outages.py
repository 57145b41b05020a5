"""Which backing service an exception says is unreachable: the database, the cache or the task broker.

A request that meets one of these is answered 503 with the service's name (the API in its JSON error shape, pages
with a page of their own), never 500: nothing is wrong with the request, and trying again once the service is
back will work. The message names the service only; a driver's message names hosts and roles."""

from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError

RETRY_AFTER_SECONDS = 30

MESSAGES = {
    "database": "The database is unavailable at the moment; nothing was changed. Try again in a minute.",
    "cache": "The cache is unavailable at the moment; nothing was changed. Try again in a minute.",
    "broker": "The task queue is unavailable at the moment; nothing was queued. Try again in a minute.",
}


def unavailable_service(exc: BaseException) -> str | None:
    """ "database", "cache" or "broker" when ``exc`` means that service cannot be reached; None otherwise."""
    if isinstance(exc, DatabaseOperationalError | DatabaseInterfaceError):
        return "database"
    from kombu.exceptions import OperationalError as BrokerOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exc, BrokerOperationalError):
        return "broker"
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return "cache"
    return None
