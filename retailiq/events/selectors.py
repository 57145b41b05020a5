"""Reads of the calendar and promotions for other apps: what is on, or starts, between two days."""

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from .models import CalendarEvent, Promotion


def calendar_event_frame(*, start: dt.date, end: dt.date, kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Events overlapping [start, end]: name, kind, starts_on, ends_on, region ("" where it applies everywhere)."""
    rows = CalendarEvent.objects.filter(starts_on__lte=end, ends_on__gte=start)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    columns = ["name", "kind", "starts_on", "ends_on", "region"]
    return pd.DataFrame.from_records(list(rows.order_by("starts_on", "pk").values_list(*columns)), columns=columns)


def promotion_product_frame(*, start: dt.date, end: dt.date, product_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per promoted product of each promotion overlapping [start, end]: product_id, name, starts_on,
    ends_on, region."""
    rows = Promotion.products.through.objects.filter(promotion__starts_on__lte=end, promotion__ends_on__gte=start)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    fields = {"product_id": "product_id", "name": "promotion__name", "starts_on": "promotion__starts_on",
              "ends_on": "promotion__ends_on", "region": "promotion__region"}  # fmt: skip
    records = rows.order_by("promotion__starts_on", "pk").values_list(*fields.values())
    return pd.DataFrame.from_records(list(records), columns=list(fields))
