"""The analyst's home: the marketplace's data at a glance, how data gets in, models and
jobs. Reads live in `analyst_data`, tables in `analyst_tables`, the figure in
`charts_analyst`; this module only answers the page, a table alone, or its CSV."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retailiq.accounts.models import Role
from retailiq.imports.progress import import_pace
from retailiq.imports.selectors import import_batch_list
from retailiq.registry.capabilities import home_panels
from retailiq.rollups.selectors import retailer_sales_for_user
from retailiq.web.access import role_required
from retailiq.web.cache import cached_for_user
from retailiq.web.tables import first_response

from .. import analyst_data
from ..analyst_tables import JobFilter, JobTable, MarketplaceRetailerTable, RetailerSalesFilter
from ..charts_analyst import marketplace_weekly_figure

IMPORTS_SHOWN = 5


@role_required(Role.ANALYST)
def analyst_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    job_filter = JobFilter(request.GET, queryset=analyst_data.recent_jobs(user=user), prefix="jobs")
    jobs = JobTable(list(job_filter.qs[: analyst_data.JOBS_SHOWN]), filterset=job_filter, prefix="jobs-")
    retailer_filter = RetailerSalesFilter(
        request.GET,
        queryset=retailer_sales_for_user(user=user, since=analyst_data.top_retailer_since()),
        prefix="retailers",
        regions=analyst_data.region_choices(user=user),
    )
    retailer_rows = cached_for_user(
        user,
        "analyst:retailer-sales",
        lambda: list(retailer_filter.qs),
        region=request.GET.get("retailers-region", ""),
        segment=request.GET.get("retailers-segment", ""),
    )
    retailers = MarketplaceRetailerTable(retailer_rows, filterset=retailer_filter, prefix="retailers-")

    def page() -> HttpResponse:
        weekly = analyst_data.marketplace_weekly_sales_cached(user=user)
        imports = list(import_batch_list(user=user)[:IMPORTS_SHOWN])
        context = {
            "overview": analyst_data.data_overview(user=user, weekly=weekly),
            "weekly_figure": marketplace_weekly_figure(weekly, currency=settings.RETAILIQ_CURRENCY),
            "models": analyst_data.serving_models(user=user),
            "running_jobs": analyst_data.running_jobs(user=user),
            "jobs_table": jobs,
            "jobs_shown": analyst_data.JOBS_SHOWN,
            "retailers_table": retailers,
            "recent_imports": imports,
            "running_imports": [(b, import_pace(b)) for b in imports if b.state in ("queued", "running")],
            "top_retailer_days": analyst_data.TOP_RETAILER_DAYS,
            "panels": home_panels(Role.ANALYST),
        }
        return render(request, "dashboards/analyst_home.html", context)

    return first_response(request, [jobs, retailers], page)
