"""What the analyst's home reads, each a selector taking `user=` and built on the scoped
domain selectors (an analyst sees everything, but the page never bypasses the rule)."""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.functions import TruncWeek

from retailiq.accounts.models import User
from retailiq.catalog.selectors import product_list_for_user
from retailiq.registry.adapters import Metric
from retailiq.registry.capabilities import capability_rows, summary_metrics
from retailiq.registry.models import Job, JobState, ModelStatus, ModelVersion
from retailiq.registry.selectors import job_list_for_user, model_version_list_for_user
from retailiq.retailers.selectors import retailer_list_for_user
from retailiq.rollups.selectors import marketplace_daily_for_user, net_units, retailer_daily_for_user
from retailiq.web.cache import cached_for_data

from .reference_day import reference_day

TOP_RETAILER_DAYS = 90
JOBS_SHOWN = 100


def marketplace_weekly_sales(*, user: User) -> pd.DataFrame:
    """Per week over the whole history: demand lines, orders, units and net revenue, summed
    from the marketplace's daily rollup (one row a day, not every line); a rep sees its
    retailers' days. The overview cards sum it too, since an order falls in exactly one week."""
    days = marketplace_daily_for_user(user=user) if user.sees_everything else retailer_daily_for_user(user=user)
    rows = (
        days.annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(
            lines=Sum("lines"),
            orders=Sum("orders"),
            first_day=Min("day"),
            last_day=Max("day"),
            units=Sum(net_units()),
            revenue=Sum("revenue"),
        )
        .order_by("week")
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["week", "lines", "orders", "first_day", "last_day", "units", "revenue"]
    )
    frame["units"] = frame["units"].fillna(0).astype(int)
    frame["revenue"] = frame["revenue"].fillna(0).astype(float)
    return frame


def marketplace_weekly_sales_cached(*, user: User) -> pd.DataFrame:
    """The weekly totals span all history (seconds on the large demo): kept until the
    data changes. Analysts and admins all see the whole marketplace, so one entry serves them."""
    if not user.sees_everything:
        return marketplace_weekly_sales(user=user)
    return cached_for_data("analyst:weekly-sales", lambda: marketplace_weekly_sales(user=user))


def region_choices(*, user: User) -> list[tuple[str, str]]:
    """Regions of the marketplace's retailers, from the retailer table (small) rather
    than from the order lines (millions)."""
    regions = retailer_list_for_user(user=user).order_by("region").values_list("region", flat=True).distinct()
    return [(r, r) for r in regions if r]


@dataclass(frozen=True)
class DataOverview:
    lines: int
    orders: int
    revenue: float
    first_day: dt.date | None
    last_day: dt.date | None
    retailers: int
    products: int
    vendors: int


def data_overview(*, user: User, weekly: pd.DataFrame) -> DataOverview:
    """The size of what is loaded. Vendors are those with a product on the marketplace,
    counted with the products in one query."""
    catalog = (
        product_list_for_user(user=user)
        .order_by()
        .aggregate(products=Count("pk"), vendors=Count("vendor", distinct=True))
    )
    return DataOverview(
        lines=int(weekly["lines"].sum()),
        orders=int(weekly["orders"].sum()),
        revenue=float(weekly["revenue"].sum()),
        first_day=weekly["first_day"].min() if not weekly.empty else None,
        last_day=weekly["last_day"].max() if not weekly.empty else None,
        retailers=retailer_list_for_user(user=user).count(),
        products=catalog["products"],
        vendors=catalog["vendors"],
    )


@dataclass(frozen=True)
class CapabilityModel:
    capability: str
    label: str
    built: bool
    serving: ModelVersion | None
    metrics: tuple[Metric, ...] = ()  # the capability's summary metrics, as its adapter declares them


def serving_models(*, user: User) -> list[CapabilityModel]:
    """Per capability the version that serves now (one query for all), or none: then the
    capability's baseline answers, or the capability has no model code yet."""
    active = {
        v.capability: v for v in model_version_list_for_user(user=user).filter(status=ModelStatus.ACTIVE, segment="")
    }
    return [
        CapabilityModel(
            capability=row.capability,
            label=row.label,
            built=row.built,
            serving=active.get(row.capability),
            metrics=tuple(summary_metrics(row.capability)),
        )
        for row in capability_rows()
    ]


def recent_jobs(*, user: User) -> QuerySet[Job]:
    return job_list_for_user(user=user).select_related("model_version")


def running_jobs(*, user: User) -> list[Job]:
    return list(job_list_for_user(user=user).filter(state__in=[JobState.QUEUED, JobState.RUNNING])[:10])


def top_retailer_since(today: dt.date | None = None) -> dt.date:
    return (today or reference_day()) - dt.timedelta(days=TOP_RETAILER_DAYS)
