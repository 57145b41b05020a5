"""The rep home's table of assigned retailers: how recently and how often each orders,
and whether its value is rising or falling. Filters: city, segment, quiet for N days."""

import datetime as dt

import django_filters
import django_tables2 as tables
from django.db.models import Q, QuerySet
from django.utils.html import format_html

from retailiq.accounts.models import User
from retailiq.retailers.models import Retailer, Segment
from retailiq.web.cache import cached_for_user
from retailiq.web.tables import DashboardTable

from .reference_day import reference_day
from .rep_data import city_choices_for_user, quiet_cutoff, with_window_figures
from .retailer_tables import MoneyColumn

NUM = {"th": {"class": "num"}, "td": {"class": "num"}}
# Ten years: longer is no longer "quiet", and the cutoff stays a date the calendar holds.
MAX_QUIET_DAYS = 3650


class RetailerFilter(django_filters.FilterSet):
    city = django_filters.ChoiceFilter(choices=[], empty_label="Any city", label="City")
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="Any segment", label="Segment")
    quiet_days = django_filters.NumberFilter(
        method="filter_quiet", label="Quiet for more than (days)", min_value=0, max_value=MAX_QUIET_DAYS
    )

    class Meta:
        model = Retailer
        fields = ["city", "segment", "quiet_days"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["city"].extra["choices"] = city_choices_for_user(user=user)

    def filter_quiet(self, queryset: QuerySet[Retailer], name: str, value) -> QuerySet[Retailer]:
        """No order since the cutoff, including retailers that never ordered."""
        cutoff = quiet_cutoff(int(value))
        return queryset.filter(Q(last_order_on__lt=cutoff) | Q(last_order_on__isnull=True))


class RetailerTable(DashboardTable):
    export_name = "retailers"
    name = tables.Column(verbose_name="Retailer")
    city = tables.Column(verbose_name="City")
    segment = tables.Column(verbose_name="Segment")
    last_order_on = tables.DateColumn(verbose_name="Last order", format="j M Y", default="never")
    days_since = tables.Column(
        verbose_name="Days since", accessor="last_order_on", order_by=("-last_order_on",), attrs=NUM, default="—"
    )
    orders_per_month = tables.Column(verbose_name="Orders / month", attrs=NUM)
    value_recent = MoneyColumn(verbose_name="Value, 90 days")
    trend_pct = tables.Column(verbose_name="Trend", attrs=NUM, default="new")

    class Meta(DashboardTable.Meta):
        model = Retailer
        fields = (
            "name", "city", "segment", "last_order_on", "days_since",
            "orders_per_month", "value_recent", "trend_pct",
        )  # fmt: skip
        empty_text = "None of your retailers matches these filters. Clear them to see all your retailers."

    def __init__(self, *args, today: dt.date | None = None, **kwargs) -> None:
        self.today = today or reference_day()
        super().__init__(*args, **kwargs)

    def render_segment(self, record: Retailer) -> str:
        return record.get_segment_display()

    def render_days_since(self, value: dt.date) -> str:
        return f"{(self.today - value).days:,}"

    def value_days_since(self, value: dt.date | None) -> int | str:
        return (self.today - value).days if value else ""

    def render_orders_per_month(self, value: float) -> str:
        return f"{value:,.1f}"

    def value_orders_per_month(self, value: float) -> str:
        return f"{value:.2f}"

    def render_trend_pct(self, value: float) -> str:
        value = float(value)
        direction = "up" if value > 0.05 else "down" if value < -0.05 else "flat"
        sign = "+" if value > 0 else "−" if value < 0 else ""
        return format_html('<span class="trend {}">{}{}%</span>', direction, sign, f"{abs(value):,.1f}")

    def value_trend_pct(self, value: float | None) -> str:
        return f"{float(value):.1f}" if value is not None else ""


def retailer_table(data: QuerySet[Retailer], *, request_get, user: User) -> RetailerTable:
    """Assigned retailers filtered by the request's query string (prefixed "retailers")."""
    filterset = RetailerFilter(request_get, queryset=data, prefix="retailers", user=user)
    # The per-retailer figures cost a few hundred milliseconds on a large book; the rows of
    # each filter are kept until the data changes, and the table sorts and pages them.
    filters = {k: v for k, v in sorted(request_get.items()) if k.startswith("retailers-") and k != "retailers-page"}
    filters = {k: v for k, v in filters.items() if k not in ("retailers-sort", "retailers-export")}
    rows = cached_for_user(user, "rep:retailer-rows", lambda: with_window_figures(filterset.qs), filters=filters)
    table = RetailerTable(rows, filterset=filterset, prefix="retailers-")
    if not len(rows):
        table.empty_text = _empty_text(filterset, has_retailers=data.exists())
    return table


def _empty_text(filterset: RetailerFilter, *, has_retailers: bool) -> str:
    """Why the list is empty, in the rep's terms: a filter that matched nobody is not a missing assignment."""
    if not has_retailers:
        return "No retailers are assigned to you yet: ask an admin to assign them."
    quiet = filterset.form.cleaned_data.get("quiet_days") if filterset.is_valid() else None
    if quiet is not None:
        return (
            f"None of your retailers has been quiet for more than {int(quiet)} day{'s' if int(quiet) != 1 else ''}: "
            "every one has ordered since. Try a longer quiet period, or clear the filter."
        )
    return "None of your retailers matches these filters. Clear them to see all your retailers."
