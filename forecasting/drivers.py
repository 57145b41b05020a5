"""Demand drivers read from the database as the arrays the forecasters take: price,
promotion and calendar events per series and day (history plus the planned horizon),
stockout days as censored demand, and per-series codes of the product's place in the
catalog. Everything is aggregated in the database or in a few small queries whose size
does not grow with order lines (prices come from the daily sales rollups, one row per
product and day, kept with every write in the same transaction as the lines); spans (promotions, events, stockouts) are laid onto the
day grid with NumPy, so the query count is the same for 3 products or 3,000.

Location: with `warehouse_id`, prices come from that warehouse's orders, stockouts are
its own, and promotions and events are those of its region or of everywhere. With
`region`, prices come from that region's retailers, promotions and events are the
region's or everywhere's, and stockouts are the region's warehouses'. With neither (the
product total), every region's promotions and events count: a promotion anywhere moves
some of the total.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db.models import ExpressionWrapper, F, FloatField, Q, Sum, Value

from retailiq.events.models import CalendarEvent, Promotion
from retailiq.inventory.models import StockLevel, StockoutPeriod, Warehouse
from retailiq.orders.selectors import sale_lines
from retailiq.rollups.selectors import product_daily_prices

from .catalog import catalog_of
from .ml.matrix import DemandMatrix

# How far before the first day prices are looked for, so a product that last sold a
# few weeks before the window starts keeps that price rather than its list price.
PRICE_LOOKBACK_DAYS = 90
DAYS_TO_FESTIVAL_CAP = 30
EVENT_KINDS = tuple(CalendarEvent.Kind.values)  # every kind, always: a model sees the same features at fit and predict


@dataclass(frozen=True)
class Drivers:
    """What `demand_drivers` returns, row for row in `series_ids` order.

    exogenous: name -> float array, series x (len(days) + horizon); columns past the
      history are the planned future.
      price: average unit price paid that day, net of discounts; a day without a sale
        takes the last regular (non-promotion) price, less the deepest promotion active
        that day; before any sale, the product's list price. The future follows the same
        rule, so it is the promotion price where a promotion is planned.
      promo: 1.0 on days a promotion covers the product in the location's region.
      promo_discount: the deepest such promotion's discount rate (0 when none).
      event_<kind>: 1.0 on days a calendar event of that kind is active (every kind of
        CalendarEvent.Kind, so the feature set never depends on the window).
      event_days_to_next: days until the next festival starts (0 during one), capped at 30.
    static: name -> int64 per series: category, parent_category, brand, vendor (database
      ids, stable across batches; -1 when missing) and price_band (0 = cheapest fifth of
      its category by list price, to 4).
    censored: bool, series x len(days): stockout days, when zero sales are lost sales.
    """

    series_ids: np.ndarray
    days: pd.DatetimeIndex
    horizon: int
    exogenous: dict[str, np.ndarray]
    static: dict[str, np.ndarray]
    censored: np.ndarray


@dataclass(frozen=True)
class _Location:
    region: str | None  # promotions and events: this region's and everywhere's; None = all
    warehouse_id: int | None  # prices, from this warehouse's orders; None = the region's or all
    line_filter: Q  # which order lines set the price
    warehouse_filter: Q | None  # stock levels and stockouts of these warehouses; None = all


def demand_drivers(
    *,
    series_ids: Sequence[int] | np.ndarray,
    days: pd.DatetimeIndex,
    horizon: int,
    warehouse_id: int | None = None,
    region: str | None = None,
) -> Drivers:
    """The drivers of daily demand for these products over `days` (consecutive) and the
    `horizon` days after them, for one warehouse, one region, or (neither) the total."""
    if warehouse_id is not None and region is not None:
        raise ValueError("Pass a warehouse or a region, not both.")
    if horizon < 0:
        raise ValueError("The horizon cannot be negative.")
    days = pd.DatetimeIndex(days).normalize()
    if len(days) == 0 or (len(days) > 1 and not (np.diff(days.asi8) == 86_400 * 10**9).all()):
        raise ValueError("Drivers are built on consecutive days; convert to weekly afterwards.")
    ids = np.asarray(series_ids, dtype=np.int64)
    location = _location(warehouse_id=warehouse_id, region=region)
    grid = _Grid(first=days[0].date(), n_history=len(days), horizon=horizon)

    list_price, static = catalog_of(ids)
    # With PRICE_LOOKBACK_DAYS columns in front, so prices carried into the window know
    # which earlier days were promotion days.
    discount_since_lookback = _promotion_discount(ids, grid, location)
    price = _price(ids, grid, location, list_price=list_price, discount=discount_since_lookback)
    discount = discount_since_lookback[:, PRICE_LOOKBACK_DAYS:]
    exogenous = {
        "price": price,
        "promo": (discount > 0).astype(float),
        "promo_discount": discount,
        **_events(len(ids), grid, location),
    }
    return Drivers(
        series_ids=ids,
        days=days,
        horizon=horizon,
        exogenous=exogenous,
        static=static,
        censored=_censored(ids, grid, location, warehouse_id=warehouse_id),
    )


def attach_drivers(matrix: DemandMatrix, drivers: Drivers) -> DemandMatrix:
    """The matrix with these drivers (built for its series and days) attached."""
    if matrix.freq != "D":
        raise ValueError("Attach drivers to the daily matrix, then convert it to weekly.")
    if not np.array_equal(np.asarray(matrix.series_ids), drivers.series_ids) or not matrix.days.equals(drivers.days):
        raise ValueError("The drivers were built for other series or days than this matrix's.")
    return replace(
        matrix,
        exogenous={**matrix.exogenous, **drivers.exogenous},
        static={**matrix.static, **drivers.static},
        censored=drivers.censored,
    )


def matrix_with_drivers(
    matrix: DemandMatrix, *, horizon: int, warehouse_id: int | None = None, region: str | None = None
) -> DemandMatrix:
    """Shortcut: build the drivers for a daily matrix's own series and days and attach them."""
    drivers = demand_drivers(
        series_ids=matrix.series_ids, days=matrix.days, horizon=horizon, warehouse_id=warehouse_id, region=region
    )
    return attach_drivers(matrix, drivers)


# The day grid ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    first: dt.date  # the first history day: column 0
    n_history: int
    horizon: int

    @property
    def n_columns(self) -> int:
        return self.n_history + self.horizon

    @property
    def last_history(self) -> dt.date:
        return self.first + dt.timedelta(days=self.n_history - 1)

    @property
    def last(self) -> dt.date:
        return self.first + dt.timedelta(days=self.n_columns - 1)

    def column(self, dates) -> np.ndarray:
        """Column index of each date (negative before the first day)."""
        # Days, not pandas timestamps: a promotion or stockout may run to 9999, beyond 2262.
        as_days = np.array(list(dates), dtype="datetime64[D]")
        return (as_days - np.datetime64(self.first, "D")).astype(np.int64)


def _spans(rows: np.ndarray, first: np.ndarray, last: np.ndarray, n_columns: int):
    """Every (row, column) cell covered by the inclusive spans first..last, clipped to the
    grid, as flat index arrays plus the span each cell came from. Vectorised: no loop over
    spans, however many promotions or stockouts there are."""
    first, last = np.maximum(first, 0), np.minimum(last, n_columns - 1)
    kept = np.flatnonzero(last >= first)
    lengths = (last - first + 1)[kept]
    which = np.repeat(kept, lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return rows[which], first[which] + offsets, which


def _row_of(ids: np.ndarray, product_ids) -> np.ndarray:
    return pd.Index(ids).get_indexer(np.asarray(product_ids, dtype=np.int64))


# Location --------------------------------------------------------------------------


def _location(*, warehouse_id: int | None, region: str | None) -> _Location:
    if warehouse_id is not None:
        warehouse_region = Warehouse.objects.values_list("region", flat=True).get(pk=warehouse_id)
        return _Location(
            region=warehouse_region,
            warehouse_id=warehouse_id,
            line_filter=Q(order__warehouse_id=warehouse_id),
            warehouse_filter=Q(warehouse_id=warehouse_id),
        )
    if region is not None:
        return _Location(
            region=region,
            warehouse_id=None,
            line_filter=Q(retailer__region=region),
            warehouse_filter=Q(warehouse__region=region),
        )
    return _Location(region=None, warehouse_id=None, line_filter=Q(), warehouse_filter=None)


def _in_region(location: _Location, field: str) -> Q:
    if location.region is None:
        return Q()
    return Q(**{field: ""}) | Q(**{field: location.region})


# Promotions and price --------------------------------------------------------------


def _promotion_discount(ids: np.ndarray, grid: _Grid, location: _Location) -> np.ndarray:
    """series x (lookback + history + horizon): the deepest discount of the promotions
    covering each day."""
    links = (
        Promotion.products.through.objects.filter(
            product_id__in=ids.tolist(),
            promotion__starts_on__lte=grid.last,
            promotion__ends_on__gte=grid.first - dt.timedelta(days=PRICE_LOOKBACK_DAYS),
        )
        .filter(_in_region(location, "promotion__region"))
        .values_list("product_id", "promotion__starts_on", "promotion__ends_on", "promotion__discount_rate")
    )
    # Columns start PRICE_LOOKBACK_DAYS before the history so prices can be carried in.
    lookback_grid = _Grid(
        first=grid.first - dt.timedelta(days=PRICE_LOOKBACK_DAYS),
        n_history=grid.n_history + PRICE_LOOKBACK_DAYS,
        horizon=grid.horizon,
    )
    discount = np.zeros((len(ids), lookback_grid.n_columns))
    frame = pd.DataFrame.from_records(list(links), columns=["product", "starts_on", "ends_on", "discount"])
    if len(frame):
        rows, columns, which = _spans(
            _row_of(ids, frame["product"]),
            lookback_grid.column(frame["starts_on"]),
            lookback_grid.column(frame["ends_on"]),
            lookback_grid.n_columns,
        )
        np.maximum.at(discount, (rows, columns), frame["discount"].astype(float).to_numpy()[which])
    return discount


PAID_COLUMNS = ["product", "day", "units", "revenue", "regular_units", "regular_revenue"]


def paid_per_day(
    *,
    product_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    warehouse_id: int | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """What the products' sale lines were paid per day from `start` to `end`, net of discounts,
    in all and off promotion (PAID_COLUMNS, floats; one row per product and day with a sale, in that order).
    Read from the per-product (or product x warehouse) daily rollup, one row per day, where the
    sales are millions of lines; a region has no rollup and reads its lines."""
    if region is not None:
        return paid_per_day_from_lines(product_ids=product_ids, start=start, end=end, region=region)
    rows = product_daily_prices(product_ids=list(product_ids), start=start, end=end, warehouse_id=warehouse_id)
    return _paid_frame(rows)


def paid_per_day_from_lines(
    *,
    product_ids: Sequence[int],
    start: dt.date,
    end: dt.date,
    warehouse_id: int | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """`paid_per_day` summed from the sale lines themselves: what the rollup must equal."""
    location = _location(warehouse_id=warehouse_id, region=region)
    # Read back as floats: a Decimal per row and day costs more than the query on SQLite.
    paid_per_unit = ExpressionWrapper(
        F("quantity") * F("unit_price") * (Value(Decimal(1)) - F("discount_rate")), output_field=FloatField()
    )
    regular = Q(on_promotion=False)
    rows = (
        sale_lines()
        .filter(location.line_filter, product_id__in=list(product_ids), placed_on__gte=start, placed_on__lte=end)
        .values_list("product_id", "placed_on")
        .annotate(
            units=Sum("quantity"),
            revenue=Sum(paid_per_unit),
            regular_units=Sum("quantity", filter=regular),
            regular_revenue=Sum(paid_per_unit, filter=regular),
        )
        .order_by("product_id", "placed_on")
    )
    return _paid_frame(rows)


def _paid_frame(rows: Iterable[tuple]) -> pd.DataFrame:
    """Numbers as floats (an empty sum, None, as 0), built column by column: converting Decimals
    inside pandas costs more than the rollup's query."""
    records = list(rows)
    columns = list(zip(*records, strict=True)) or [()] * len(PAID_COLUMNS)
    frame = {"product": np.array(columns[0], dtype=np.int64), "day": list(columns[1])}
    for name, values in zip(PAID_COLUMNS[2:], columns[2:], strict=True):
        frame[name] = np.array([0.0 if value is None else value for value in values], dtype=float)
    return pd.DataFrame(frame)


def _price(
    ids: np.ndarray, grid: _Grid, location: _Location, *, list_price: np.ndarray, discount: np.ndarray
) -> np.ndarray:
    """Paid price where the product sold; elsewhere the last regular price less that day's
    promotion. `discount` has PRICE_LOOKBACK_DAYS extra columns in front; the result does not."""
    start = grid.first - dt.timedelta(days=PRICE_LOOKBACK_DAYS)
    frame = paid_per_day(
        product_ids=ids.tolist(),
        start=start,
        end=grid.last_history,
        warehouse_id=location.warehouse_id,
        region=location.region if location.warehouse_id is None else None,
    )
    n_columns = discount.shape[1]
    paid = np.full((len(ids), n_columns), np.nan)
    regular_price = np.full((len(ids), n_columns), np.nan)
    if len(frame):
        row = _row_of(ids, frame["product"])
        column = (pd.to_datetime(frame["day"]) - pd.Timestamp(start)).dt.days.to_numpy()
        paid[row, column] = frame["revenue"].to_numpy() / frame["units"].to_numpy()
        regular_units = frame["regular_units"].to_numpy()
        sold_regular = regular_units > 0
        regular_price[row[sold_regular], column[sold_regular]] = (
            frame["regular_revenue"].to_numpy()[sold_regular] / regular_units[sold_regular]
        )
    # The regular price carries forward over days (and into the future) without a
    # regular sale; before the first one it is the list price.
    carried = pd.DataFrame(regular_price.T).ffill().to_numpy().T
    carried = np.where(np.isnan(carried), list_price[:, None], carried)
    price = np.where(np.isnan(paid), carried * (1 - discount), paid)
    return price[:, PRICE_LOOKBACK_DAYS:]


# Calendar events -------------------------------------------------------------------


def _events(n_series: int, grid: _Grid, location: _Location) -> dict[str, np.ndarray]:
    """One 0/1 array per event kind and days to the next festival. Events are the same
    for every product, so one row is computed and repeated."""
    look_ahead = grid.last + dt.timedelta(days=DAYS_TO_FESTIVAL_CAP)
    rows = (
        CalendarEvent.objects.filter(starts_on__lte=look_ahead, ends_on__gte=grid.first)
        .filter(_in_region(location, "region"))
        .values_list("kind", "starts_on", "ends_on")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["kind", "starts_on", "ends_on"])
    n_columns = grid.n_columns + DAYS_TO_FESTIVAL_CAP  # festivals just past the horizon count down too
    active = {kind: np.zeros(n_columns, dtype=bool) for kind in EVENT_KINDS}
    if len(frame):
        _, columns, which = _spans(
            np.zeros(len(frame), dtype=np.int64),
            grid.column(frame["starts_on"]),
            grid.column(frame["ends_on"]),
            n_columns,
        )
        kinds = frame["kind"].to_numpy()[which]
        for kind in active:
            active[kind][columns[kinds == kind]] = True
    exogenous = {f"event_{kind}": active[kind][: grid.n_columns].astype(float) for kind in EVENT_KINDS}
    exogenous["event_days_to_next"] = _days_to_next(active[CalendarEvent.Kind.FESTIVAL])[: grid.n_columns]
    return {name: np.repeat(row[None, :], n_series, axis=0) for name, row in exogenous.items()}


def _days_to_next(active: np.ndarray) -> np.ndarray:
    """Per column, columns until the next active one (0 when active), capped."""
    index = np.arange(len(active))
    next_active = np.where(active, index, len(active) + DAYS_TO_FESTIVAL_CAP)
    next_active = np.minimum.accumulate(next_active[::-1])[::-1]
    return np.minimum(next_active - index, DAYS_TO_FESTIVAL_CAP).astype(float)


# Stockouts -------------------------------------------------------------------------


def _censored(ids: np.ndarray, grid: _Grid, location: _Location, *, warehouse_id: int | None) -> np.ndarray:
    """series x history days. One warehouse: its own stockout days. A region or the
    total: days when every warehouse (of the region) stocking the product was out, since
    while any still had it the product could be bought and a zero is a true zero.
    A warehouse stocks a product when it has a stock level row or a stockout of it."""
    periods = StockoutPeriod.objects.filter(product_id__in=ids.tolist(), started_on__lte=grid.last_history).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=grid.first)
    )
    if location.warehouse_filter is not None:
        periods = periods.filter(location.warehouse_filter)
    frame = pd.DataFrame.from_records(
        list(periods.values_list("product_id", "warehouse_id", "started_on", "ended_on")),
        columns=["product", "warehouse", "started_on", "ended_on"],
    )
    censored = np.zeros((len(ids), grid.n_history), dtype=bool)
    if not len(frame):
        return censored
    # Ongoing stockouts (no end yet) last through the last day of history.
    frame["ended_on"] = frame["ended_on"].fillna(grid.last_history)
    if warehouse_id is not None:
        rows, columns, _ = _spans(
            _row_of(ids, frame["product"]),
            grid.column(frame["started_on"]),
            grid.column(frame["ended_on"]),
            grid.n_history,
        )
        censored[rows, columns] = True
        return censored

    stock = StockLevel.objects.filter(product_id__in=ids.tolist())
    if location.warehouse_filter is not None:
        stock = stock.filter(location.warehouse_filter)
    pairs = pd.concat(
        [
            pd.DataFrame.from_records(
                list(stock.values_list("product_id", "warehouse_id")), columns=["product", "warehouse"]
            ),
            frame[["product", "warehouse"]],
        ]
    ).drop_duplicates(ignore_index=True)
    # One row per (product, warehouse): overlapping periods of the same pair count once.
    pair_index = pd.MultiIndex.from_frame(pairs)
    pair_row = pair_index.get_indexer(pd.MultiIndex.from_frame(frame[["product", "warehouse"]]))
    out = np.zeros((len(pairs), grid.n_history), dtype=bool)
    rows, columns, _ = _spans(
        pair_row, grid.column(frame["started_on"]), grid.column(frame["ended_on"]), grid.n_history
    )
    out[rows, columns] = True
    product_row = _row_of(ids, pairs["product"])
    out_count = np.zeros((len(ids), grid.n_history))
    np.add.at(out_count, product_row, out)
    stocking = np.bincount(product_row, minlength=len(ids))
    return (out_count >= stocking[:, None]) & (stocking[:, None] > 0)
