"""Demand history read from the order lines, aggregated in the database."""

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from django.core.cache import cache
from django.db.models import QuerySet

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.registry.selectors import ServingBatch, serving_batch
from retailiq.rollups.selectors import last_sale_day, product_demand_units

from .models import DemandForecast

CAPABILITY = "forecasting"


def latest_sales_day() -> dt.date | None:
    # The per-product daily rollup holds a row for every day with a sale line.
    return last_sale_day()


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


def daily_product_demand(
    *, start: dt.date | None = None, end: dt.date | None = None, product_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Columns series_id (the product id), date, units, lost; one row per product and day with a sale or a
    refusal. `units` is demand as the models learn it: the sale lines' units plus the units refused for want of
    stock where a lost sale is on record (`lost`, also inside `units`), so a stock cut is not learned as low demand.

    Read from the per-product daily rollup (kept on write): training, batch scoring and the on-demand answer read
    the same rows, and one product's forecast reads its few hundred days, not its order lines."""
    rows = product_demand_units(
        start=start, end=end, product_ids=None if product_ids is None else [int(p) for p in product_ids]
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["series_id", "date", "sold", "lost"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["lost"] = frame["lost"].astype(float)
    frame["units"] = frame["sold"].astype(float) + frame["lost"]
    return frame[["series_id", "date", "units", "lost"]]


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


DISTRIBUTION_HISTORY_DAYS = 28
Z_80 = 1.2816  # half the width of a normal 80% interval, in standard deviations


def demand_distribution(
    *, as_of: dt.date, horizon_days: int = 28, product_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """One day's demand per product x warehouse over the `horizon_days` from `as_of`, as a mean and a spread: the
    distribution other capabilities plan stock with (one model chain, not a demand model of their own).

    From the serving forecast batch when it starts on `as_of` (its warehouse rows: the mean of the days' quantities,
    the spread from the 80% interval's width); otherwise, as for a day in the past that no stored batch starts on,
    from the pair's sales over the 28 days before `as_of` (the moving average the baseline forecasts).
    Columns product_id, warehouse (code), mean_per_day, std_per_day, source ("forecast" or "history")."""
    from .location_sales import daily_sales_by_location

    columns = ["product_id", "warehouse", "mean_per_day", "std_per_day", "source"]
    batch = forecast_batch_serving()
    if batch is not None and batch.stored and batch.as_of == as_of:
        rows = DemandForecast.objects.filter(
            location_kind="warehouse",
            target_date__gte=as_of,
            target_date__lt=as_of + dt.timedelta(days=horizon_days),
            model_version=batch.version,
        )
        if product_ids is not None:
            rows = rows.filter(product_id__in=list(product_ids))
        frame = pd.DataFrame.from_records(
            list(rows.values_list("product_id", "location", "quantity", "lower_80", "upper_80")),
            columns=["product_id", "warehouse", "quantity", "lower_80", "upper_80"],
        )
        if not frame.empty:
            frame["std"] = (frame["upper_80"] - frame["lower_80"]) / (2 * Z_80)
            grouped = frame.groupby(["product_id", "warehouse"], as_index=False).agg(
                mean_per_day=("quantity", "mean"), std_per_day=("std", "mean")
            )
            return grouped.assign(source="forecast")[columns]
    start = as_of - dt.timedelta(days=DISTRIBUTION_HISTORY_DAYS)
    sales = daily_sales_by_location(kind="warehouse", start=start, end=as_of - dt.timedelta(days=1),
                                    product_ids=product_ids)  # fmt: skip
    if sales.empty:
        return pd.DataFrame(columns=columns)
    wide = sales.pivot_table(index=["series_id", "location"], columns="date", values="units", aggfunc="sum")
    wide = wide.reindex(columns=pd.date_range(start, as_of - dt.timedelta(days=1)), fill_value=0).fillna(0.0)
    values = wide.to_numpy(float)
    keys = wide.index.to_frame(index=False).rename(columns={"series_id": "product_id", "location": "warehouse"})
    return keys.assign(mean_per_day=values.mean(axis=1), std_per_day=values.std(axis=1), source="history")[columns]
