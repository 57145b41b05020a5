"""The retailer's home: its own orders, spend and what it buys, and what it will need."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forecasting.analytics import retailer_expected_demand
from retailiq.accounts.models import Role
from retailiq.orders import selectors as order_selectors

from ..access import role_required
from .common import RECENT_DAYS, recent_since


@role_required(Role.RETAILER)
def retailer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "retailer": user.retailer,
        "recent_days": RECENT_DAYS,
        "totals": order_selectors.sales_totals_for_user(user=user, since=recent_since()),
        "recent_orders": order_selectors.order_list_for_user(user=user)[:15],
        "top_products": order_selectors.top_products_for_user(user=user, since=recent_since()),
        "expected_demand": retailer_expected_demand(user=user, recent_days=RECENT_DAYS),
    }
    return render(request, "dashboards/retailer_home.html", context)
