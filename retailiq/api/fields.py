"""Serializer fields shared by the API's input serializers."""

import datetime as dt
import math
from typing import Any

from rest_framework import serializers

from retailiq.core.ids import MAX_ID

# The days a model reads: pandas holds nanosecond timestamps only up to April 2262, so a day
# beyond these would fail deep inside a forecast instead of here, naming its field.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)


class IdField(serializers.IntegerField):
    """An id in a query or body: a whole number the database's 64-bit keys can hold; one
    beyond it is a 400 naming the field, never a lookup the database refuses."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class DayField(serializers.DateField):
    """A day a forecast can read: from EARLIEST_DAY to LATEST_DAY."""

    def to_internal_value(self, value: Any) -> dt.date:
        day = super().to_internal_value(value)
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise serializers.ValidationError(f"Give a day from {EARLIEST_DAY} to {LATEST_DAY}.")
        return day


class FiniteFloatField(serializers.FloatField):
    """A number that is one: "nan" and "inf" read as floats, then pass every range check
    (NaN compares false), so they are refused here, naming the field."""

    default_error_messages = {"not_finite": "A finite number is required."}

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value
