"""The vendor's home: how its own products sell, where and to whom. Reads live in
`vendor_data`, tables in `vendor_tables`, the figure in `charts_vendor`; this module only
picks what the request asks for (the whole page, the chart alone, or one table)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.registry.capabilities import home_panels
from retailiq.web.access import role_required
from retailiq.web.cache import cached_for_user
from retailiq.web.htmx import wants_fragment
from retailiq.web.tables import first_response

from .. import vendor_data
from ..charts_vendor import sales_breakdown_figure
from ..vendor_tables import DecliningProductsTable, RetailerSalesFilter, RetailerSalesTable, TopProductsTable

CHART_REGION = "vendor-sales-chart"
BREAKDOWN_LABELS = {"region": "Region", "segment": "Retailer segment"}


def _choice(request: HttpRequest, name: str, allowed: dict, default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in allowed else default


def _chart_context(request: HttpRequest) -> dict:
    granularity = _choice(request, "granularity", vendor_data.GRANULARITIES, "week")
    breakdown = _choice(request, "breakdown", BREAKDOWN_LABELS, "region")
    frame = cached_for_user(
        request.user,
        "vendor:sales-series",
        lambda: vendor_data.vendor_sales_series(user=request.user, granularity=granularity, breakdown=breakdown),
        granularity=granularity,
        breakdown=breakdown,
    )
    figure = sales_breakdown_figure(
        frame,
        granularity=granularity,
        breakdown_label=BREAKDOWN_LABELS[breakdown],
        currency=settings.RETAILIQ_CURRENCY,
    )
    return {
        "granularity": granularity,
        "breakdown": breakdown,
        "granularities": list(vendor_data.GRANULARITIES),
        "breakdowns": BREAKDOWN_LABELS,
        "window_days": vendor_data.CHART_WINDOW_DAYS[granularity],
        "sales_figure": figure,
        "chart_region": CHART_REGION,
    }


@role_required(Role.VENDOR)
def vendor_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if wants_fragment(request, CHART_REGION):
        return render(request, "dashboards/_vendor_sales_chart.html", _chart_context(request))

    filterset = RetailerSalesFilter(
        request.GET,
        queryset=vendor_data.vendor_retailer_sales(user=user),
        prefix="retailers",
        regions=cached_for_user(user, "vendor:regions", lambda: vendor_data.sales_region_choices(user=user)),
    )
    retailer_rows = cached_for_user(
        user,
        "vendor:retailer-sales",
        lambda: list(filterset.qs),
        region=request.GET.get("retailers-region", ""),
        segment=request.GET.get("retailers-segment", ""),
    )
    retailers = RetailerSalesTable(retailer_rows, filterset=filterset, prefix="retailers-")
    movement = cached_for_user(user, "vendor:movement", lambda: vendor_data.vendor_product_movement(user=user))
    top = TopProductsTable(vendor_data.top_products(movement), prefix="top-")
    declining = DecliningProductsTable(vendor_data.declining_products(movement), prefix="declining-")

    def page() -> HttpResponse:
        context = {
            "vendor": user.vendor,
            "key_figures": cached_for_user(
                user, "vendor:key-figures", lambda: vendor_data.vendor_key_figures(user=user)
            ),
            "key_figure_days": vendor_data.KEY_FIGURE_DAYS,
            "movement_days": vendor_data.MOVEMENT_DAYS,
            "retailers_table": retailers,
            "top_table": top,
            "declining_table": declining,
            "panels": home_panels(Role.VENDOR),
            **_chart_context(request),
        }
        return render(request, "dashboards/vendor_home.html", context)

    return first_response(request, [retailers, top, declining], page)
