"""Reads behind the demand pages, scoped to the user: sales history, the serving model's
forecasts, their accuracy, growth rankings and seasonality (a retailer's expected demand is
in `expected_demand.py`).
Everything is aggregated in the database; pandas only shapes the few rows that come back."""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import Count, Exists, F, FloatField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce, TruncWeek

from retailiq.accounts.models import User
from retailiq.catalog.models import Product, Vendor
from retailiq.catalog.selectors import vendor_list_for_user
from retailiq.core.ids import id_from_text
from retailiq.inventory.selectors import warehouse_list_for_user
from retailiq.orders.models import LostSale, OrderLine
from retailiq.orders.selectors import (
    latest_believable_day,
    lost_sale_list_for_user,
    order_line_list_for_user,
    sale_lines,
)
from retailiq.registry.selectors import ServingBatch
from retailiq.retailers.models import Retailer
from retailiq.rollups.selectors import product_daily_for_user, product_warehouse_daily_for_user

from .models import DemandForecast, LocationKind
from .selectors import forecast_products_for_user

HORIZON_DAYS = 28  # the chart and rankings look four weeks ahead
RANKING_WINDOW_DAYS = 28
STEADY = 0.005
HISTORY_DAYS = {"day": 91, "week": 182}
SEASONALITY_DAYS = 730
ACCURACY_WEEKS = 12
GRANULARITIES = ("day", "week")
BAND_COLUMNS = ("lower_80", "upper_80", "lower_95", "upper_95")
FORECAST_COLUMNS = ("date", "quantity", *BAND_COLUMNS)


# --- Who and what ----------------------------------------------------------------------


def demand_vendor_for_user(*, user: User, vendor_id: str | None) -> Vendor | None:
    """A vendor always looks at itself; analysts pick one (None: the whole marketplace).
    An unknown id or another vendor's id answers None for analysts and is ignored for vendors."""
    if user.is_vendor:
        return user.vendor
    wanted = id_from_text(vendor_id)
    if wanted is None:
        return None
    return vendor_list_for_user(user=user).filter(pk=wanted).first()


def demand_products_for_user(*, user: User, vendor: Vendor | None = None) -> QuerySet[Product]:
    products = forecast_products_for_user(user=user)
    if vendor is not None:
        products = products.filter(vendor=vendor)
    return products.select_related("category").order_by("name", "pk")


@dataclass(frozen=True)
class Selection:
    """What the chart shows: one product, or the sum over a category, region, warehouse
    or all the products in view. `value` is how it travels in the URL."""

    kind: str
    key: str = ""
    label: str = "All products"
    product: Product | None = None

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else self.kind

    @property
    def location_kind(self) -> str:
        return self.kind if self.kind in (LocationKind.REGION, LocationKind.WAREHOUSE) else LocationKind.ALL

    @property
    def location(self) -> str:
        return self.key if self.location_kind != LocationKind.ALL else ""


@dataclass
class PickerOptions:
    products: list[Product]
    categories: list[tuple[int, str]]
    regions: list[str]
    warehouses: list[tuple[str, str]]


def regions_scored(*, run: ServingBatch | None) -> list[str]:
    """The regions the serving version has scored forecasts for, from its latest origin on.

    A scored region is some shop's region (forecasts are split by where the buying shops are), so each of the few
    shop regions is probed for a forecast instead of reading every region row of the batch for its names."""
    if run is None or run.last_data_day is None:
        return []
    scored = DemandForecast.objects.filter(
        model_version=run.version,
        location_kind=LocationKind.REGION,
        location=OuterRef("region"),
        target_date__gt=run.last_data_day,
    )
    return list(Retailer.objects.order_by("region").values_list("region", flat=True).distinct().filter(Exists(scored)))


def demand_picker_options(*, user: User, products: list[Product], scored_regions: list[str]) -> PickerOptions:
    """Categories of the products in view, warehouses, and regions: those of the
    warehouses and those the serving version has scored (a region is where the buying
    shops are, so it may have no warehouse of its own; see regions_scored)."""
    categories = sorted({(p.category_id, p.category.name) for p in products if p.category_id}, key=lambda c: c[1])
    warehouses = list(
        warehouse_list_for_user(user=user).order_by("region", "name").values_list("code", "name", "region")
    )
    return PickerOptions(
        products=products,
        categories=categories,
        regions=sorted({region for _, _, region in warehouses} | set(scored_regions)),
        warehouses=[(code, f"{name} ({region})") for code, name, region in warehouses],
    )


def selection_resolve(*, value: str, options: PickerOptions) -> Selection | None:
    """The selection named in the URL if it is among the user's options, else None (a 404).
    An empty value is the first product, or everything when there is none (the view asks
    for the best product first)."""
    if not value:
        first = options.products[0] if options.products else None
        return Selection("product", str(first.pk), first.name, first) if first else Selection("all")
    kind, _, key = value.partition(":")
    if kind == "all" and not key:
        return Selection("all")
    if kind == "product" and id_from_text(key):
        product = next((p for p in options.products if p.pk == id_from_text(key)), None)
        return Selection(kind, key, product.name, product) if product else None
    if kind == "category" and id_from_text(key):
        name = dict(options.categories).get(id_from_text(key))
        return Selection(kind, key, f"Category: {name}") if name else None
    if kind == "region" and key in options.regions:
        return Selection(kind, key, f"Region: {key}")
    if kind == "warehouse":
        name = dict(options.warehouses).get(key)
        return Selection(kind, key, f"Warehouse: {name}") if name else None
    return None


def _selected_products(products: QuerySet[Product], selection: Selection) -> QuerySet[Product]:
    if selection.kind == "product":
        return products.filter(pk=int(selection.key))
    if selection.kind == "category":
        return products.filter(category_id=int(selection.key))
    return products


# --- Sales history -----------------------------------------------------------------------


def sales_lines_for_user(*, user: User) -> QuerySet[OrderLine]:
    # The same demand the model learns from.
    return sale_lines(order_line_list_for_user(user=user))


def _located(lines: QuerySet[OrderLine], selection: Selection) -> QuerySet[OrderLine]:
    if selection.kind == "region":
        return lines.filter(retailer__region=selection.key)  # where the buying shop is
    if selection.kind == "warehouse":
        return lines.filter(order__warehouse__code=selection.key)
    return lines


def _located_lost(lost: QuerySet[LostSale], selection: Selection) -> QuerySet[LostSale]:
    """`_located` for refusals: the buying shop's region, or the warehouse that refused."""
    if selection.kind == "region":
        return lost.filter(retailer__region=selection.key)
    if selection.kind == "warehouse":
        return lost.filter(warehouse__code=selection.key)
    return lost


def _daily_sold(*, user: User, selection: Selection) -> QuerySet | None:
    """Units sold per product (and warehouse) and day from the daily rollups, where the
    selection is one they key; None for a region (the buying shop's), read from the lines."""
    if selection.kind == "warehouse":
        return product_warehouse_daily_for_user(user=user).filter(warehouse__code=selection.key)
    if selection.kind == "region":
        return None
    return product_daily_for_user(user=user)


def latest_sales_day_for_user(*, user: User, products: QuerySet[Product]) -> dt.date | None:
    return (
        product_daily_for_user(user=user)
        .filter(product__in=products, sold_units__gt=0, day__lte=latest_believable_day())
        .aggregate(last=Max("day"))["last"]
    )


def daily_units(
    *, user: User, products: QuerySet[Product], selection: Selection, start: dt.date, end: dt.date
) -> pd.Series:
    """Units sold per day with a sale, indexed by day: one query that both the chart's
    history and the seasonality profile are cut from, over the daily rollups (the order
    lines for a region)."""
    selected = _selected_products(products, selection)
    days = _daily_sold(user=user, selection=selection)
    if days is None:
        lines = _located(sales_lines_for_user(user=user), selection).filter(
            product__in=selected, placed_on__gte=start, placed_on__lte=end
        )
        rows = list(lines.values_list("placed_on").annotate(units=Sum("quantity")).order_by("placed_on"))
    else:
        rows = list(
            days.filter(product__in=selected, day__gte=start, day__lte=end, sold_units__gt=0)
            .values_list("day")
            .annotate(units=Sum("sold_units"))
            .order_by("day")
        )
    return _series_by_day(rows)


def daily_lost_units(
    *, user: User, products: QuerySet[Product], selection: Selection, start: dt.date, end: dt.date
) -> pd.Series:
    """Units refused for want of stock per day with a refusal, indexed by day, beside `daily_units`: from the
    daily rollups' lost units (the lost sales of the buying shops' region for a region), scoped as the sales are."""
    selected = _selected_products(products, selection)
    days = _daily_sold(user=user, selection=selection)
    if days is None:
        lost = lost_sale_list_for_user(user=user).filter(
            retailer__region=selection.key, product__in=selected, lost_on__gte=start, lost_on__lte=end
        )
        rows = list(lost.values_list("lost_on").annotate(units=Sum("quantity")).order_by("lost_on"))
    else:
        rows = list(
            days.filter(product__in=selected, day__gte=start, day__lte=end, lost_units__gt=0)
            .values_list("day")
            .annotate(units=Sum("lost_units"))
            .order_by("day")
        )
    return _series_by_day(rows)


def _series_by_day(rows: list[tuple[dt.date, Any]]) -> pd.Series:
    # Indexed by day even when empty (a new product, or one with only returns): an empty
    # RangeIndex cannot be compared with a day.
    index = pd.DatetimeIndex([pd.Timestamp(day) for day, _ in rows], dtype="datetime64[ns]")
    return pd.Series([float(units) for _, units in rows], index=index, dtype=float)


def history_from_daily(
    daily: pd.Series, *, start: dt.date, end: dt.date, lost: pd.Series | None = None
) -> pd.DataFrame:
    """Columns date, units (sold) and lost (refused for want of stock) for every day from start to end (days
    without a sale or a refusal are zero)."""
    days = pd.date_range(start, end, freq="D")
    lost = lost if lost is not None else pd.Series(dtype=float)
    return pd.DataFrame(
        {
            "date": days,
            "units": daily.reindex(days, fill_value=0.0).to_numpy(dtype=float),
            "lost": lost.reindex(days, fill_value=0.0).to_numpy(dtype=float),
        }
    )


# --- Forecasts ---------------------------------------------------------------------------


def top_forecast_product_id(*, run: ServingBatch, products: QuerySet[Product]) -> int | None:
    """The product with the most demand ahead in the serving batch: the page opens on it."""
    return (
        DemandForecast.objects.filter(
            model_version=run.version,
            target_date__gt=run.last_data_day,
            location_kind=LocationKind.ALL,
            product__in=products,
        )
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .order_by("-total", "product_id")
        .values_list("product_id", flat=True)
        .first()
    )


def _squared(delta) -> Any:
    return Sum(delta * delta, output_field=FloatField())


def batch_forecast(*, run: ServingBatch, products: QuerySet[Product], selection: Selection) -> pd.DataFrame:
    """The selection's forecast per target day summed over its products. The interval of
    a sum adds the products' half-widths in quadrature, as if their errors were
    independent: summing the bounds themselves would overstate it."""
    rows = (
        DemandForecast.objects.filter(
            model_version=run.version,
            target_date__gt=run.last_data_day,
            location_kind=selection.location_kind,
            location=selection.location,
            product__in=_selected_products(products, selection),
        )
        .values("target_date")
        .annotate(
            # Not named "quantity": that alias would shadow the field in the squares below.
            total=Sum("quantity"),
            **{f"{c}_sq": _squared(F(c) - F("quantity")) for c in BAND_COLUMNS},
        )
        .order_by("target_date")
    )
    return _bands_from_squares(pd.DataFrame.from_records(list(rows)).rename(columns={"total": "quantity"}))


def _bands_from_squares(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    out = pd.DataFrame({"date": pd.to_datetime(frame["target_date"]), "quantity": frame["quantity"].astype(float)})
    for column in BAND_COLUMNS:
        width = frame[f"{column}_sq"].astype(float).clip(lower=0) ** 0.5
        out[column] = (out["quantity"] - width).clip(lower=0) if column.startswith("lower") else out["quantity"] + width
    return out


def served_forecast_frame(days: list[dict[str, Any]]) -> pd.DataFrame:
    """The `days` of a served prediction as a frame."""
    frame = pd.DataFrame(days, columns=FORECAST_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def roll_up_weeks(
    history: pd.DataFrame, forecast: pd.DataFrame, *, origin: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly totals in 7-day blocks counted from the forecast origin, so neither side of
    the origin has a partial week. A week is labelled by its first day; its interval
    adds the days' half-widths in quadrature (see batch_forecast)."""
    start = pd.Timestamp(origin) + pd.Timedelta(days=1)

    def block(dates: pd.Series) -> pd.Series:
        return start + pd.to_timedelta(((dates - start).dt.days // 7) * 7, unit="D")

    summed = [c for c in ("units", "lost") if c in history.columns]
    weekly_history = pd.DataFrame(columns=["date", *summed])
    if not history.empty:
        blocks = history.assign(date=block(history["date"])).groupby("date", as_index=False)
        weekly_history = blocks.agg(**{c: (c, "sum") for c in summed}, days=("units", "size"))
        weekly_history = weekly_history[weekly_history["days"] == 7][["date", *summed]]
    weekly_forecast = pd.DataFrame(columns=FORECAST_COLUMNS)
    if not forecast.empty:
        frame = forecast.assign(date=block(forecast["date"]))
        for column in BAND_COLUMNS:
            frame[f"{column}_sq"] = (frame[column] - frame["quantity"]) ** 2
        grouped = frame.groupby("date", as_index=False).agg(
            target_date=("date", "first"),
            quantity=("quantity", "sum"),
            **{f"{c}_sq": (f"{c}_sq", "sum") for c in BAND_COLUMNS},
        )
        weekly_forecast = _bands_from_squares(grouped)
    return weekly_history, weekly_forecast


# --- Accuracy of past forecasts ---------------------------------------------------------


def accuracy_by_week(
    *, user: User, run: ServingBatch, products: QuerySet[Product], selection: Selection, until: dt.date
) -> pd.DataFrame:
    """For the serving version's forecasts whose day has passed: per week, what sold, what was
    refused for want of stock, and, against their sum (the demand the models forecast), WAPE
    (total absolute error over demand) and MAE (mean absolute error per product and day).
    One query: each forecast row is joined to what sold and what was refused that day by subqueries.

    Only whole weeks (Monday to Sunday) count: the weeks at either end of the window, or of the days the
    version forecast, would otherwise show a few days' sales as a week's (a "week" of sold 0 beside a full
    week's forecast). A week is left out unless every one of its seven days has a forecast and has passed."""
    sold = _units_on_target_day(_located(sales_lines_for_user(user=user), selection), "placed_on")
    refused = _units_on_target_day(_located_lost(lost_sale_list_for_user(user=user), selection), "lost_on")
    last_sunday = until - dt.timedelta(days=(until.weekday() + 1) % 7)
    first_monday = last_sunday - dt.timedelta(weeks=ACCURACY_WEEKS, days=-1)
    rows = (
        DemandForecast.objects.filter(
            model_version=run.version,
            location_kind=selection.location_kind,
            location=selection.location,
            product__in=_selected_products(products, selection),
            target_date__gte=first_monday,
            target_date__lte=last_sunday,
        )
        .annotate(
            sold=Coalesce(Subquery(sold, output_field=FloatField()), Value(0.0)),
            refused=Coalesce(Subquery(refused, output_field=FloatField()), Value(0.0)),
        )
        .annotate(week=TruncWeek("target_date"))
        .values("week")
        .annotate(
            forecast=Sum("quantity"),
            sold_units=Sum("sold"),
            refused_units=Sum("refused"),
            abs_error=Sum(Abs(F("quantity") - F("sold") - F("refused")), output_field=FloatField()),
            observations=Count("id"),
            days=Count("target_date", distinct=True),
        )
        .filter(days=7)
        .order_by("-week")
    )
    records = []
    for r in rows:
        week = r["week"].date() if isinstance(r["week"], dt.datetime) else r["week"]
        demand = float(r["sold_units"]) + float(r["refused_units"])
        records.append(
            {
                "week": week,
                "forecast": float(r["forecast"]),
                "sold": float(r["sold_units"]),
                "refused": float(r["refused_units"]),
                "demand": demand,
                "wape": float(r["abs_error"]) / demand if demand else None,
                "mae": float(r["abs_error"]) / r["observations"],
                "observations": r["observations"],
            }
        )
    columns = ["week", "forecast", "sold", "refused", "demand", "wape", "mae", "observations"]
    return pd.DataFrame(records, columns=columns)


def _units_on_target_day(rows: QuerySet, day_field: str) -> QuerySet:
    """A subquery: the units of the forecast row's product on its target day, from order lines or lost sales."""
    on_the_day = {"product": OuterRef("product"), day_field: OuterRef("target_date")}
    return rows.filter(**on_the_day).values("product").annotate(units=Sum("quantity")).values("units")


# --- Growth and decline ------------------------------------------------------------------


def growth_rankings(
    *, user: User, run: ServingBatch, products: QuerySet[Product], limit: int = 10, end: dt.date | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per product, the forecast for the next four weeks against what sold in the last
    four. Where the serving model forecasts fewer days ahead, its daily average over the
    days it does forecast stands in for the rest. Products that sold nothing in the last
    four weeks have no growth rate and are left out.

    A product is listed as growing or slowing only where its sales agree: the last four
    weeks against the four before moved the same way as the forecast. A forecast that falls below sales which are rising says more about the
    forecast than about the product, and listing it as "slowing" beside a home page that
    shows it growing told the vendor two stories.

    ``end`` is the last sales day both sides are counted from: the day the page's chart starts its forecast
    (the batch's own last day by default). A batch scored before it forecasts fewer of the days after it; a
    product it forecasts none of is left out rather than compared with another window."""
    end = end or run.last_data_day
    window = dt.timedelta(days=RANKING_WINDOW_DAYS)
    forecasts = (
        DemandForecast.objects.filter(
            model_version=run.version,
            target_date__gt=end,
            location_kind=LocationKind.ALL,
            product__in=products,
            target_date__lte=end + dt.timedelta(days=HORIZON_DAYS),
        )
        .values("product_id", "product__name", "product__sku")
        .annotate(quantity=Sum("quantity"), days=Count("id"))
    )
    sold = (
        product_daily_for_user(user=user)
        .filter(product__in=products, day__gt=end - 2 * window, day__lte=end)
        .values("product_id")
        .annotate(
            last=Sum("sold_units", filter=Q(day__gt=end - window)),
            before=Sum("sold_units", filter=Q(day__lte=end - window)),
        )
        .order_by()
    )
    actual = {row["product_id"]: (float(row["last"] or 0), float(row["before"] or 0)) for row in sold}
    rows = []
    for f in forecasts:
        last, before = actual.get(f["product_id"], (0.0, 0.0))
        if last <= 0:
            continue
        ahead = float(f["quantity"]) * HORIZON_DAYS / f["days"]
        rows.append(
            {
                "product_id": f["product_id"],
                "product": f["product__name"],
                "sku": f["product__sku"],
                "previous_4_weeks": before,
                "last_4_weeks": last,
                "next_4_weeks": ahead,
                "change": ahead - last,
                "growth": (ahead - last) / last,
                "sales_trend": (last - before) / before if before > 0 else None,
                "forecast_days": f["days"],
            }
        )
    rows.sort(key=lambda r: (-r["growth"], r["product"]))
    # Within half a percent either way a product is steady, neither growing nor slowing.
    growing = [r for r in rows if r["growth"] >= STEADY and _trend_allows(r["sales_trend"], up=True)][:limit]
    declining = [r for r in reversed(rows) if r["growth"] <= -STEADY and _trend_allows(r["sales_trend"], up=False)]
    return growing, declining[:limit]


def _trend_allows(trend: float | None, *, up: bool) -> bool:
    """Whether the last four weeks' sales against the four before moved the forecast's way, beyond the
    steady band. A product new in the last four weeks counts as growing, never as slowing."""
    if trend is None:
        return up
    return trend >= STEADY if up else trend <= -STEADY


# --- Seasonality -------------------------------------------------------------------------

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def seasonality_from_daily(daily: pd.Series, *, end: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The profiles from daily totals (see daily_units) of the two years up to `end`:
    totals by weekday and month, divided by how many such days the window holds."""
    start = pd.Timestamp(end - dt.timedelta(days=SEASONALITY_DAYS - 1))
    daily = daily[(daily.index >= start) & (daily.index <= pd.Timestamp(end))]
    if daily.empty:
        return pd.DataFrame(columns=["label", "units"]), pd.DataFrame(columns=["label", "units"])
    by_weekday = daily.groupby(daily.index.isocalendar().day.to_numpy()).sum()
    by_month = daily.groupby(daily.index.month).sum()
    # Days before the first sale in the window (a product launched since) do not count.
    days = pd.date_range(daily.index.min(), end, freq="D")
    weekday_days = pd.Series(days.isocalendar().day.to_numpy()).value_counts()
    month_days = pd.Series(days.month).value_counts()
    weekdays = pd.DataFrame(
        {"label": WEEKDAYS, "units": [by_weekday.get(i, 0.0) / weekday_days.get(i, 1) for i in range(1, 8)]}
    )
    months = pd.DataFrame(
        {
            "label": MONTHS,
            "units": [
                by_month.get(i, 0.0) / month_days[i] if i in month_days.index else math.nan for i in range(1, 13)
            ],
        }
    )
    return weekdays, months
