"""The vendor's home: how its own products sell, where and to whom."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.catalog.selectors import product_list_for_user
from retailiq.orders import selectors as order_selectors

from ..access import role_required
from .common import RECENT_DAYS, recent_since


@role_required(Role.VENDOR)
def vendor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "vendor": user.vendor,
        "recent_days": RECENT_DAYS,
        "totals": order_selectors.sales_totals_for_user(user=user, since=recent_since()),
        "product_count": product_list_for_user(user=user).count(),
        "top_products": order_selectors.top_products_for_user(user=user, since=recent_since()),
        "top_retailers": order_selectors.top_retailers_for_user(user=user, since=recent_since()),
    }
    return render(request, "dashboards/vendor_home.html", context)
