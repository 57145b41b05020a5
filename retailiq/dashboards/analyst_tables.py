"""The analyst home's tables, on the shared `DashboardTable`: recent jobs (filtered by
state) and the marketplace's top retailers (the vendor home's table, over every sale)."""

import django_filters
import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.html import format_html

from retailiq.registry.models import Job, JobState
from retailiq.web.tables import DashboardTable

from .vendor_tables import RetailerSalesFilter, RetailerSalesTable

__all__ = ["JobFilter", "JobTable", "MarketplaceRetailerTable", "RetailerSalesFilter"]


class JobFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=JobState.choices, label="State", empty_label="All states")

    class Meta:
        model = Job
        fields = ["state"]


class JobTable(DashboardTable):
    export_name = "jobs"
    id = tables.Column(verbose_name="Job")
    kind = tables.Column(accessor="get_kind_display", order_by=("kind",), verbose_name="Kind")
    capability = tables.Column(accessor="get_capability_display", order_by=("capability",))
    state = tables.Column()
    result = tables.Column(accessor="message", verbose_name="Result", orderable=False, empty_values=())
    created_at = tables.Column(verbose_name="Created")
    finished_at = tables.Column(verbose_name="Finished", default="—")

    class Meta(DashboardTable.Meta):
        empty_text = "No jobs with this state. Training and scoring jobs appear here; start one on the models page."

    def render_state(self, value: str, record: Job) -> str:
        return format_html('<span class="badge {}">{}</span>', value, record.get_state_display())

    def value_state(self, value: str) -> str:
        return value

    def render_result(self, value: str, record: Job) -> str:
        if record.error:
            return format_html('<span class="error">{}</span>', record.error[:100])
        return value or "—"

    def value_result(self, value: str, record: Job) -> str:
        return record.error or value

    def render_created_at(self, value) -> str:
        return naturaltime(value)

    def render_finished_at(self, value) -> str:
        return naturaltime(value)


class MarketplaceRetailerTable(RetailerSalesTable):
    export_name = "marketplace-top-retailers"

    class Meta(RetailerSalesTable.Meta):
        empty_text = (
            "No orders in the last 90 days with these filters. Clear the filters, or load data with "
            "manage.py generate_demo_data."
        )
