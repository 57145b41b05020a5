"""Demand history read from the order lines, aggregated in the database."""

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from django.core.cache import cache
from django.db.models import QuerySet, Sum

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.orders.models import DEMAND_STATUSES, OrderKind, OrderLine
from retailiq.orders.selectors import last_day_of
from retailiq.registry.selectors import ServingBatch, serving_batch

from .models import DemandForecast

CAPABILITY = "forecasting"


def _sales_lines():
    # Demand is what was ordered: cancelled orders never moved goods, and a return is
    # a later event on its own day, not less demand on the day of the sale.
    return OrderLine.objects.filter(order__status__in=DEMAND_STATUSES, order__kind=OrderKind.SALE)


def latest_sales_day() -> dt.date | None:
    return last_day_of(_sales_lines())


LATEST_DAY_CACHE_SECONDS = 60


def latest_sales_day_cached() -> dt.date | None:
    """The same, remembered for a minute: every on-demand forecast starts from it, and the
    aggregate over all order lines costs more than a cached forecast (about 28 ms on the
    demo data in SQLite). Sales arrive in daily imports, so a minute's delay is harmless."""
    key = "forecasting:latest_sales_day"
    cached = cache.get(key)
    if cached is None:
        day = latest_sales_day()
        cache.set(key, day.isoformat() if day else "", LATEST_DAY_CACHE_SECONDS)
        return day
    return dt.date.fromisoformat(cached) if cached else None


def daily_product_sales(
    *, start: dt.date | None = None, end: dt.date | None = None, product_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Columns series_id (the product id), date, units; one row per product and day with a sale."""
    lines = _sales_lines()
    if start:
        lines = lines.filter(placed_on__gte=start)
    if end:
        lines = lines.filter(placed_on__lte=end)
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    rows = lines.values_list("product_id", "placed_on").annotate(units=Sum("quantity")).order_by()
    frame = pd.DataFrame.from_records(list(rows), columns=["series_id", "date", "units"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["units"] = frame["units"].astype(float)
    return frame


def forecast_products_for_user(*, user: User) -> QuerySet[Product]:
    """Demand forecasts are vendor analytics: a vendor sees its own products', analysts
    and admins every product's; retailers and reps see none (their pages use reorder)."""
    if user.sees_everything:
        return Product.objects.all()
    if user.is_vendor:
        return Product.objects.filter(vendor=user.vendor_id)
    return Product.objects.none()


def demand_forecast_list_for_user(*, user: User) -> QuerySet[DemandForecast]:
    return DemandForecast.objects.filter(product__in=forecast_products_for_user(user=user)).select_related("product")


def forecast_batch_serving() -> ServingBatch | None:
    """The serving batch of forecasts (see ``retailiq.registry.selectors.serving_batch``): None while no
    version serves, a batch without ``as_of`` while none has scored yet. A version keeps one row per product,
    location and day (scoring again overwrites), so the days after the batch's ``last_data_day`` are read by
    target day, whichever origin wrote each one last: a product left out of the latest batch keeps its earlier
    forecast, and a backfill scored after the latest batch still leaves one row per day."""
    batch = serving_batch(capability=CAPABILITY)
    # Forecasting computes no batch on the fly: without one it only says whether a model serves.
    return batch if batch.stored or batch.version is not None else None


def forecast_batch_label(batch: ServingBatch) -> str:
    return f"version {batch.version.pk} ({batch.version.algorithm})" if batch.version else "baseline"
