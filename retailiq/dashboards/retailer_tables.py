"""The retailer home's tables: its orders (filtered by status, kind and dates) and
what it buys most. Both render through the shared DashboardTable component."""

import django_filters
import django_tables2 as tables
from django import forms
from django.utils.encoding import force_str
from django.utils.html import format_html

from retailiq.orders.models import Order, OrderKind, OrderStatus
from retailiq.web.tables import DashboardTable
from retailiq.web.templatetags.money import money


class OrderFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, empty_label="Any status", label="Status")
    kind = django_filters.ChoiceFilter(choices=OrderKind.choices, empty_label="Sales and returns", label="Kind")
    placed_from = django_filters.DateFilter(
        field_name="placed_at", lookup_expr="date__gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = django_filters.DateFilter(
        field_name="placed_at", lookup_expr="date__lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Order
        fields = ["status", "kind", "placed_from", "placed_to"]


class MoneyColumn(tables.Column):
    """Shown with the currency and separators; exported as the plain number."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value) -> str:
        return money(value)

    def value(self, value) -> str:
        return f"{float(value):.2f}" if value is not None else ""


class CountColumn(tables.Column):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value) -> str:
        return f"{value:,}"

    def value(self, value) -> int:
        return value


class OrderTable(DashboardTable):
    export_name = "orders"
    external_id = tables.Column(verbose_name="Order")
    placed_at = tables.DateTimeColumn(verbose_name="Placed", format="j M Y")
    kind = tables.Column(verbose_name="Kind")
    status = tables.Column(verbose_name="Status")
    line_count = CountColumn(verbose_name="Lines")
    units = CountColumn(verbose_name="Units")
    amount = MoneyColumn(verbose_name="Value")

    class Meta(DashboardTable.Meta):
        model = Order
        fields = ("external_id", "placed_at", "kind", "status", "line_count", "units", "amount")
        empty_text = "No orders match these filters. Clear them to see every order; new orders appear here."

    def render_kind(self, record: Order) -> str:
        return record.get_kind_display()

    def render_status(self, record: Order) -> str:
        return format_html('<span class="badge {}">{}</span>', record.status, record.get_status_display())

    def value_status(self, record: Order) -> str:
        return record.get_status_display()

    def value_placed_at(self, record: Order) -> str:
        return record.placed_at.date().isoformat()

    def as_values(self, exclude_columns=None):
        """The same rows django-tables2 exports, read straight from each order: its
        generic path inspects a method's signature for every cell, which took over a
        second for a shop with a thousand orders."""
        exclude_columns = exclude_columns or ()
        columns = [
            column
            for column in self.columns.iterall()
            if not (column.column.exclude_from_export or column.name in exclude_columns)
        ]
        export = {
            "external_id": lambda order: order.external_id,
            "placed_at": self.value_placed_at,
            "kind": lambda order: order.get_kind_display(),
            "status": self.value_status,
            "line_count": lambda order: order.line_count,
            "units": lambda order: order.units,
            "amount": lambda order: self.columns["amount"].column.value(order.amount),
        }
        yield [force_str(column.header, strings_only=True) for column in columns]
        # Only the exported fields: loading each order's shop and warehouse doubled the time.
        orders = self.data.data.select_related(None).only("external_id", "placed_at", "kind", "status")
        for order in orders:
            yield [
                None  # an empty cell, as django-tables2 exports it
                if getattr(order, column.name) in column.column.empty_values
                else force_str(export[column.name](order), strings_only=True)
                for column in columns
            ]


class TopProductTable(DashboardTable):
    export_name = "top-products"
    product__name = tables.Column(verbose_name="Product")
    product__sku = tables.Column(verbose_name="SKU", attrs={"td": {"class": "muted"}})
    orders = CountColumn(verbose_name="Orders")
    units = CountColumn(verbose_name="Units")
    spend = MoneyColumn(verbose_name="Spend")

    class Meta(DashboardTable.Meta):
        empty_text = "Nothing bought in the last 90 days. Your most-bought products appear here once you order."
        order_by = ("-spend",)


def order_table(data, *, request_get) -> OrderTable:
    """Orders filtered by the request's query string (the filter form prefixed "orders")."""
    filterset = OrderFilter(request_get, queryset=data, prefix="orders")
    return OrderTable(filterset.qs, filterset=filterset, prefix="orders-")


def top_product_table(rows: list[dict]) -> TopProductTable:
    return TopProductTable(rows, prefix="products-")
