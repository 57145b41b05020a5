"""The sales rep's call list: who to call today and about what, filtered in place by HTMX,
exported to CSV, with each call's outcome recorded from the list itself."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from retailiq.accounts.models import Role, User
from retailiq.core.errors import DomainError, Forbidden, NotFound
from retailiq.core.ids import id_from_text
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.web.access import role_required
from retailiq.web.csv_export import csv_response
from retailiq.web.errors import apply_domain_error
from retailiq.web.htmx import is_htmx, wants_fragment

from .. import charts
from ..forms import OUTCOME_CHOICES, CallListFilterForm, CallOutcomeForm
from ..services.call_list import build_call_list, call_list_csv_rows, call_list_filter_choices
from ..services.outcomes import call_list_hit_rate, record_call_outcome

FRAGMENT_TARGET = "call-list"
HIT_RATE_TARGET = "hit-rate"
PANEL_SIZE = 5
HIT_RATE_DAYS = 90
OUTCOME_FIELDS = ("outcome", "note", "products", "form")


def _call_list_context(request: HttpRequest) -> dict[str, Any]:
    form = CallListFilterForm(request.GET, user=request.user, choices=call_list_filter_choices(user=request.user))
    filters = form.filters()
    try:
        call_list = build_call_list(user=request.user, **filters)
    except DomainError as exc:
        # A filter the form let through but the service refused (a category removed since):
        # said beside the field, and the list shown without it.
        apply_domain_error(form, exc)
        call_list = build_call_list(user=request.user, rep_id=filters["rep_id"])
    rep = None
    if filters["rep_id"]:
        rep = get_user_model().objects.filter(pk=filters["rep_id"]).first()
    return {"form": form, "call_list": call_list, "rep": rep, "query": request.GET.urlencode()}


@role_required(Role.SALES_REP)
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def call_list_page(request: HttpRequest) -> HttpResponse:
    if wants_fragment(request, HIT_RATE_TARGET):
        # Asked again after each recorded call, so the panel counts it without a reload.
        form = CallListFilterForm(request.GET, user=request.user, choices=call_list_filter_choices(user=request.user))
        rep_id = form.filters()["rep_id"]
        rep = get_user_model().objects.filter(pk=rep_id).first() if rep_id else None
        return render(request, "reorder/_hit_rate.html", _hit_rate_context(request.user, rep))
    context = _call_list_context(request)
    context["outcome_choices"] = OUTCOME_CHOICES
    if wants_fragment(request, FRAGMENT_TARGET):
        return render(request, "reorder/_call_list.html", context)
    context.update(_hit_rate_context(request.user, context["rep"]))
    return render(request, "reorder/call_list.html", context)


def _hit_rate_context(user: User, rep: User | None) -> dict[str, Any]:
    # An analyst looking at one rep's list sees that rep's hit rate; the service scopes by user.
    hit_rate = call_list_hit_rate(user=rep or user, days=HIT_RATE_DAYS)
    return {
        "rep": rep,
        "hit_rate": hit_rate,
        "hit_rate_days": HIT_RATE_DAYS,
        "hit_figure": charts.hit_rate_figure(hit_rate.weekly) if hit_rate.weekly else None,
    }


@role_required(Role.SALES_REP)
@require_GET
def call_list_csv(request: HttpRequest) -> HttpResponse:
    """The list as filtered on screen, one row per retailer and product."""
    call_list = _call_list_context(request)["call_list"]
    header, *rows = call_list_csv_rows(call_list)
    return csv_response(f"call-list-{call_list.as_of or 'today'}", header, rows)


@role_required(Role.SALES_REP)
@require_GET
def call_list_panel(request: HttpRequest) -> HttpResponse:
    """The rep home's "Today's calls": the top five, loaded after the home so that building
    the list (predictions may be computed on the fly) never slows the home down."""
    call_list = build_call_list(user=request.user, capacity=PANEL_SIZE)
    return render(request, "reorder/_call_list_panel.html", {"call_list": call_list})


def _retailer_or_404(user: User, value: Any) -> Retailer:
    """A retailer the user may call; another rep's retailer reads as not existing."""
    found = None
    if (wanted := id_from_text(value)) is not None:
        found = retailer_list_for_user(user=user).filter(pk=wanted).first()
    if found is None:
        raise Http404("No such retailer among yours.")
    return found


def _back_to_list(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("reorder:call-list")


def _record(request: HttpRequest, retailer: Retailer) -> tuple[Any, dict[str, list[str]]]:
    """The recorded call, or the errors by the form field they belong to."""
    form = CallOutcomeForm(request.POST)
    if not form.is_valid():
        return None, _outcome_errors(form)
    try:
        call = record_call_outcome(
            user=request.user,
            retailer_id=retailer.pk,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            product_ids=form.cleaned_data["products"],
            horizon_days=form.cleaned_data["horizon"],
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise Http404(exc.message) from exc
        # The service names the products as the API does (product_ids); the form's checkboxes are "products".
        apply_domain_error(form, exc, default_field="products" if "product_ids" in exc.fields else None)
        return None, _outcome_errors(form)
    return call, {}


def _outcome_errors(form: CallOutcomeForm) -> dict[str, list[str]]:
    return {(f if f in OUTCOME_FIELDS else "form"): [m[:1].upper() + m[1:] for m in e] for f, e in form.errors.items()}


@role_required(Role.SALES_REP)
@require_POST
def call_outcome_record(request: HttpRequest) -> HttpResponse:
    """Records what happened on a call. By HTMX it answers the entry's new "last call"
    line, or the errors beside their fields; without JavaScript it goes back to the list."""
    retailer = _retailer_or_404(request.user, request.POST.get("retailer"))
    call, errors = _record(request, retailer)
    if not is_htmx(request):
        if errors:
            messages.error(request, f"{retailer.name}: " + " ".join(m for e in errors.values() for m in e))
        else:
            messages.success(request, f"Recorded the call to {retailer.name}.")
        return redirect(_back_to_list(request))
    context = {
        "retailer": retailer,
        "last_outcome": call,
        "errors": [(field, errors.get(field, [])) for field in OUTCOME_FIELDS],
    }
    response = render(request, "reorder/_outcome_result.html", context)
    if errors:
        # Nothing was stored: leave the entry as it is and only fill in the errors.
        response["HX-Reswap"] = "none"
    else:
        # The hit-rate panel listens for this and counts the new call.
        response["HX-Trigger"] = "call-recorded"
    return response
