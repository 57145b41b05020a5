"""The day the dashboards' windows ("last 90 days", "last 26 weeks") end.

On a live marketplace that is today. Imported history (the UCI Online Retail export ends
in December 2011) would leave every window empty, so the pages then end their windows on
the last day with orders and say so."""

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

from retailiq.orders.models import OrderLine
from retailiq.orders.selectors import last_day_of

MEMO_SECONDS = 5


def last_order_day() -> dt.date | None:
    """Remembered for a few seconds: one page asks for it from several of its parts."""
    found = cache.get("dashboards:last-order-day")
    if found is None:
        last = last_day_of(OrderLine.objects.all())  # served by the placed_on index
        found = last.isoformat() if last else ""
        cache.set("dashboards:last-order-day", found, MEMO_SECONDS)
    return dt.date.fromisoformat(found) if found else None


# A marketplace quiet for a few days is still live; history older than this is not.
STALE_AFTER_DAYS = 7


def reference_day() -> dt.date:
    return history_ends_before_today() or timezone.localdate()


def history_ends_before_today() -> dt.date | None:
    """The last order day when the history stopped over a week ago (imported history);
    the pages then end their windows there and say so."""
    last = last_order_day()
    return last if last is not None and last < timezone.localdate() - dt.timedelta(days=STALE_AFTER_DAYS) else None
