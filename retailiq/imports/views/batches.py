"""The imports list, one batch's page (live progress, summary, issues), its report and
its undo."""

from urllib.parse import urlparse

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from retailiq.accounts.models import Role
from retailiq.web.access import role_required
from retailiq.web.csv_export import csv_line, csv_streaming_response
from retailiq.web.htmx import is_htmx
from retailiq.web.tables import table_response

from ..models import ImportBatch
from ..pages import CONTACTS_KEPT_NOTE, batch_figures, exchange_note, maps_contacts
from ..progress import import_pace
from ..selectors import import_batch_list, import_issue_list
from ..services import ImportRejected, import_batch_expire_unmapped, import_batch_undo
from ..tables import BatchFilter, BatchTable, IssueFilter, IssueTable

REPORT_HEADER = ["line", "severity", "column", "value", "reason", "whole line"]


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(import_batch_list(user=request.user), pk=pk)


@role_required(Role.ANALYST)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    import_batch_expire_unmapped()  # checked when listing: the list never shows an upload waiting forever
    batches = BatchFilter(request.GET, queryset=import_batch_list(user=request.user), prefix="imports")
    table = BatchTable(batches.qs, filterset=batches, prefix="imports-")
    response = table_response(request, table)
    if response is not None:
        return response
    return render(request, "imports/list.html", {"table": table})


@role_required(Role.ANALYST)
@require_GET
def import_batch_page(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    issues = IssueFilter(request.GET, queryset=import_issue_list(batch=batch), prefix="issues")
    table = IssueTable(issues.qs, filterset=issues, prefix="issues-")
    if batch.lines_rejected or batch.lines_set_aside or batch.lines_skipped:
        table.empty_text = "No issues with this severity."
    response = table_response(request, table)
    if response is not None:
        return response
    context = {
        "batch": batch,
        "pace": import_pace(batch),
        "figures": [f for f in batch_figures(batch) if f.in_file is not None or f.imported is not None],
        "exchange_note": exchange_note(batch),
        "contacts_note": CONTACTS_KEPT_NOTE if maps_contacts(batch) else "",
        "issues_table": table,
        "undo": batch.summary.get("undo"),
    }
    return render(request, "imports/batch.html", context)


@role_required(Role.ANALYST)
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress component polls here every second while the batch is queued or
    running. Once it has finished, the batch's own page reloads to show the summary."""
    batch = _batch(request, pk)
    response = render(request, "components/import_progress.html", {"work": batch, "pace": import_pace(batch)})
    if is_htmx(request) and _shown_on_batch_page(request, batch):
        # The page's own state badge follows the panel (out of band), so it never says "Queued" beside 99%.
        response.content += render_to_string("imports/_state_badge.html", {"batch": batch, "oob": True}).encode()
        if batch.is_finished:
            response["HX-Refresh"] = "true"
    return response


def _shown_on_batch_page(request: HttpRequest, batch: ImportBatch) -> bool:
    current = request.htmx.current_url or ""
    return urlparse(current).path == reverse("import-batch", args=[batch.pk])


@role_required(Role.ANALYST)
@require_GET
def import_report(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every issue of the batch as CSV, streamed (a big file can have many), each cell
    escaped against formula injection."""
    batch = _batch(request, pk)
    issues = import_issue_list(batch=batch).values_list("line_number", "severity", "column", "value", "reason", "row")

    rows = (
        (line, severity, column, value, reason, csv_line(row.values()) if row else "")
        for line, severity, column, value, reason, row in issues.iterator(chunk_size=2000)
    )
    return csv_streaming_response(f"import-{batch.pk}-issues", REPORT_HEADER, rows)


@role_required(Role.ANALYST)
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Confirm the undo with its button: nothing was removed.")
        return redirect("import-batch", pk=batch.pk)
    try:
        batch = import_batch_undo(batch=batch, user=request.user)
    except ImportRejected as exc:
        messages.error(request, exc.message)
        return redirect("import-batch", pk=batch.pk)
    removed = batch.summary.get("undo", {}).get("removed", {})
    messages.success(
        request,
        f"Import {batch.pk} undone: {removed.get('orders', 0):,} orders and {removed.get('order_lines', 0):,} "
        "order lines removed.",
    )
    return redirect("import-batch", pk=batch.pk)
