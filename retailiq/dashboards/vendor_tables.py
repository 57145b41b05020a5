"""The vendor home's tables and filters, all on the shared `DashboardTable`: who buys the
vendor's products, and which of them sell more or less than a month before."""

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import django_filters
import django_tables2 as tables
from django.conf import settings
from django.utils.encoding import force_str
from django.utils.html import format_html

from retailiq.retailers.models import Segment
from retailiq.web.tables import CountColumn, DashboardTable, MoneyColumn


class RetailerSalesFilter(django_filters.FilterSet):
    """Region and segment of the buying retailer. Regions are passed in (the ones the
    user's sales reached), so the choices never reveal more than the user may see."""

    region = django_filters.ChoiceFilter(field_name="retailer__region", label="Region", empty_label="All regions")
    segment = django_filters.ChoiceFilter(
        field_name="retailer__segment", label="Segment", choices=Segment.choices, empty_label="All segments"
    )

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["region"].extra["choices"] = regions


class ChangeColumn(tables.Column):
    """Relative change, coloured by direction; 'new' (infinite) when nothing sold before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value: float) -> str:
        if math.isinf(value):
            return format_html('<span class="up">{}</span>', "new")
        direction = "up" if value > 0 else "down" if value < 0 else ""
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return format_html('<span class="{}">{}{}%</span>', direction, sign, f"{abs(value) * 100:,.1f}")

    def value(self, value: float) -> str | float:
        """A percentage as a number (a negative one is not a formula to escape)."""
        return "new" if math.isinf(value) else round(value * 100, 1)


def _segment_label(value: str) -> str:
    return Segment(value).label if value in Segment.values else value


class RetailerSalesTable(DashboardTable):
    export_name = "top-retailers"
    name = tables.Column(verbose_name="Retailer")
    city = tables.Column()
    region = tables.Column()
    segment = tables.Column()
    orders = CountColumn()
    units = CountColumn()
    revenue = MoneyColumn(verbose_name=f"Revenue ({settings.RETAILIQ_CURRENCY})")

    class Meta(DashboardTable.Meta):
        empty_text = "No retailer bought your products in the last 90 days with these filters. Clear the filters, or check back once orders arrive."

    def render_segment(self, value: str) -> str:
        return _segment_label(value)

    def value_segment(self, value: str) -> str:
        return _segment_label(value)

    def as_values(self, exclude_columns: Iterable[str] | None = None) -> Iterator[list[Any]]:
        """What django-tables2 exports, without its per-cell inspection of each value
        method's signature (nine tenths of a 600-row export). Every column here reads one
        flat key of the row and turns it into its export value with one argument."""
        excluded = set(exclude_columns or ())
        columns = [c for c in self.columns.iterall() if not (c.column.exclude_from_export or c.name in excluded)]
        yield [force_str(c.header, strings_only=True) for c in columns]
        exporters = [(str(c.accessor), c.column.empty_values, self._export_value(c)) for c in columns]
        for row in self.rows:
            record = row.record
            yield [
                None if (value := record.get(key)) in empty else force_str(export(value), strings_only=True)
                for key, empty, export in exporters
            ]

    def _export_value(self, bound_column: tables.columns.BoundColumn) -> Callable[[Any], Any]:
        method = getattr(self, f"value_{bound_column.name}", None)
        if method is not None:
            return method
        if type(bound_column.column) is tables.Column:
            return lambda value: value
        return bound_column.column.value


class ProductMovementTable(DashboardTable):
    """Units in the last 30 days against the 30 before."""

    name = tables.Column(verbose_name="Product")
    sku = tables.Column(verbose_name="SKU")
    units = CountColumn(verbose_name="Units, last 30 days")
    units_before = CountColumn(verbose_name="Previous 30 days")
    change = ChangeColumn(verbose_name="Change")
    revenue = MoneyColumn(verbose_name=f"Revenue, last 30 days ({settings.RETAILIQ_CURRENCY})")


class TopProductsTable(ProductMovementTable):
    export_name = "top-products"

    class Meta(DashboardTable.Meta):
        empty_text = "None of your products sold in the last 30 days."


class DecliningProductsTable(ProductMovementTable):
    export_name = "declining-products"

    class Meta(DashboardTable.Meta):
        empty_text = "No product sells fewer units than in the 30 days before. Nothing to chase."
