"""Query filters that refuse what the database cannot hold, as a 400 naming the parameter:
a time zone offset beyond ±15:59 (PostgreSQL's limit), a moment
that leaves years 1 to 9999 once in UTC, an id beyond a 64-bit integer
(SQLite raises OverflowError) and a yes/no that is neither (read as "no filter" otherwise). DjangoFilterBackend builds every `filterset_fields` filterset on
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
        try:
            parsed = super().to_python(value)
            offset = parsed.utcoffset() if parsed is not None else None
            if offset is not None and abs(offset) > MAX_OFFSET:
                raise forms.ValidationError("The time zone offset must be within ±15:59.", code="invalid")
            if parsed is not None and offset is not None:
                # 9999-12-31T23:59-15:59 is a valid text whose UTC instant falls past the last date Python holds.
                parsed.astimezone(dt.UTC)
        except OverflowError:
            raise forms.ValidationError("The moment in UTC falls outside years 1 to 9999.", code="invalid") from None
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


class _RawBooleanWidget(django_filters.widgets.BooleanWidget):
    """Passes the text through, so that a value that is neither true nor false reaches the
    field and is refused (django-filter's widget reads it as "no filter")."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.NullBooleanField):
    widget = _RawBooleanWidget

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text == "":
            return None
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")

    def validate(self, value) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class BoundedFilterSet(RestFilterSet):
    FILTER_DEFAULTS = {
        **RestFilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
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
