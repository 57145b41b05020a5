"""The sales rep's home: its assigned retailers and how each is ordering."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.registry.capabilities import home_panels
from retailiq.web.access import role_required
from retailiq.web.cache import cached_for_user
from retailiq.web.tables import first_response

from .. import rep_data, retailer_data
from ..charts_rep import book_value_figure
from ..rep_tables import retailer_table


@role_required(Role.SALES_REP)
def rep_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    retailers = retailer_table(rep_data.retailer_rows_for_user(user=user), request_get=request.GET, user=user)

    def page() -> HttpResponse:
        daily, key_figures = cached_for_user(
            user,
            "rep:activity",
            lambda: retailer_data.activity_for_user(user=user, spend_label="Value ordered"),
        )
        context = {
            "recent_days": retailer_data.WINDOW_DAYS,
            "chart_weeks": retailer_data.CALENDAR_WEEKS,
            "key_figures": key_figures[:2],
            "retailers_table": retailers,
            "has_activity": not daily.empty,
            "book_figure": book_value_figure(daily, currency=settings.RETAILIQ_CURRENCY),
            "panels": home_panels(Role.SALES_REP),
        }
        return render(request, "dashboards/rep_home.html", context)

    return first_response(request, [retailers], page)
