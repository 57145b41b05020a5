"""Every API list pages by limit and offset, with the limit capped (RETAILIQ_API_MAX_PAGE_SIZE)
and the cap in the schema: `?limit=1000000` once returned every sales line a vendor can see.
A limit or offset that is not a whole number (or is beyond any table) is a 400 naming it,
not silently the default."""

import hashlib

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from rest_framework.pagination import LimitOffsetPagination

from retailiq.core.directory import DIRECTORY_GENERATION
from retailiq.core.errors import InvalidInput
from retailiq.core.generations import generation
from retailiq.web.cache import cached_for_data, data_version

# Beyond any table, and far inside a bigint: larger offsets would overflow the database's integer.
MAX_OFFSET = 10**12


def _whole_number(request, name: str, *, minimum: int, maximum: int) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.strip().isdigit() or len(raw.strip()) > 13:
        raise InvalidInput(f"{name} must be a whole number from {minimum} to {maximum:,}.", field=name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidInput(f"{name} must be a whole number from {minimum} to {maximum:,}.", field=name)
    return value


class CappedLimitOffsetPagination(LimitOffsetPagination):
    @property
    def max_limit(self) -> int:
        return settings.RETAILIQ_API_MAX_PAGE_SIZE

    def get_limit(self, request) -> int:
        # Above the cap is capped (the schema says so), not refused: a client asking for more
        # pages through the rest.
        limit = _whole_number(request, self.limit_query_param, minimum=1, maximum=MAX_OFFSET)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request) -> int:
        offset = _whole_number(request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET)
        return offset or 0

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_limit, "default": self.default_limit})
                parameter["description"] = f"Number of results to return per page (at most {self.max_limit})."
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update({"minimum": 0, "maximum": MAX_OFFSET})
        return parameters


class DataVersionedCountPagination(CappedLimitOffsetPagination):
    """For lists over the sales data (orders and their lines): the total is cached under the data version
    (retailiq.web.cache) and the directory stamp (retailiq.core.directory: a product moved to another vendor
    changes which lines the same query counts), keyed by the exact query, so paging through a vendor's lines
    counts them once per change of the data instead of once per page. Only for tables every write to which moves
    that version."""

    def get_count(self, queryset) -> int:
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # a scope that can read nothing (`.none()`): no query to run or cache
            return 0
        digest = hashlib.sha1(repr((sql, params)).encode()).hexdigest()[:24]
        version = f"{data_version()}:{generation(DIRECTORY_GENERATION)}"
        return cached_for_data(f"api-count:{digest}", queryset.count, version=version)
