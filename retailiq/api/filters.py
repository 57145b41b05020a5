"""Query filters that refuse what the database cannot hold, as a 400 naming the parameter:
a time zone offset beyond ±15:59 (PostgreSQL's limit) and an id beyond a 64-bit integer
(SQLite raises OverflowError). DjangoFilterBackend builds every `filterset_fields` filterset on
BoundedFilterSet, and explicit filtersets use the same filters."""

import datetime as dt

import django_filters
from django import forms
from django.db import models
from django_filters import fields as filter_fields
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet

from retailiq.core.ids import MAX_ID

MAX_OFFSET = dt.timedelta(hours=15, minutes=59)


class BoundedIsoDateTimeField(filter_fields.IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        offset = parsed.utcoffset() if parsed is not None else None
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError("The time zone offset must be within ±15:59.", code="invalid")
        return parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class BoundedModelChoiceField(filter_fields.ModelChoiceField):
    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text.lstrip("-").isdigit() and abs(int(text)) > MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


class BoundedFilterSet(RestFilterSet):
    FILTER_DEFAULTS = {
        **RestFilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": BoundedIsoDateTimeFilter},
        models.ForeignKey: {
            **RestFilterSet.FILTER_DEFAULTS[models.ForeignKey],
            "filter_class": BoundedModelChoiceFilter,
        },
    }


class BoundedFilterBackend(DjangoFilterBackend):
    filterset_base = BoundedFilterSet


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number that fits the database's 64-bit integer."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
