"""Adding one import's orders to the rollups on PostgreSQL, in one pass over its lines.

`services.rollups_apply` runs one upsert per rollup table, each joining the order lines
to their orders and products again and counting distinct orders per key; for a million
lines that is six joins and six upserts of up to a million rows each. Here the batch's
demand lines are read once into a temporary table (the rule is `demand_lines`, as there)
and every rollup's rows are grouped from it. The coarser tables are grouped from finer
ones: the marketplace's days from the retailers' days, the products' days from the
products' days per warehouse (orders without one grouped apart). An order falls on one
day, at one retailer and one warehouse, so no order is counted under two of the finer
keys and the counts add up.

How a table takes its rows depends on what it holds: an empty table (a first import)
one plain INSERT; a table much larger than the batch one upsert on its unique key, as
`services` does (a probe of the key's index per row costs least there); a table whose
unique key the merge dropped for a large batch (see imports.services.merge) an UPDATE of
the keys it holds and an INSERT of the rest. Every table is locked against other writers
first (readers go on), so no key appears between the two.

A retailer x product row holds first and last days and a count of distinct order days,
which the batch alone cannot update: pairs the table already holds are recomputed from
all their lines, as `services` does, and only pairs new to the table take the batch's
rows as they are."""

from django.db import DataError, connection, transaction
from django.db.models import BooleanField, Case, F, Value, When
from django.db.models.expressions import RawSQL

from retailiq.orders.models import Order, OrderLine
from retailiq.orders.selectors import demand_lines, net_value_expression, sale_filter

from .models import (
    MarketplaceDailySales,
    ProductDailySales,
    ProductWarehouseDailySales,
    RetailerDailySales,
    RetailerProductSales,
    VendorRetailerDailySales,
)
from .services import ALL_ROLLUPS, DAILY_MEASURES, PAIR_KEYS, PAIR_MEASURES, PRICE_MEASURES, apply_pairs, pair_source

LINES = "rollup_batch_lines"
HELD_PAIRS = "rollup_batch_held_pairs"
# LINES' value is a line's net value in millionths as a bigint where every line's fits
# (see `_read_lines`), or the exact decimal; a total of it becomes money by `_money`.
MICROS = 1_000_000
# Each measure's total over a group of the batch's lines (is_sale, value, ... are LINES' columns).
LINE_TOTALS = {
    "lines": "COUNT(*)",
    "sold_units": "SUM(CASE WHEN is_sale THEN quantity ELSE 0 END)",
    "returned_units": "SUM(CASE WHEN is_sale THEN 0 ELSE quantity END)",
    "revenue": "SUM(value)",
    "sale_revenue": "SUM(CASE WHEN is_sale THEN value ELSE 0 END)",
    "regular_units": "SUM(CASE WHEN is_sale AND NOT on_promotion THEN quantity ELSE 0 END)",
    "regular_revenue": "SUM(CASE WHEN is_sale AND NOT on_promotion THEN value ELSE 0 END)",
}
PRICED_MEASURES = DAILY_MEASURES + PRICE_MEASURES
# LINES' flags of a line that is the first of its order, of its order and vendor, of its
# order and product. An order falls on one day, at one retailer and one warehouse, so
# within a rollup's key the first lines of an order x (the key's product or vendor, if
# any) are one per distinct order.
FIRST_OF = {
    "order": "first_of_order",
    "order_vendor": "first_of_order_vendor",
    "order_product": "first_of_order_product",
}


def rollups_add_batch(*, batch_id: int) -> None:
    """Add import `batch_id`'s lines (already written) to every rollup. PostgreSQL only;
    call inside the merge's transaction."""
    with connection.cursor() as cursor:
        # In the order every other write path takes them (services.ALL_ROLLUPS), so an
        # order written meanwhile waits for this import instead of deadlocking with it.
        for model in ALL_ROLLUPS:
            _lock(cursor, model._meta.db_table)
        _drop(cursor, LINES, "rollup_batch_retailer_days", "rollup_batch_product_warehouse_days")
        in_micros = _read_lines(cursor, batch_id)
        retailer_days = _grouped(("retailer_id", "day"), DAILY_MEASURES, FIRST_OF["order"], in_micros)
        # The kept groupings are read whole, by scans and one coarser grouping: statistics
        # would steer no plan there, and gathering them cost 0.3 s for a million lines.
        _keep(cursor, "rollup_batch_retailer_days", retailer_days, analyze=False)
        _write(
            cursor,
            RetailerDailySales,
            ("retailer_id", "day"),
            DAILY_MEASURES,
            "SELECT * FROM rollup_batch_retailer_days",
        )
        _write(
            cursor,
            MarketplaceDailySales,
            ("day",),
            DAILY_MEASURES,
            _summed("rollup_batch_retailer_days", ("day",), DAILY_MEASURES),
        )
        # warehouse_id may be NULL: GROUP BY keeps those orders together, as one key.
        product_days = _grouped(
            ("product_id", "warehouse_id", "day"), PRICED_MEASURES, FIRST_OF["order_product"], in_micros
        )
        _keep(cursor, "rollup_batch_product_warehouse_days", product_days, analyze=False)
        _write(
            cursor,
            ProductWarehouseDailySales,
            ("product_id", "warehouse_id", "day"),
            PRICED_MEASURES,
            "SELECT * FROM rollup_batch_product_warehouse_days WHERE warehouse_id IS NOT NULL",
        )
        _write(
            cursor,
            ProductDailySales,
            ("product_id", "day"),
            PRICED_MEASURES,
            _product_days(cursor),
        )
        _write(
            cursor,
            VendorRetailerDailySales,
            ("vendor_id", "retailer_id", "day"),
            DAILY_MEASURES,
            _grouped(("vendor_id", "retailer_id", "day"), DAILY_MEASURES, FIRST_OF["order_vendor"], in_micros),
        )
        _write_pairs(cursor, batch_id, in_micros)
        _drop(cursor, LINES, "rollup_batch_retailer_days", "rollup_batch_product_warehouse_days")


def _product_days(cursor) -> str:
    """The products' days from their days per warehouse. When no line of the batch names a
    warehouse (a file without the column), each product's day is one row there already:
    taken as it is, since summing a few hundred thousand rows of exact decimals costs a
    second or more for nothing."""
    table = "rollup_batch_product_warehouse_days"
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table} WHERE warehouse_id IS NOT NULL)")
    if cursor.fetchone()[0]:
        return _summed(table, ("product_id", "day"), PRICED_MEASURES)
    return f"SELECT product_id, day, {', '.join(PRICED_MEASURES)} FROM {table}"


def _drop(cursor, *tables: str) -> None:
    for table in tables:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _read_lines(cursor, batch_id: int) -> bool:
    """The one pass over the batch's lines: one row per demand line with every key and
    measure the rollups take, and which line is the first of its order, of its order and
    vendor, and of its order and product (one sort of the batch by order, vendor and
    product). A rollup counts an order once per key by counting the first line of the
    order within that key: a plain count, where COUNT(DISTINCT order_id) sorts each key's
    lines apart (most of the rollups' time when the keys are nearly as many as the lines).

    A line's value (units x a price in cents x one minus a discount in ten-thousandths)
    has six decimals, so in millionths it is a whole number: a bigint where it fits, and
    the sums of bigints are as exact as those of decimals at a fraction of the cost (1.5 s
    less over a million lines, in four groupings). A value over 9.2 trillion does not fit:
    then the lines are read again with exact decimals. Returns whether they are in millionths."""
    lines = (
        demand_lines(OrderLine.objects.filter(order__import_batch_id=batch_id))
        .values(
            "order_id",
            "product_id",
            "retailer_id",
            "quantity",
            "on_promotion",
            warehouse_id=F("order__warehouse_id"),
            vendor_id=F("product__vendor_id"),
            day=F("placed_on"),
            is_sale=Case(When(sale_filter(), then=Value(True)), default=Value(False), output_field=BooleanField()),
            value=net_value_expression(),
        )
        .order_by()  # the lines' default ordering would sort them by the order's time for nothing
    )
    sql, params = lines.query.sql_with_params()
    try:
        with transaction.atomic():  # a savepoint: an overflow leaves no table behind
            _create_lines(cursor, sql, params, value=f"(value * {MICROS})::bigint")
        return True
    except DataError:
        _create_lines(cursor, sql, params, value="value")
        return False


def _create_lines(cursor, sql: str, params, *, value: str) -> None:
    # The order is read only for the flags: the rollups group by the other keys.
    keys = ("product_id", "retailer_id", "warehouse_id", "vendor_id", "day")
    measures = ("quantity", "on_promotion", "is_sale")
    previous = {name: f"LAG({name}) OVER w" for name in ("order_id", "vendor_id", "product_id")}
    cursor.execute(
        f"CREATE TEMPORARY TABLE {LINES} AS SELECT {', '.join(keys + measures)}, {value} AS value, "
        f"order_id IS DISTINCT FROM {previous['order_id']} AS {FIRST_OF['order']}, "
        f"(order_id, vendor_id) IS DISTINCT FROM ({previous['order_id']}, {previous['vendor_id']}) "
        f"AS {FIRST_OF['order_vendor']}, "
        f"(order_id, product_id) IS DISTINCT FROM ({previous['order_id']}, {previous['product_id']}) "
        f"AS {FIRST_OF['order_product']} "
        f"FROM ({sql}) d WINDOW w AS (ORDER BY order_id, vendor_id, product_id)",
        params,
    )
    # The statistics the groupings' plans read: how many keys, how many sale lines.
    cursor.execute(f"ANALYZE {LINES} ({', '.join(keys)}, is_sale)")


def _grouped(keys: tuple[str, ...], measures: tuple[str, ...], first_line: str, in_micros: bool) -> str:
    """Rows per key from the batch's lines. Orders are counted by `first_line`, the flag of
    the first line of each order within the key (an order is a sale or a return as a
    whole, so its first line says which)."""
    names = ", ".join(keys)
    counted = {
        "orders": f"COUNT(*) FILTER (WHERE {first_line})",
        "sale_orders": f"COUNT(*) FILTER (WHERE {first_line} AND is_sale)",
        **{m: _money(total, in_micros) if m.endswith("revenue") else total for m, total in LINE_TOTALS.items()},
    }
    totals = ", ".join(f"{counted[m]} AS {m}" for m in measures)
    return f"SELECT {names}, {totals} FROM {LINES} GROUP BY {names}"


def _money(total: str, in_micros: bool) -> str:
    """A total of LINES' value as money: exact, six decimals (the rollups' scale)."""
    return f"{total} * {1 / MICROS:.6f}" if in_micros else total


def _summed(table: str, keys: tuple[str, ...], measures: tuple[str, ...]) -> str:
    """A coarser key's rows from a finer key's: every measure adds up, orders included,
    as no order is counted under two of the finer keys."""
    names = ", ".join(keys)
    return f"SELECT {names}, {', '.join(f'SUM({m}) AS {m}' for m in measures)} FROM {table} GROUP BY {names}"


def _keep(cursor, table: str, sql: str, *, analyze: bool = True) -> None:
    cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {sql}")
    if analyze:
        cursor.execute(f"ANALYZE {table}")


def _holds_rows(cursor, table: str) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
    return bool(cursor.fetchone()[0])


def _lock(cursor, table: str) -> None:
    """Self-exclusive and against every writer, not readers: no key appears between an
    UPDATE and its INSERT (an order written meanwhile waits for this import's commit)."""
    cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def _has_unique_key(cursor, table: str) -> bool:
    """False while a large batch has the key dropped (see the module's docstring)."""
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u')", [table]
    )
    return bool(cursor.fetchone()[0])


def _write(cursor, model, keys: tuple[str, ...], measures: tuple[str, ...], source: str) -> None:
    """Add the source's rows (keys, then measures) to `model`'s table. An empty table (a
    first import) takes one plain INSERT; a table holding rows one upsert on its unique
    key, which probes the key's index per row (cheapest when the batch is small beside
    the table); a table whose key a large batch dropped an UPDATE of the keys it holds
    and an INSERT of the others."""
    table = model._meta.db_table
    columns = ", ".join(keys + measures)
    if not _holds_rows(cursor, table):
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({source}) d")
        return
    if _has_unique_key(cursor, table):
        added = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in measures)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({source}) d "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
        )
        return
    _drop(cursor, "rollup_batch_rows")
    _keep(cursor, "rollup_batch_rows", source)
    same_key = " AND ".join(f"t.{k} = d.{k}" for k in keys)
    added = ", ".join(f"{m} = t.{m} + d.{m}" for m in measures)
    cursor.execute(f"UPDATE {table} t SET {added} FROM rollup_batch_rows d WHERE {same_key}")
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM rollup_batch_rows d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same_key})"
    )
    _drop(cursor, "rollup_batch_rows")


def _write_pairs(cursor, batch_id: int, in_micros: bool) -> None:
    table = RetailerProductSales._meta.db_table
    if _holds_rows(cursor, table):
        if _has_unique_key(cursor, table):
            # The touched pairs recomputed from all their lines in one upsert, new pairs included.
            apply_pairs(cursor, Order.objects.filter(import_batch_id=batch_id), +1)
            return
        _recompute_held_pairs(cursor, table)
    pairs = (
        "SELECT retailer_id, product_id, MIN(day) AS first_order_on, MAX(day) AS last_order_on, "
        f"COUNT(*) FILTER (WHERE {FIRST_OF['order_product']}) AS orders, COUNT(DISTINCT day) AS order_days, "
        "COUNT(*) AS lines, "
        f"SUM(quantity) AS units, {_money('SUM(value)', in_micros)} AS revenue "
        f"FROM {LINES} WHERE is_sale GROUP BY retailer_id, product_id"
    )
    columns = ", ".join(PAIR_KEYS + PAIR_MEASURES)
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({pairs}) d "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.retailer_id = d.retailer_id AND t.product_id = d.product_id)"
    )


def _recompute_held_pairs(cursor, table: str) -> None:
    """Pairs the table holds that the batch adds to, from all their lines (the batch's
    included, as they are written): what `services` does for every touched pair. The
    pairs are listed once from the batch's lines, so the order lines are read in one
    hash join with that list (as a correlated test per line, 28 s for 200,000 lines
    onto a million)."""
    _drop(cursor, HELD_PAIRS)
    _keep(
        cursor,
        HELD_PAIRS,
        f"SELECT DISTINCT retailer_id, product_id FROM {LINES} d WHERE is_sale "
        f"AND EXISTS (SELECT 1 FROM {table} t WHERE t.retailer_id = d.retailer_id AND t.product_id = d.product_id)",
    )
    held = RawSQL(
        f"EXISTS (SELECT 1 FROM {HELD_PAIRS} h WHERE h.retailer_id = {OrderLine._meta.db_table}.retailer_id "
        f"AND h.product_id = {OrderLine._meta.db_table}.product_id)",
        [],
        output_field=BooleanField(),
    )
    sql, params = pair_source(OrderLine.objects.alias(held=held).filter(held=True)).query.sql_with_params()
    replaced = ", ".join(f"{m} = d.{m}" for m in PAIR_MEASURES)
    cursor.execute(
        f"UPDATE {table} t SET {replaced} FROM ({sql}) d WHERE t.retailer_id = d.k0 AND t.product_id = d.k1",
        params,
    )
    _drop(cursor, HELD_PAIRS)
