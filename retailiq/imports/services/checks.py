"""Checks that need the whole file or the database, run on the staged lines after the
file has been read: duplicates within the file, lines that contradict their order, and
references the import may not create. Each failing line becomes an issue and leaves
the staging table; lines of orders already in the database are counted and dropped."""

from dataclasses import dataclass

from django.db import connection

from .bulk import bulk_memory, hash_joins_only
from .timing import timed

STAGED = "imports_stagedline"
ISSUES = "imports_importissue"


@dataclass(frozen=True)
class CheckPolicy:
    auto_create_retailers: bool
    auto_create_products: bool
    header_of: dict[str, str]  # RetailIQ field -> the file's column header


def _text(expression: str) -> str:
    return f"CAST({expression} AS TEXT)"


def _record(cursor, batch_id: int, *, column: str, value_sql: str, reason_sql: str, source_sql: str, params) -> None:
    cursor.execute(
        f"""
        INSERT INTO {ISSUES} (batch_id, line_number, "column", value, reason, severity, row)
        SELECT %s, line_number, %s, {value_sql}, {reason_sql}, 'error', NULL FROM ({source_sql}) failing
        """,
        [batch_id, column, *params],
    )


# Every mapped value of a staged line (all NOT NULL, so equality and grouping agree).
LINE_VALUES = (
    "order_id", "kind", "ordered_at", "retailer_id", "sku", "vendor_code", "quantity", "unit_price",
    "discount_rate", "on_promotion", "warehouse",
)  # fmt: skip


def check_duplicates(cursor, batch_id: int, policy: CheckPolicy) -> None:
    """A line identical to an earlier one in every mapped value is a duplicate. (Finding
    candidates first by grouping on order and SKU was measured slower than this one sort.)"""
    source = f"""
        SELECT line_number, order_id, MIN(line_number) OVER (PARTITION BY {", ".join(LINE_VALUES)}) AS first_line
        FROM {STAGED} WHERE batch_id = %s
    """
    _record(
        cursor,
        batch_id,
        column=policy.header_of.get("order_id", ""),
        value_sql="order_id",
        reason_sql=f"'duplicate line: the same as line ' || {_text('first_line')}",
        source_sql=f"SELECT * FROM ({source}) d WHERE line_number <> first_line",
        params=[batch_id],
    )


def check_order_consistency(cursor, batch_id: int, policy: CheckPolicy) -> None:
    """Every line of an order names the order's retailer (that of its first line). Orders
    naming one retailer throughout (nearly all) are set aside by a grouping first."""
    source = f"""
        SELECT line_number, retailer_id, first_retailer, first_line FROM (
            SELECT line_number, retailer_id,
                   FIRST_VALUE(retailer_id) OVER (PARTITION BY order_id ORDER BY line_number) AS first_retailer,
                   FIRST_VALUE(line_number) OVER (PARTITION BY order_id ORDER BY line_number) AS first_line
            FROM {STAGED} WHERE batch_id = %s AND order_id IN (
                SELECT order_id FROM {STAGED} WHERE batch_id = %s
                GROUP BY order_id HAVING MIN(retailer_id) <> MAX(retailer_id))
        ) o WHERE retailer_id <> first_retailer
    """
    _record(
        cursor,
        batch_id,
        column=policy.header_of.get("retailer_id", ""),
        value_sql="retailer_id",
        reason_sql=f"'order belongs to retailer ' || first_retailer || ' (line ' || {_text('first_line')} || ')'",
        source_sql=source,
        params=[batch_id, batch_id],
    )


def check_existing_orders(cursor, batch_id: int, policy: CheckPolicy) -> None:
    """An order already in the database under another retailer is a conflict."""
    source = f"""
        SELECT s.line_number, s.order_id, r.code AS owner FROM {STAGED} s
        JOIN orders_order o ON o.external_id = s.order_id
        JOIN retailers_retailer r ON r.id = o.retailer_id
        WHERE s.batch_id = %s AND r.code <> s.retailer_id
    """
    _record(
        cursor,
        batch_id,
        column=policy.header_of.get("order_id", ""),
        value_sql="order_id",
        reason_sql="'order already recorded for retailer ' || owner",
        source_sql=source,
        params=[batch_id],
    )


def check_references(cursor, batch_id: int, policy: CheckPolicy) -> None:
    if not policy.auto_create_retailers:
        _record(
            cursor,
            batch_id,
            column=policy.header_of.get("retailer_id", ""),
            value_sql="retailer_id",
            reason_sql="'unknown retailer (creating retailers is switched off)'",
            source_sql=f"""SELECT s.line_number, s.retailer_id FROM {STAGED} s WHERE s.batch_id = %s
                AND NOT EXISTS (SELECT 1 FROM retailers_retailer r WHERE r.code = s.retailer_id)""",
            params=[batch_id],
        )
    if not policy.auto_create_products:
        _record(
            cursor,
            batch_id,
            column=policy.header_of.get("sku", ""),
            value_sql="sku",
            reason_sql="'unknown product (creating products is switched off)'",
            source_sql=f"""SELECT s.line_number, s.sku FROM {STAGED} s WHERE s.batch_id = %s
                AND NOT EXISTS (SELECT 1 FROM catalog_product p JOIN catalog_vendor v ON v.id = p.vendor_id
                                WHERE v.code = s.vendor_code AND p.sku = s.sku)""",
            params=[batch_id],
        )
    _record(
        cursor,
        batch_id,
        column=policy.header_of.get("warehouse", ""),
        value_sql="warehouse",
        reason_sql="'unknown warehouse'",
        source_sql=f"""SELECT s.line_number, s.warehouse FROM {STAGED} s WHERE s.batch_id = %s AND s.warehouse <> ''
            AND NOT EXISTS (SELECT 1 FROM inventory_warehouse w WHERE w.code = s.warehouse)""",
        params=[batch_id],
    )


def drop_failed_lines(cursor, batch_id: int) -> None:
    """Run under hash_joins_only: with a few failing lines the planner probes the staging
    index once per issue, and that index leads with the order, not the line number, so
    each probe reads the whole batch (minutes on the Online Retail file)."""
    cursor.execute(
        f"""DELETE FROM {STAGED} WHERE batch_id = %s AND EXISTS (
            SELECT 1 FROM {ISSUES} i WHERE i.batch_id = %s AND i.severity = 'error'
            AND i.line_number = {STAGED}.line_number)""",
        [batch_id, batch_id],
    )


def refresh_statistics(cursor) -> None:
    """Freshly loaded staging rows have no planner statistics; without them PostgreSQL
    picks nested loops that take minutes instead of hash joins that take seconds."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {STAGED}")
        cursor.execute(f"ANALYZE {ISSUES}")


def drop_already_present(cursor, batch_id: int) -> int:
    """Lines of orders already in the database (an earlier upload of the same or an
    overlapping file): left as they are, counted, not imported again."""
    cursor.execute(
        f"""DELETE FROM {STAGED} WHERE batch_id = %s
            AND EXISTS (SELECT 1 FROM orders_order o WHERE o.external_id = {STAGED}.order_id)""",
        [batch_id],
    )
    return cursor.rowcount


def run_checks(batch_id: int, policy: CheckPolicy, timings: dict[str, float] | None = None) -> int:
    """Run every check; returns the number of lines already present."""
    timings = {} if timings is None else timings
    with connection.cursor() as cursor:
        bulk_memory(cursor)
        for step in (refresh_statistics, check_duplicates, check_order_consistency, check_existing_orders):
            with timed(timings, step.__name__):
                step(cursor) if step is refresh_statistics else step(cursor, batch_id, policy)
        with timed(timings, "check_references"):
            check_references(cursor, batch_id, policy)
        with timed(timings, "drop_failed_lines"), hash_joins_only(cursor):
            drop_failed_lines(cursor, batch_id)
        with timed(timings, "drop_already_present"):
            return drop_already_present(cursor, batch_id)
