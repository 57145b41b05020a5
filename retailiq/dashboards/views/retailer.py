"""The retailer's home: its own orders, spend and what it buys, and what it will need."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.registry.capabilities import home_panels
from retailiq.retailers.models import Retailer
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.web.access import role_required
from retailiq.web.tables import first_response

from .. import retailer_data
from ..charts_retailer import order_calendar_figure, weekly_value_figure
from ..retailer_tables import order_table, top_product_table


def _picked_shop(request: HttpRequest) -> Retailer | None:
    """For those who see every shop (analysts), the one picked by ?retailer=."""
    value = request.GET.get("retailer", "")
    return retailer_list_for_user(user=request.user).filter(pk=int(value)).first() if value.isdigit() else None


def _shops_to_pick(request: HttpRequest) -> list[Retailer]:
    if request.user.is_retailer:
        return []
    return list(
        retailer_list_for_user(user=request.user).select_related(None).only("pk", "name", "city").order_by("name")
    )


@role_required(Role.RETAILER)
def retailer_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    shop, narrow = None, None
    if not user.is_retailer:
        # An analyst has no shop of its own: one shop's page, never the marketplace's sums under a shop's title.
        shop = _picked_shop(request)
        if shop is None:
            return render(request, "dashboards/retailer_pick.html", {"shops": _shops_to_pick(request)})
        narrow = shop.pk
    # The orders table stays a queryset: sorting or filtering it reads one page of orders.
    orders = order_table(retailer_data.order_rows_for_user(user=user, retailer_id=narrow), request_get=request.GET)
    products = top_product_table(retailer_data.top_products_for_user(user=user, retailer_id=narrow))

    def page() -> HttpResponse:
        daily, key_figures = retailer_data.activity_for_user(user=user, retailer_id=narrow)
        currency = settings.RETAILIQ_CURRENCY_SYMBOL
        context = {
            "retailer": user.retailer if user.is_retailer else shop,
            "shops": _shops_to_pick(request),
            "recent_days": retailer_data.WINDOW_DAYS,
            "calendar_weeks": retailer_data.CALENDAR_WEEKS,
            "key_figures": key_figures,
            "orders_table": orders,
            "products_table": products,
            "has_activity": not daily.empty,
            "spend_figure": weekly_value_figure(daily, currency=currency),
            "calendar_figure": order_calendar_figure(daily),
            # The panels load the signed-in retailer's own shop by HTMX: none for a picked shop.
            "panels": home_panels(Role.RETAILER) if user.is_retailer else [],
        }
        return render(request, "dashboards/retailer_home.html", context)

    return first_response(request, [orders, products], page)
