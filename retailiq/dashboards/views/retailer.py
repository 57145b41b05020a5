"""The retailer's home: its own orders, spend and what it buys, and what it will need."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from forecasting.analytics import ExpectedDemand, retailer_expected_demand
from retailiq.accounts.models import Role
from retailiq.web.access import role_required
from retailiq.web.cache import scope_key
from retailiq.web.tables import first_response

from .. import retailer_data
from ..charts_retailer import order_calendar_figure, weekly_value_figure
from ..retailer_tables import order_table, top_product_table

# How long a shop's expected demand is kept: a forecast batch scored meanwhile, or
# history imported before its origin, shows within this time.
EXPECTED_DEMAND_SECONDS = 5 * 60


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
            "expected_demand": _expected_demand(user),
        }
        return render(request, "dashboards/retailer_home.html", context)

    return first_response(request, [orders, products], page)


def _expected_demand(user) -> ExpectedDemand:
    """The shop's share of marketplace sales over the 90 days up to the forecast's origin
    costs a scan of every line of its products (half a second on the large demo). It
    counts only days up to that origin, which new orders do not reach, so it is kept for
    a few minutes without the data version (whose two queries the page cannot spare)."""
    key = f"dashboards:retailer:expected-demand:{scope_key(user)}:{timezone.localdate().isoformat()}"
    found = cache.get(key)
    if found is None:
        found = retailer_expected_demand(user=user, recent_days=retailer_data.WINDOW_DAYS)
        cache.set(key, found, EXPECTED_DEMAND_SECONDS)
    return found
