"""The day the dashboards' windows ("last 90 days", "last 26 weeks") end.

On a live marketplace that is today. Imported history (the UCI Online Retail export ends
in December 2011) would leave every window empty, so the pages then end their windows on
the last day with orders and say so."""

import datetime as dt

from django.db.models import Max
from django.utils import timezone

from retailiq.orders.models import OrderLine


def last_order_day() -> dt.date | None:
    return OrderLine.objects.aggregate(last=Max("placed_on"))["last"]  # served by the placed_on index


def reference_day() -> dt.date:
    today = timezone.localdate()
    last = last_order_day()
    return last if last is not None and last < today else today
