"""The imports list and a batch's issues, on the shared table component."""

import django_filters
import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma, naturaltime
from django.urls import reverse
from django.utils.html import format_html

from retailiq.web.tables import DashboardTable

from .models import ImportBatch, ImportIssue, ImportState, IssueSeverity
from .pages import state_label


class BatchFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ImportState.choices, label="State", empty_label="All states")

    class Meta:
        model = ImportBatch
        fields = ["state"]


class _Count(tables.Column):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"th": {"class": "num"}, "td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value) -> str:
        return intcomma(value)


class BatchTable(DashboardTable):
    export_name = "imports"
    original_name = tables.Column(verbose_name="File")
    created_at = tables.Column(verbose_name="Uploaded")
    uploaded_by = tables.Column(verbose_name="By", order_by=("uploaded_by__username",), default="—")
    state = tables.Column()
    lines_read = _Count(verbose_name="Lines")
    lines_accepted = _Count(verbose_name="Accepted")
    lines_rejected = _Count(verbose_name="Rejected")

    class Meta(DashboardTable.Meta):
        empty_text = "No imports yet. Upload a CSV file of sales history to start one."

    def render_original_name(self, value: str, record: ImportBatch) -> str:
        return format_html('<a href="{}">{}</a>', reverse("import-batch", args=[record.pk]), value)

    def render_created_at(self, value) -> str:
        return naturaltime(value)

    def value_created_at(self, value) -> str:
        return value.isoformat(timespec="seconds")

    def render_uploaded_by(self, value) -> str:
        return value.get_full_name() or value.username

    def value_uploaded_by(self, value) -> str:
        return value.username if value else ""

    def render_state(self, value: str, record: ImportBatch) -> str:
        # django-tables2 hands choice fields over as their label; the class wants the code.
        return format_html('<span class="badge {}">{}</span>', record.state, state_label(record))

    def value_state(self, value: str) -> str:
        return value


class IssueFilter(django_filters.FilterSet):
    severity = django_filters.ChoiceFilter(
        choices=IssueSeverity.choices, label="Severity", empty_label="All severities"
    )

    class Meta:
        model = ImportIssue
        fields = ["severity"]


class IssueTable(DashboardTable):
    export_name = "import-issues"
    line_number = tables.Column(verbose_name="Line", attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    column = tables.Column(default="(whole line)")
    value = tables.Column(default="—")
    reason = tables.Column()
    severity = tables.Column()

    class Meta(DashboardTable.Meta):
        empty_text = "No issues: every line was imported."

    def render_value(self, value: str) -> str:
        return value if len(value) <= 80 else value[:79] + "…"

    def render_severity(self, value: str, record: ImportIssue) -> str:
        return format_html('<span class="badge {}">{}</span>', record.severity, record.get_severity_display())

    def value_severity(self, value: str) -> str:
        return value
