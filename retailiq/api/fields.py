"""Serializer fields shared by the API's input serializers."""

from typing import Any

from rest_framework import serializers

from retailiq.core.ids import MAX_ID


class IdField(serializers.IntegerField):
    """An id in a query or body: a whole number the database's 64-bit keys can hold; one
    beyond it is a 400 naming the field, never a lookup the database refuses."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
