import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from forecasting.analytics import retailer_expected_demand
from retailiq.accounts.models import Role
from retailiq.catalog.selectors import product_list_for_user
from retailiq.orders import selectors as order_selectors
from retailiq.retailers.selectors import retailer_list_for_user

from .access import role_required

RECENT_DAYS = 90
HOME_BY_ROLE = {
    Role.RETAILER: "retailer-home",
    Role.VENDOR: "vendor-home",
    Role.SALES_REP: "rep-home",
    Role.ANALYST: "analyst-home",
    Role.ADMIN: "analyst-home",
}


def _since() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=RECENT_DAYS)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(HOME_BY_ROLE.get(request.user.role, "analyst-home"))


@role_required(Role.RETAILER)
def retailer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "retailer": user.retailer,
        "recent_days": RECENT_DAYS,
        "totals": order_selectors.sales_totals_for_user(user=user, since=_since()),
        "recent_orders": order_selectors.order_list_for_user(user=user)[:15],
        "top_products": order_selectors.top_products_for_user(user=user, since=_since()),
        "expected_demand": retailer_expected_demand(user=user, recent_days=RECENT_DAYS),
    }
    return render(request, "dashboards/retailer_home.html", context)


@role_required(Role.VENDOR)
def vendor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "vendor": user.vendor,
        "recent_days": RECENT_DAYS,
        "totals": order_selectors.sales_totals_for_user(user=user, since=_since()),
        "product_count": product_list_for_user(user=user).count(),
        "top_products": order_selectors.top_products_for_user(user=user, since=_since()),
        "top_retailers": order_selectors.top_retailers_for_user(user=user, since=_since()),
    }
    return render(request, "dashboards/vendor_home.html", context)


@role_required(Role.SALES_REP)
def rep_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "recent_days": RECENT_DAYS,
        "retailer_count": retailer_list_for_user(user=user).count(),
        "activity": order_selectors.retailer_activity_for_user(user=user, since=_since()),
    }
    return render(request, "dashboards/rep_home.html", context)


@role_required(Role.ANALYST)
def analyst_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "recent_days": RECENT_DAYS,
        "all_time": order_selectors.sales_totals_for_user(user=user),
        "line_count": order_selectors.order_line_list_for_user(user=user).count(),
        "retailer_count": retailer_list_for_user(user=user).count(),
        "product_count": product_list_for_user(user=user).count(),
        "top_retailers": order_selectors.top_retailers_for_user(user=user, since=_since(), limit=5),
    }
    return render(request, "dashboards/analyst_home.html", context)
