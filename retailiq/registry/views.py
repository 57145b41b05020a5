"""The analyst's models page: versions, live training progress, and the buttons to
train, score, activate, roll out, roll back and compare. Each action calls a service."""

import math
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from retailiq.accounts.models import Role
from retailiq.core.errors import DomainError, InvalidInput
from retailiq.core.ids import id_from_text
from retailiq.web.access import role_required
from retailiq.web.htmx import is_htmx

from .capabilities import capability_checked
from .models import Rollout
from .pages import capability_panels, recent_jobs
from .selectors import job_list_for_user, model_version_list_for_user
from .services import (
    job_cancel,
    model_version_activate,
    model_version_rollback,
    model_version_set_rollout,
    model_versions_compare,
    scoring_job_create,
    training_job_create,
)

TUNING_CHOICES = (0, 30, 120, 600)


def _job_started(request: HttpRequest, job) -> HttpResponse:
    if is_htmx(request):
        return render(request, "components/job_progress.html", {"work": job})
    messages.success(request, f"{job.get_kind_display()} job {job.pk} started.")
    return redirect("models")


def _capability(request: HttpRequest) -> str:
    return capability_checked(request.POST.get("capability", ""))


def _posted_number(request: HttpRequest, name: str) -> float:
    """A posted number (0 when left empty); text, NaN or infinity is refused naming the field."""
    try:
        value = float(request.POST.get(name) or 0)
    except (ValueError, OverflowError):
        value = math.nan
    if not math.isfinite(value):
        raise InvalidInput(f"{name}: give a number.", field=name)
    return value


@role_required(Role.ANALYST)
@require_GET
def models_page(request: HttpRequest) -> HttpResponse:
    context = {
        "panels": capability_panels(user=request.user, drift_threshold=settings.RETAILIQ_DRIFT_PSI_WARNING),
        "jobs": recent_jobs(user=request.user),
        "tuning_choices": TUNING_CHOICES,
        "form_key": uuid.uuid4().hex,
    }
    return render(request, "registry/models.html", context)


def _act(request: HttpRequest, action) -> HttpResponse:
    """Run an action; a refused one becomes a message on the page, never a 500."""
    try:
        return action()
    except DomainError as exc:
        if is_htmx(request):
            return render(request, "components/action_error.html", {"message": exc.message})
        messages.error(request, exc.message)
        return redirect("models")


@role_required(Role.ANALYST)
@require_POST
def model_train(request: HttpRequest) -> HttpResponse:
    def start():
        tuning = _posted_number(request, "tuning_seconds")
        if tuning not in TUNING_CHOICES:
            raise InvalidInput("tuning_seconds: choose one of the offered budgets.", field="tuning_seconds")
        job = training_job_create(
            capability=_capability(request),
            user=request.user,
            params={"tuning_seconds": int(tuning), "trigger": "manual"},
            # The form's own key: a double click or a resubmitted form starts one job.
            idempotency_key=f"page:train:{request.POST.get('form_key') or uuid.uuid4().hex}",
        )
        return _job_started(request, job)

    return _act(request, start)


@role_required(Role.ANALYST)
@require_POST
def model_score(request: HttpRequest) -> HttpResponse:
    def start():
        job = scoring_job_create(
            capability=_capability(request),
            user=request.user,
            idempotency_key=f"page:score:{request.POST.get('form_key') or uuid.uuid4().hex}",
        )
        return _job_started(request, job)

    return _act(request, start)


@role_required(Role.ANALYST)
@require_POST
def model_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(model_version_list_for_user(user=request.user), pk=pk)

    def activate():
        model_version_activate(version=version)
        messages.success(request, f"Version {version.pk} now serves {version.get_capability_display().lower()}.")
        return redirect("models")

    return _act(request, activate)


@role_required(Role.ANALYST)
@require_POST
def model_rollout(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(model_version_list_for_user(user=request.user), pk=pk)

    def rollout():
        mode = request.POST.get("rollout", "")
        if mode not in Rollout.values:
            raise InvalidInput("rollout: choose none, shadow or share.", field="rollout")
        share = _posted_number(request, "traffic_share")
        model_version_set_rollout(version=version, rollout=mode, traffic_share=share)
        messages.success(request, f"Version {version.pk}: {Rollout(mode).label.lower()}.")
        return redirect("models")

    return _act(request, rollout)


@role_required(Role.ANALYST)
@require_POST
def model_rollback(request: HttpRequest) -> HttpResponse:
    def rollback():
        version = model_version_rollback(capability=_capability(request))
        messages.success(request, f"Rolled back: version {version.pk} serves again.")
        return redirect("models")

    return _act(request, rollback)


@role_required(Role.ANALYST)
@require_GET
def model_compare(request: HttpRequest) -> HttpResponse:
    versions = model_version_list_for_user(user=request.user)
    first = versions.filter(pk=id_from_text(request.GET.get("first")) or 0).first()
    second = versions.filter(pk=id_from_text(request.GET.get("second")) or 0).first()
    rows = model_versions_compare(first=first, second=second) if first and second else []
    return render(request, "registry/_compare.html", {"first": first, "second": second, "rows": rows})


@role_required(Role.ANALYST, Role.VENDOR, Role.RETAILER, Role.SALES_REP)
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress component polls here; a user only ever sees their own jobs."""
    job = get_object_or_404(job_list_for_user(user=request.user), pk=pk)
    return render(request, "components/job_progress.html", {"work": job})


@role_required(Role.ANALYST, Role.VENDOR, Role.RETAILER, Role.SALES_REP)
@require_POST
def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(job_list_for_user(user=request.user), pk=pk)
    job_cancel(job=job)
    job.refresh_from_db()
    return render(request, "components/job_progress.html", {"work": job})
