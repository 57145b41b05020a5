"""Uploading a file and mapping its columns: the first two steps of an import."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from retailiq.accounts.models import Role
from retailiq.catalog.selectors import vendor_list_for_user
from retailiq.core.ids import id_from_text
from retailiq.web.access import role_required
from retailiq.web.errors import apply_domain_error, status_for

from ..forms import MappingForm, UploadForm, mapping_initial
from ..models import ImportBatch, ImportState, SavedMapping
from ..pages import file_format_rows, sample_table
from ..reading import PRESETS
from ..selectors import import_batch_list, saved_mapping_list
from ..services import (
    PER_FILE_OPTIONS,
    ImportRejected,
    import_batch_configure,
    import_batch_create,
    import_batch_start,
    saved_mapping_save,
)
from ..upload_handlers import ImportSizeLimitHandler, install_size_limit

# Format keys sniffed from each file: a saved mapping keeps only what the next file shares.


@csrf_exempt
@role_required(Role.ANALYST)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    """The size limit must be in place before CSRF checking reads the body, hence the
    exempt wrapper around a protected view (Django's documented pattern)."""
    limit = install_size_limit(request) if request.method == "POST" else None
    return _import_new(request, limit)


@csrf_protect
def _import_new(request: HttpRequest, limit: ImportSizeLimitHandler | None) -> HttpResponse:
    saved = saved_mapping_list(user=request.user)
    if request.method != "POST":
        return _upload_page(request, UploadForm(saved_mappings=saved))
    data, files = request.POST, request.FILES  # parsed here at the latest, through the limit
    too_large = limit.message if limit is not None and limit.exceeded else ""
    form = UploadForm(data, files, saved_mappings=saved, too_large=too_large)
    if not form.is_valid():
        return _upload_page(request, form, status=413 if too_large else 200)
    upload = form.cleaned_data["file"]
    try:
        batch = import_batch_create(source=upload, original_name=upload.name, user=request.user)
    except ImportRejected as exc:
        apply_domain_error(form, exc, default_field="file")
        return _upload_page(request, form, status=status_for(exc))
    query = {"preset": form.cleaned_data["preset"]}
    if form.cleaned_data["saved_mapping"]:
        query["saved"] = form.cleaned_data["saved_mapping"].pk
    query = {key: value for key, value in query.items() if value}
    url = reverse("import-mapping", args=[batch.pk])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _upload_page(request: HttpRequest, form: UploadForm, *, status: int = 200) -> HttpResponse:
    context = {"form": form, "max_bytes": settings.RETAILIQ_IMPORT_MAX_BYTES}
    return render(request, "imports/new.html", context, status=status)


def _starting_point(request: HttpRequest, batch: ImportBatch) -> tuple[str, SavedMapping | None, dict, dict]:
    """The preset or saved mapping chosen at upload, else the mapping proposed for the file."""
    source = request.POST if request.method == "POST" else request.GET
    preset = source.get("preset", "")
    preset = preset if preset in PRESETS else ""
    saved_pk = source.get("saved") or source.get("saved_mapping") or ""
    saved_id = id_from_text(saved_pk)
    saved = saved_mapping_list(user=request.user).filter(pk=saved_id).first() if saved_id else None
    if saved is not None:
        return preset, saved, saved.mapping, saved.options
    if preset:
        return preset, None, {name: None for name in batch.mapping} | PRESETS[preset].mapping, PRESETS[preset].options
    return preset, None, batch.mapping, batch.options


@role_required(Role.ANALYST)
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_batch_list(user=request.user), pk=pk)
    if batch.state != ImportState.UPLOADED:
        messages.info(request, f"Import {batch.pk} has already started; its mapping can no longer change.")
        return redirect("import-batch", pk=batch.pk)
    header = batch.summary.get("header", [])
    vendors = list(vendor_list_for_user(user=request.user).values_list("code", "name"))
    preset, saved, mapping, options = _starting_point(request, batch)
    if request.method == "POST":
        form = MappingForm(request.POST, header=header, vendors=vendors)
        if form.is_valid():
            response = _configure_and_start(request, batch, form, preset=preset, saved=saved)
            if response is not None:
                return response
    else:
        initial = mapping_initial(header=header, mapping=mapping, options=options)
        initial |= {"preset": preset, "saved_mapping": saved.pk if saved else None}
        initial |= _vendor_initial(options.get("default_vendor", ""), vendors)
        form = MappingForm(initial=initial, header=header, vendors=vendors)
    context = {
        "batch": batch,
        "form": form,
        "format_rows": file_format_rows(batch),
        "sample": sample_table(batch),
        "preset": PRESETS.get(preset),
        "saved": saved,
    }
    return render(request, "imports/mapping.html", context)


def _vendor_initial(default_vendor: str, vendors: list[tuple[str, str]]) -> dict[str, str]:
    if not default_vendor:
        return {}
    if default_vendor in dict(vendors):
        return {"default_vendor": default_vendor}
    return {"new_vendor": default_vendor}


def _configure_and_start(
    request: HttpRequest, batch: ImportBatch, form: MappingForm, *, preset: str, saved: SavedMapping | None
) -> HttpResponse | None:
    """None when the services refuse the settings: their errors are then on the form."""
    options = {k: v for k, v in (saved.options if saved else {}).items() if k not in PER_FILE_OPTIONS}
    options |= form.policy
    try:
        import_batch_configure(
            batch=batch, mapping=form.mapping, options=options, mode=form.cleaned_data["mode"], preset=preset
        )
    except ImportRejected as exc:
        apply_domain_error(form, exc, field_names=MappingForm.SERVICE_FIELDS)
        return None
    if form.cleaned_data["save_as"]:
        _save_mapping(request, batch, name=form.cleaned_data["save_as"].strip())
    try:
        import_batch_start(batch=batch)
    except ImportRejected as exc:
        messages.error(request, exc.message)
    return redirect("import-batch", pk=batch.pk)


def _save_mapping(request: HttpRequest, batch: ImportBatch, *, name: str) -> None:
    saved = saved_mapping_save(batch=batch, name=name, user=request.user)
    messages.success(request, f"Mapping saved as “{saved.name}”.")
