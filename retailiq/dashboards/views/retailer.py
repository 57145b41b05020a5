"""The retailer's home: its own orders, spend and what it buys, and what it will need."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.registry.capabilities import home_panels
from retailiq.web.access import role_required
from retailiq.web.tables import first_response

from .. import retailer_data
from ..charts_retailer import order_calendar_figure, weekly_value_figure
from ..retailer_tables import order_table, top_product_table


@role_required(Role.RETAILER)
def retailer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    # The orders table stays a queryset: sorting or filtering it reads one page of orders.
    orders = order_table(retailer_data.order_rows_for_user(user=user), request_get=request.GET)
    products = top_product_table(retailer_data.top_products_for_user(user=user))

    def page() -> HttpResponse:
        daily, key_figures = retailer_data.activity_for_user(user=user)
        currency = settings.RETAILIQ_CURRENCY_SYMBOL
        context = {
            "retailer": user.retailer,
            "recent_days": retailer_data.WINDOW_DAYS,
            "calendar_weeks": retailer_data.CALENDAR_WEEKS,
            "key_figures": key_figures,
            "orders_table": orders,
            "products_table": products,
            "has_activity": not daily.empty,
            "spend_figure": weekly_value_figure(daily, currency=currency),
            "calendar_figure": order_calendar_figure(daily),
            "panels": home_panels(Role.RETAILER),
        }
        return render(request, "dashboards/retailer_home.html", context)

    return first_response(request, [orders, products], page)
