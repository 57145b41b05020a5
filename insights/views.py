"""Insight pages and HTMX fragments: the feed (a page, and the panel every role's home loads), the feedback
buttons, a shop's and a product's pattern page, and the analysts' segment overview. Each reads through the
services; a service's domain error becomes the page's status and message."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from retailiq.accounts.models import Role
from retailiq.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from retailiq.web.access import role_required
from retailiq.web.errors import status_for
from retailiq.web.htmx import is_htmx

from .charts import profile_figure, series_figure
from .conf import insights_settings
from .services.feed import feed_rules, insight_feed, insight_feedback_record, insight_with_counts
from .services.patterns import product_pattern, segment_overview, shop_pattern

ALL_ROLES = (Role.RETAILER, Role.VENDOR, Role.SALES_REP, Role.ANALYST)
FEED_PAGE_SIZE = 50


def _show_all(request: HttpRequest) -> bool:
    return request.GET.get("all") == "1"


# The feed answers what the person just did (a card marked useful, one dismissed): a browser going Back must ask
# again rather than show the fragment it kept, or the card would read as before the click.
@never_cache
@role_required(*ALL_ROLES)
@require_GET
def feed_panel(request: HttpRequest) -> HttpResponse:
    """The home's insights card: the top of the person's feed, its rules applied."""
    feed = insight_feed(user=request.user, limit=insights_settings().feed_size)
    return render(request, "insights/_feed_panel.html", {"feed": feed, "next": request.headers.get("HX-Current-URL")})


@never_cache
@role_required(*ALL_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def feed_page(request: HttpRequest) -> HttpResponse:
    """Every insight of the run that serves now that the person may see, with the feed's rules stated; "show
    everything" lifts rules 2 and 3."""
    show_all = _show_all(request)
    feed = insight_feed(user=request.user, limit=FEED_PAGE_SIZE, show_all=show_all)
    context = {"feed": feed, "rules": feed_rules(), "show_all": show_all, "next": request.get_full_path()}
    return render(request, "insights/feed.html", context)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("insights:feed")


@role_required(*ALL_ROLES)
@require_POST
def feedback(request: HttpRequest, insight_id: int) -> HttpResponse:
    """A card's "Useful", "Acted on" or "Dismiss". By HTMX it answers the card in its new state (no history
    entry: the page did not change); as a plain form it goes back to the page it came from (one entry)."""
    try:
        insight_feedback_record(user=request.user, insight_id=insight_id, action=request.POST.get("action"))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        if is_htmx(request):
            return HttpResponse(exc.message, status=status_for(exc), content_type="text/plain; charset=utf-8")
        return redirect(_next_url(request))
    if not is_htmx(request):
        return redirect(_next_url(request))
    insight = insight_with_counts(user=request.user, insight_id=insight_id)
    return render(request, "insights/_insight.html", {"insight": insight, "next": request.POST.get("next", "")})


def _pattern_context(pattern) -> dict:
    anomalies = pattern.anomalies
    return {
        "pattern": pattern,
        "series_figure": series_figure(pattern.series, anomalies, unit=pattern.unit) if len(pattern.series) else None,
        "weekday_figure": profile_figure(pattern.profile, which="weekday") if pattern.profile else None,
        "month_figure": profile_figure(pattern.profile, which="month") if pattern.profile else None,
        "unexplained": [a for a in anomalies if not a.explained_by],
    }


@never_cache
@role_required(Role.RETAILER, Role.SALES_REP, Role.ANALYST)
@require_GET
def shop_pattern_page(request: HttpRequest, retailer_id: int) -> HttpResponse:
    """A shop's ordering pattern: its weekly orders with anomalies marked, its weekday and month profile, its
    segment month by month, and its insights."""
    try:
        pattern = shop_pattern(user=request.user, retailer_id=retailer_id)
    except NotFound as exc:  # another shop reads as no shop at all
        raise Http404(exc.message) from exc
    context = _pattern_context(pattern)
    context["feed"] = insight_feed(user=request.user, retailer_id=pattern.shop.pk, show_all=True)
    context["next"] = request.get_full_path()
    return render(request, "insights/shop_pattern.html", context)


@role_required(Role.VENDOR, Role.ANALYST)
@require_GET
@vary_on_headers("HX-Request")
def product_pattern_page(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product's demand pattern, overall or in one region: weekly units with anomalies marked, its profiles
    and its ABC/XYZ and demand classes."""
    try:
        pattern = product_pattern(user=request.user, product_id=product_id, region=request.GET.get("region", ""))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")
    except DomainError as exc:
        pattern = product_pattern(user=request.user, product_id=product_id)
        context = {**_pattern_context(pattern), "error": exc.message}
        return render(request, "insights/product_pattern.html", context, status=status_for(exc))
    return render(request, "insights/product_pattern.html", _pattern_context(pattern))


def _month(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{raw}-01") if raw else None
    except ValueError:
        raise InvalidInput("month: write it as YYYY-MM.", field="month") from None


@role_required(Role.ANALYST)
@require_GET
def segments_page(request: HttpRequest) -> HttpResponse:
    """Segment sizes in a month and the shops' movement from the month before, as a transition table."""
    error, status = "", 200
    try:
        month = _month(request.GET.get("month"))
        overview = segment_overview(user=request.user, month=month)
    except DomainError as exc:
        error, status = exc.message, status_for(exc)
        overview = segment_overview(user=request.user)
    rows = [
        {"label": label, "cells": list(zip(overview.labels, counts, strict=True)), "total": sum(counts)}
        for label, counts in zip(overview.labels, overview.transitions, strict=False)
    ]
    context = {"overview": overview, "rows": rows, "error": error, "history": overview.history()}
    return render(request, "insights/segments.html", context, status=status)
