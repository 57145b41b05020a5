"""The retailer's home: its own orders, spend and what it buys, and what it will need."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from forecasting.analytics import retailer_expected_demand
from retailiq.accounts.models import Role

from .. import retailer_data
from ..access import role_required
from ..charts_retailer import order_calendar_figure, weekly_value_figure
from ..retailer_tables import order_table, top_product_table
from ..tables import first_response


@role_required(Role.RETAILER)
def retailer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    orders = order_table(retailer_data.order_rows_for_user(user=user), request_get=request.GET)
    products = top_product_table(retailer_data.top_products_for_user(user=user))

    def page() -> HttpResponse:
        daily = retailer_data.daily_activity_for_user(user=user)
        currency = settings.RETAILIQ_CURRENCY_SYMBOL
        context = {
            "retailer": user.retailer,
            "recent_days": retailer_data.WINDOW_DAYS,
            "calendar_weeks": retailer_data.CALENDAR_WEEKS,
            "key_figures": retailer_data.key_figures_for_user(user=user),
            "orders_table": orders,
            "products_table": products,
            "has_activity": not daily.empty,
            "spend_figure": weekly_value_figure(daily, currency=currency),
            "calendar_figure": order_calendar_figure(daily),
            "expected_demand": retailer_expected_demand(user=user, recent_days=retailer_data.WINDOW_DAYS),
        }
        return render(request, "dashboards/retailer_home.html", context)

    return first_response(request, [orders, products], page)
