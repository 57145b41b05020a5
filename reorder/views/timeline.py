"""One retailer's page for its rep: what it ordered and what was said on calls, newest
first, beside what it is likely to reorder now."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from retailiq.accounts.models import Role
from retailiq.core.errors import DomainError, Forbidden, NotFound
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.web.access import role_required

from ..forms import OUTCOME_CHOICES
from ..services.horizons import check_horizon, reorder_horizons
from ..services.outcomes import retailer_timeline
from ..services.suggestions import reorder_suggestions

TIMELINE_LIMIT = 50


@role_required(Role.SALES_REP)
@require_GET
def retailer_timeline_page(request: HttpRequest, retailer_id: int) -> HttpResponse:
    """Another rep's retailer is a 404, not a 403: its existence is not the rep's business."""
    retailer = retailer_list_for_user(user=request.user).filter(pk=retailer_id).first()
    if retailer is None:
        raise Http404("No such retailer among yours.")
    horizon = _horizon(request)
    try:
        events = retailer_timeline(user=request.user, retailer_id=retailer.pk, limit=TIMELINE_LIMIT)
        # Every product with a prediction, likely or not (the rep judges the unlikely ones too), in the call
        # list's order and at its horizon, so the first products and their figures are the call list's.
        suggestions = reorder_suggestions(
            user=request.user, retailer_id=retailer.pk, horizon_days=horizon, min_probability=0.0, by_value=True
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise Http404(exc.message) from exc
        raise
    context = {
        "retailer": retailer,
        "events": events,
        "timeline_limit": TIMELINE_LIMIT,
        "suggestions": suggestions,
        "horizon_days": horizon,
        "outcome_choices": OUTCOME_CHOICES,
    }
    return render(request, "reorder/retailer_timeline.html", context)


def _horizon(request: HttpRequest) -> int:
    """The call list's horizon, passed on its links; anything else reads as the default."""
    value = request.GET.get("horizon", "")
    return check_horizon(int(value) if value.isdigit() and int(value) in reorder_horizons() else None)
