"""Recommendation pages and HTMX fragments: the retailer's three lists as tabs with product cards, its home panel,
a rep's products to pitch per shop, and a vendor's reach and prospects. Each reads through the services."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from reorder.services.cart import cart_product_add
from retailiq.accounts.models import Role
from retailiq.core.errors import DomainError, InvalidInput, NotFound
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.web.access import role_required
from retailiq.web.errors import status_for
from retailiq.web.htmx import is_htmx, wants_fragment

from .charts import uptake_figure
from .conf import recommendations_settings
from .models import FeedbackAction, RecommendationKind
from .selectors import uptake_by_list_week
from .services.feedback import feedback_record
from .services.reach import rep_pitches, vendor_reach
from .services.shop import check_kind, shop_recommendations

LIST_TARGET = "recs-list"
PANEL_SIZE = 4
PAGE_SIZE = 12
UPTAKE_WEEKS = 12
TABS = [(kind.value, kind.label) for kind in RecommendationKind]


def _retailer_id(request: HttpRequest):
    return None if request.user.is_retailer else (request.POST.get("retailer") or request.GET.get("retailer"))


@role_required(Role.RETAILER)
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def retailer_page(request: HttpRequest) -> HttpResponse:
    """The shop's recommendations, one tab per list; a tab swaps only the list (by HTMX) and pushes the URL."""
    context = {"tabs": TABS, "kind": RecommendationKind.DISCOVER.value, "found": None, "error": "", "shops": []}
    status = 200
    if not request.user.is_retailer:
        # Analysts and reps pick among the shops they may see, as on the reorder cart.
        context["shops"] = (
            retailer_list_for_user(user=request.user).select_related(None).only("pk", "name", "city").order_by("name")
        )
        context["picked"] = _retailer_id(request) or ""
        if not context["picked"]:
            return render(request, "recommendations/retailer.html", context)
    try:
        context["kind"] = check_kind(request.GET.get("kind"))
        context["found"] = shop_recommendations(
            user=request.user, retailer_id=_retailer_id(request), kind=context["kind"], k=PAGE_SIZE
        )
    except DomainError as exc:
        context["error"], status = exc.message, status_for(exc)
    if wants_fragment(request, LIST_TARGET):
        return render(request, "recommendations/_list.html", context, status=status)
    return render(request, "recommendations/retailer.html", context, status=status)


@role_required(Role.RETAILER)
@require_GET
def retailer_panel(request: HttpRequest) -> HttpResponse:
    """The retailer home's "Suggested for you": the top of discover."""
    try:
        found = shop_recommendations(user=request.user, retailer_id=_retailer_id(request), k=PANEL_SIZE)
    except DomainError as exc:  # an analyst who named no shop, or one it may not see
        return HttpResponse(exc.message, status=status_for(exc), content_type="text/plain; charset=utf-8")
    return render(request, "recommendations/_retailer_panel.html", {"found": found})


@role_required(Role.RETAILER)
@require_POST
def feedback_page(request: HttpRequest) -> HttpResponse:
    """A card's "Add to cart" (into the shop's reorder cart) or "Not interested" (never shown again); answers the
    card's new state."""
    action = request.POST.get("action")
    kind = request.POST.get("kind", "")
    context = {"kind": kind, "error": ""}
    try:
        if action not in (FeedbackAction.ADDED_TO_CART, FeedbackAction.DISMISSED):
            raise InvalidInput("Add to the cart or dismiss.", field="action")
        feedback = feedback_record(
            user=request.user,
            retailer_id=_retailer_id(request),
            product_id=request.POST.get("product"),
            action=action,
            kind=kind,
        )
    except DomainError as exc:
        return render(request, "recommendations/_feedback_done.html", {"error": exc.message}, status=status_for(exc))
    if action == FeedbackAction.ADDED_TO_CART:
        cart_product_add(session=request.session, retailer_id=feedback.retailer_id, product_id=feedback.product_id)
    context["feedback"] = feedback
    return render(request, "recommendations/_feedback_done.html", context)


@role_required(Role.SALES_REP)
@require_GET
def rep_panel(request: HttpRequest) -> HttpResponse:
    """The rep home's "Cross-sell to pitch": for the most recently active shops, the top products new to each."""
    return render(request, "recommendations/_rep_panel.html", {"pitches": rep_pitches(user=request.user)})


@role_required(Role.SALES_REP)
@require_GET
def shop_pitch(request: HttpRequest, retailer_id: int) -> HttpResponse:
    """One shop's products to pitch, with reasons (a fragment for the shop's page, or a page of its own)."""
    try:
        found = shop_recommendations(user=request.user, retailer_id=retailer_id, k=5)
    except NotFound as exc:  # another rep's shop reads as no shop at all
        raise Http404(exc.message) from exc
    return render(
        request,
        "recommendations/_pitch.html",
        {"found": found, "frame": "recommendations/_fragment.html" if is_htmx(request) else "base.html"},
    )


@role_required(Role.VENDOR)
@require_GET
def vendor_page(request: HttpRequest) -> HttpResponse:
    """Where the vendor's products are recommended, how many shops took them up, and its prospects."""
    return render(request, "recommendations/vendor.html", {"reach": vendor_reach(user=request.user, prospects=30)})


@role_required(Role.VENDOR)
@require_GET
def vendor_panel(request: HttpRequest) -> HttpResponse:
    reach = vendor_reach(user=request.user, prospects=5)
    return render(request, "recommendations/_vendor_panel.html", {"reach": reach, "products": reach.products[:5]})


@role_required(Role.ANALYST)
@require_GET
def uptake_page(request: HttpRequest) -> HttpResponse:
    """Live uptake for analysts: per list and week of lists, the share of recommended products the shops ordered
    within the uptake window, as a chart and as the table it is drawn from."""
    days = recommendations_settings().uptake_days
    weekly = uptake_by_list_week(user=request.user, weeks=UPTAKE_WEEKS)
    labels = dict(RecommendationKind.choices)
    context = {
        "days": days,
        "weeks": UPTAKE_WEEKS,
        "rows": [
            {**row, "label": labels.get(row["kind"], row["kind"]), "share_text": f"{row['share']:.1%}"}
            for row in weekly.to_dict("records")
        ],
        "figure": uptake_figure(weekly, labels=labels, days=days) if len(weekly) else None,
    }
    return render(request, "recommendations/uptake.html", context)
