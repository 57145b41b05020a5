"""Keeping the rollups in step with the order lines, set-based, inside the caller's transaction.

Every write path calls `rollups_apply` once with the orders it touches: sign +1 once their
lines count (after they are written), sign -1 while they still count but are about to
stop (before their lines are deleted or the order is cancelled). A status change is -1
before and +1 after. Which lines count is the demand rule in `retailiq.orders.selectors`:
the statements here are built from `demand_lines` and `sale_lines`, never restated in SQL.

Daily rollups take one INSERT ... SELECT ... ON CONFLICT DO UPDATE per table that adds
(or subtracts) the orders' totals, then drop rows left at zero lines. Retailer x product
rows hold first and last days, which cannot be subtracted: the pairs the orders touch are
recomputed from their remaining lines, again one upsert, then pairs with nothing left are
dropped. Both PostgreSQL and SQLite (3.24+) run the same statements."""

from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from retailiq.orders.models import LostSale, Order, OrderLine
from retailiq.orders.selectors import (
    demand_lines,
    demand_lost_sales,
    net_value_expression,
    return_filter,
    sale_filter,
    sale_lines,
)

from .models import (
    MarketplaceDailySales,
    PricedDailySales,
    ProductDailySales,
    ProductWarehouseDailySales,
    RetailerDailySales,
    RetailerProductSales,
    RollupVersion,
    VendorRetailerDailySales,
)

DAILY_MEASURES = ("lines", "orders", "sale_orders", "sold_units", "returned_units", "revenue")
# PricedDailySales' columns: what the forecasts' price driver reads.
PRICE_MEASURES = ("sale_revenue", "regular_units", "regular_revenue")
# And what the forecasts add to the sales to learn demand: refused units.
LOST_MEASURES = ("lost_units",)


@dataclass(frozen=True)
class DailyRollup:
    """A daily table: its key columns and the order-line paths they come from; for a table
    that carries lost units, the LostSale paths of the same keys."""

    model: type[models.Model]
    keys: tuple[str, ...]
    sources: tuple[str, ...]
    only: Q = field(default_factory=Q)
    lost_sources: tuple[str, ...] = ()
    lost_only: Q = field(default_factory=Q)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def priced(self) -> bool:
        return issubclass(self.model, PricedDailySales)

    @property
    def measures(self) -> tuple[str, ...]:
        return DAILY_MEASURES + PRICE_MEASURES + LOST_MEASURES if self.priced else DAILY_MEASURES


DAILY_ROLLUPS: tuple[DailyRollup, ...] = (
    DailyRollup(MarketplaceDailySales, ("day",), ("placed_on",)),
    DailyRollup(
        ProductDailySales,
        ("product_id", "day"),
        ("product_id", "placed_on"),
        lost_sources=("product_id", "lost_on"),
    ),
    DailyRollup(RetailerDailySales, ("retailer_id", "day"), ("retailer_id", "placed_on")),
    DailyRollup(
        ProductWarehouseDailySales,
        ("product_id", "warehouse_id", "day"),
        ("product_id", "order__warehouse_id", "placed_on"),
        Q(order__warehouse__isnull=False),
        lost_sources=("product_id", "warehouse_id", "lost_on"),
        lost_only=Q(warehouse__isnull=False),
    ),
    DailyRollup(
        VendorRetailerDailySales,
        ("vendor_id", "retailer_id", "day"),
        ("product__vendor_id", "retailer_id", "placed_on"),
    ),
)
LOST_ROLLUPS: tuple[DailyRollup, ...] = tuple(r for r in DAILY_ROLLUPS if r.lost_sources)
PAIR_KEYS = ("retailer_id", "product_id")
_BIG, _MONEY = models.BigIntegerField(), DecimalField(max_digits=20, decimal_places=6)
PAIR_MEASURES = ("first_order_on", "last_order_on", "orders", "order_days", "lines", "units", "revenue")


def _lines_of(orders: QuerySet[Order] | None) -> QuerySet[OrderLine]:
    return OrderLine.objects.all() if orders is None else OrderLine.objects.filter(order__in=orders)


def daily_source(rollup: DailyRollup, orders: QuerySet[Order] | None = None, sign: int = 1) -> QuerySet:
    """The rollup's rows as the order lines give them, for `orders` (all when None):
    key columns k0, k1, ... then the measures, one row per key, times `sign`."""
    big, money = models.BigIntegerField(), DecimalField(max_digits=20, decimal_places=6)

    def signed(expression, output_field):
        return ExpressionWrapper(expression * Value(sign), output_field=output_field)

    def units(kind: Q):
        return signed(Coalesce(Sum("quantity", filter=kind), Value(0), output_field=big), big)

    def value(kind: Q):
        return signed(Coalesce(Sum(net_value_expression(), filter=kind), Value(0), output_field=money), money)

    measures = {
        "lines": signed(Count("pk"), big),
        "orders": signed(Count("order_id", distinct=True), big),
        "sale_orders": signed(Count("order_id", filter=sale_filter(), distinct=True), big),
        "sold_units": units(sale_filter()),
        "returned_units": units(return_filter()),
        "revenue": signed(Sum(net_value_expression()), money),
        # Prices: sale lines only (a return says nothing about what was paid), in all and off promotion.
        "sale_revenue": value(sale_filter()),
        "regular_units": units(sale_filter() & Q(on_promotion=False)),
        "regular_revenue": value(sale_filter() & Q(on_promotion=False)),
        "lost_units": Value(0, output_field=big),  # refusals come from lost_source
    }
    return (
        demand_lines(_lines_of(orders))
        .filter(rollup.only)
        .values(**{f"k{i}": F(source) for i, source in enumerate(rollup.sources)})
        .annotate(**{name: measures[name] for name in rollup.measures})
        .order_by()
    )


def _lost_of(orders: QuerySet[Order] | None) -> QuerySet[LostSale]:
    return LostSale.objects.all() if orders is None else LostSale.objects.filter(order__in=orders)


def lost_source(rollup: DailyRollup, lost_sales: QuerySet[LostSale] | None = None, sign: int = 1) -> QuerySet:
    """The rollup's rows as the lost sales that count give them (`lost_sales`, all when None), in the shape of
    `daily_source`: every line measure zero, `lost_units` the refused units, times `sign`."""
    zeros = {
        m: Value(0, output_field=_MONEY if m.endswith("revenue") else _BIG)
        for m in rollup.measures
        if m != "lost_units"
    }
    lost = ExpressionWrapper(Sum("quantity") * Value(sign), output_field=_BIG)
    return (
        demand_lost_sales(lost_sales)
        .filter(rollup.lost_only)
        .values(**{f"k{i}": F(source) for i, source in enumerate(rollup.lost_sources)})
        .annotate(**zeros, lost_units=lost)
        .order_by()
    )


def source_sql(source: QuerySet | tuple[str, list]) -> tuple[str, list]:
    """A source's SQL and parameters: a queryset, or SQL already written (`rollup_source`)."""
    if isinstance(source, tuple):
        return source
    sql, params = source.query.sql_with_params()
    return sql, list(params)


def rollup_source(rollup: DailyRollup) -> QuerySet | tuple[str, list]:
    """Every row the rollup should hold, recomputed: `daily_source`, plus for a table with lost units the
    lost sales' rows, added up per key (a key may have lines, refusals or both)."""
    if not rollup.lost_sources:
        return daily_source(rollup)
    names = [f"k{i}" for i in range(len(rollup.keys))]
    both = []
    params: list = []
    for part in (daily_source(rollup), lost_source(rollup)):
        sql, part_params = source_sql(part)
        both.append(f"SELECT {', '.join(names + list(rollup.measures))} FROM ({sql}) p")
        params += part_params
    totals = ", ".join(f"SUM(u.{m}) AS {m}" for m in rollup.measures)
    grouped = ", ".join(f"u.{k}" for k in names)
    return f"SELECT {grouped}, {totals} FROM ({' UNION ALL '.join(both)}) u GROUP BY {grouped}", params


def pair_source(lines: QuerySet[OrderLine] | None = None) -> QuerySet:
    """Retailer x product rows from sale lines (all when `lines` is None)."""
    return (
        sale_lines(lines)
        .values(k0=F("retailer_id"), k1=F("product_id"))
        .annotate(
            first_order_on=Min("placed_on"),
            last_order_on=Max("placed_on"),
            orders=Count("order_id", distinct=True),
            order_days=Count("placed_on", distinct=True),
            lines=Count("pk"),
            units=Sum("quantity"),
            revenue=Sum(net_value_expression()),
        )
        .order_by()
    )


def _upsert(
    cursor, *, table: str, keys: tuple[str, ...], source: QuerySet | tuple[str, list], measures: dict[str, str]
) -> None:
    """INSERT the source's rows (k0, k1, ... and measures) into `table`; on a key already
    there, set each measure to its expression in `measures` (over `d` and `excluded`)."""
    sql, params = source_sql(source)
    picked = ", ".join([f"d.k{i}" for i in range(len(keys))] + [f"d.{m}" for m in measures])
    updates = ", ".join(f"{m} = {expression}" for m, expression in measures.items())
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT to read an INSERT ... SELECT upsert.
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(keys + tuple(measures))}) SELECT {picked} FROM ({sql}) d WHERE 1 = 1 "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}",
        params,
    )


def _emptied(rollup: DailyRollup) -> Q:
    """Rows a recomputation would not give: no line left, and (where kept) no lost unit."""
    return Q(lines=0, lost_units=0) if rollup.lost_sources else Q(lines=0)


def _apply_daily(cursor, rollup: DailyRollup, orders: QuerySet[Order] | None, sign: int) -> None:
    # Subtracting is adding the same rows negated: one upsert statement either way.
    adds = {m: f"{rollup.table}.{m} + excluded.{m}" for m in rollup.measures}
    _upsert(cursor, table=rollup.table, keys=rollup.keys, source=daily_source(rollup, orders, sign), measures=adds)
    if sign < 0:
        # Keys whose last lines went: no row, as a recomputation would give none.
        touched = _lines_of(orders).values(rollup.sources[0])
        rollup.model.objects.filter(_emptied(rollup), **{f"{rollup.keys[0]}__in": touched}).delete()


def _apply_lost(cursor, rollup: DailyRollup, lost_sales: QuerySet[LostSale] | None, sign: int) -> None:
    adds = {m: f"{rollup.table}.{m} + excluded.{m}" for m in rollup.measures}
    _upsert(cursor, table=rollup.table, keys=rollup.keys, source=lost_source(rollup, lost_sales, sign), measures=adds)
    if sign < 0:
        touched = (LostSale.objects.all() if lost_sales is None else lost_sales).values(rollup.lost_sources[0])
        rollup.model.objects.filter(_emptied(rollup), **{f"{rollup.keys[0]}__in": touched}).delete()


def apply_pairs(cursor, orders: QuerySet[Order], sign: int) -> None:
    same_pair = {"retailer_id": OuterRef("retailer_id"), "product_id": OuterRef("product_id")}
    touched = OrderLine.objects.filter(order__in=orders, **same_pair)
    remaining = OrderLine.objects.filter(Exists(touched))
    if sign < 0:
        remaining = remaining.exclude(order__in=orders)
    replace = {m: f"excluded.{m}" for m in PAIR_MEASURES}
    _upsert(
        cursor,
        table=RetailerProductSales._meta.db_table,
        keys=PAIR_KEYS,
        source=pair_source(remaining),
        measures=replace,
    )
    if sign < 0:
        # Adding lines never takes a pair's last sale line away (a status change runs -1
        # first, which drops it), so only a subtraction can leave a pair with nothing.
        still_sold = sale_lines(remaining.filter(**same_pair))
        RetailerProductSales.objects.filter(Exists(touched)).exclude(Exists(still_sold)).delete()


def _bump_version() -> None:
    if not RollupVersion.objects.filter(pk=1).update(version=F("version") + 1):
        RollupVersion.objects.create(pk=1, version=1)


def rollups_apply(*, orders: QuerySet[Order], sign: int) -> None:
    """Add (+1) or take away (-1) the lines of `orders` in every rollup. Call inside the
    write's transaction: +1 after the lines are written, -1 before they stop counting."""
    if sign not in (1, -1):
        raise ValueError("sign must be +1 or -1")
    with transaction.atomic(), connection.cursor() as cursor:
        for rollup in DAILY_ROLLUPS:
            _apply_daily(cursor, rollup, orders, sign)
            if rollup.lost_sources:
                # The orders' refused lines count (or stop counting) with their lines.
                _apply_lost(cursor, rollup, _lost_of(orders), sign)
        apply_pairs(cursor, orders, sign)
        _bump_version()


def rollups_apply_lost_sales(*, lost_sales: QuerySet[LostSale], sign: int) -> None:
    """Add (+1) or take away (-1) lost sales in the per-product rollups: for refusals on no order (those of an
    order go with it through `rollups_apply`). +1 after they are written, -1 before they are deleted."""
    if sign not in (1, -1):
        raise ValueError("sign must be +1 or -1")
    with transaction.atomic(), connection.cursor() as cursor:
        for rollup in LOST_ROLLUPS:
            _apply_lost(cursor, rollup, lost_sales, sign)
        _bump_version()


def rollups_apply_batch(*, batch_id: int, sign: int) -> None:
    """An import's orders: +1 right after the merge, -1 before an undo deletes them.
    On PostgreSQL the merge's +1 reads the batch's lines once for all tables (see batch.py)."""
    if sign > 0 and connection.vendor == "postgresql":
        from .batch import rollups_add_batch  # batch.py builds on this module's sources

        with transaction.atomic():
            rollups_add_batch(batch_id=batch_id)
            _bump_version()
        return
    rollups_apply(orders=Order.objects.filter(import_batch_id=batch_id), sign=sign)


ALL_ROLLUPS: tuple[type[models.Model], ...] = (*(r.model for r in DAILY_ROLLUPS), RetailerProductSales)


def rollups_rebuild(*, only: tuple[type[models.Model], ...] = ALL_ROLLUPS) -> None:
    """Recompute whole tables from the order lines and lost sales (the demo loader, a repair)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for rollup in DAILY_ROLLUPS:
            if rollup.model in only:
                rollup.model.objects.all().delete()
                _apply_daily(cursor, rollup, None, 1)
                if rollup.lost_sources:
                    _apply_lost(cursor, rollup, None, 1)
        if RetailerProductSales in only:
            RetailerProductSales.objects.all().delete()
            replace = {m: f"excluded.{m}" for m in PAIR_MEASURES}
            _upsert(
                cursor,
                table=RetailerProductSales._meta.db_table,
                keys=PAIR_KEYS,
                source=pair_source(),
                measures=replace,
            )
        _bump_version()
