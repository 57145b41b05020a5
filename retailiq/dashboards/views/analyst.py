"""The analyst's home: the marketplace's data at a glance, imports, models and jobs."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.catalog.selectors import product_list_for_user
from retailiq.orders import selectors as order_selectors
from retailiq.retailers.selectors import retailer_list_for_user

from ..access import role_required
from .common import RECENT_DAYS, recent_since


@role_required(Role.ANALYST)
def analyst_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "recent_days": RECENT_DAYS,
        "all_time": order_selectors.sales_totals_for_user(user=user),
        "line_count": order_selectors.order_line_list_for_user(user=user).count(),
        "retailer_count": retailer_list_for_user(user=user).count(),
        "product_count": product_list_for_user(user=user).count(),
        "top_retailers": order_selectors.top_retailers_for_user(user=user, since=recent_since(), limit=5),
    }
    return render(request, "dashboards/analyst_home.html", context)
