"""The stock health and purchase-order tables, on the shared `DashboardTable`: sortable, filtered, paginated and
exported to CSV as filtered."""

import math
from typing import Any

import django_filters
import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join

from retailiq.inventory.models import PurchaseOrder, PurchaseOrderStatus
from retailiq.web.tables import CountColumn, DashboardTable, MoneyColumn

NO_COVER_LIMIT = 9999  # the policy's days of cover for a pair that sells nothing


class NumberColumn(CountColumn):
    """A whole number shown with separators; '—' when missing."""

    def render(self, value: Any) -> str:
        return intcomma(round(float(value)))

    def value(self, value: Any) -> Any:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 1)


class StockHealthTable(DashboardTable):
    export_name = "stock-health"
    product = tables.Column(verbose_name="Product")
    warehouse = tables.Column(verbose_name="Warehouse")
    on_hand = NumberColumn(verbose_name="On hand")
    on_order = NumberColumn(verbose_name="On order")
    days_of_cover = NumberColumn(verbose_name="Days of cover")
    probability_14 = CountColumn(verbose_name="Risk, 14 days")
    days_to_stockout = NumberColumn(verbose_name="Days to stockout")
    expected_lost_revenue = MoneyColumn(verbose_name="Revenue at risk")
    reorder_point = NumberColumn(verbose_name="Reorder point")
    order_qty = NumberColumn(verbose_name="Suggested order")
    reason = tables.Column(verbose_name="Why", orderable=False, visible=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No stocked product matches these filters."

    def render_days_of_cover(self, value: float) -> str:
        return "—" if value >= NO_COVER_LIMIT else intcomma(round(value))

    def value_days_of_cover(self, value: float) -> float | None:
        return None if value >= NO_COVER_LIMIT else round(float(value), 1)

    def render_probability_14(self, value: float) -> str:
        return format_html("{}%", round(100 * value))

    def value_probability_14(self, value: float) -> float:
        return round(float(value), 4)

    def render_order_qty(self, value: float) -> str:
        return format_html("<strong>{}</strong>", intcomma(round(value))) if value else "—"


class PurchaseOrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PurchaseOrderStatus.choices, label="Status", empty_label="All")
    warehouse = django_filters.ModelChoiceFilter(label="Warehouse", empty_label="All warehouses", queryset=None)
    vendor = django_filters.ModelChoiceFilter(label="Vendor", empty_label="All vendors", queryset=None)

    class Meta:
        model = PurchaseOrder
        fields = ["status", "warehouse", "vendor"]

    def __init__(self, *args: Any, warehouses, vendors, **kwargs: Any) -> None:
        """``vendors`` None: the user is a vendor and sees its own, so there is nothing to pick."""
        super().__init__(*args, **kwargs)
        self.filters["warehouse"].queryset = warehouses
        if vendors is None:
            del self.filters["vendor"]
        else:
            self.filters["vendor"].queryset = vendors


class PurchaseOrderTable(DashboardTable):
    export_name = "purchase-orders"
    number = tables.Column(verbose_name="Order")
    vendor = tables.Column(accessor="vendor__name", verbose_name="Vendor")
    warehouse = tables.Column(accessor="warehouse__code", verbose_name="Warehouse")
    status = tables.Column(verbose_name="Status")
    ordered_on = tables.DateColumn(verbose_name="Ordered", format="j M Y")
    promised_on = tables.DateColumn(verbose_name="Promised", format="j M Y")
    first_received_on = tables.DateColumn(verbose_name="First received", format="j M Y", default="—")
    closed_on = tables.DateColumn(verbose_name="Closed", format="j M Y", default="—")
    units_ordered = CountColumn(verbose_name="Units ordered")
    units_received = CountColumn(verbose_name="Units received")
    lines = tables.Column(accessor="pk", verbose_name="Lines", orderable=False)

    class Meta(DashboardTable.Meta):
        empty_text = "No purchase order matches these filters."

    def render_status(self, value: str, record: PurchaseOrder) -> str:
        return format_html('<span class="badge {}">{}</span>', value, record.get_status_display())

    def value_status(self, value: str, record: PurchaseOrder) -> str:
        return record.get_status_display()

    def render_lines(self, record: PurchaseOrder) -> str:
        lines = list(record.lines.all())
        received = ((ln.product.name, intcomma(ln.quantity_received), intcomma(ln.quantity_ordered)) for ln in lines)
        items = format_html_join("", "<li>{}: {} of {} received</li>", received)
        summary = f"{len(lines)} line{'' if len(lines) == 1 else 's'}"
        return format_html('<details class="po-lines"><summary>{}</summary><ul>{}</ul></details>', summary, items)

    def value_lines(self, record: PurchaseOrder) -> str:
        """Each line as "product: received/ordered", one cell per order."""
        return "; ".join(
            f"{ln.product.name}: {ln.quantity_received}/{ln.quantity_ordered}" for ln in record.lines.all()
        )
