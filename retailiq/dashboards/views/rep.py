"""The sales rep's home: its assigned retailers and how each is ordering."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.orders import selectors as order_selectors
from retailiq.retailers.selectors import retailer_list_for_user

from ..access import role_required
from .common import RECENT_DAYS, recent_since


@role_required(Role.SALES_REP)
def rep_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "recent_days": RECENT_DAYS,
        "retailer_count": retailer_list_for_user(user=user).count(),
        "activity": order_selectors.retailer_activity_for_user(user=user, since=recent_since()),
    }
    return render(request, "dashboards/rep_home.html", context)
