"""The set-based merge of a batch's checked staging rows into the marketplace: vendors,
categories and brands (few, in Python), then retailers, products, orders and order lines
each with one INSERT ... SELECT. Only inserts, with one exception: a known retailer's blank contact fields
(person, phone, email) are filled from the file; a contact already set is never changed.

The rollups take the batch in the same transaction. On PostgreSQL a large batch skips
what the set-based steps already guarantee: per-row foreign-key checks at commit (for the
order lines and the rollup rows alike), and row-by-row index maintenance when building
the indexes afresh is cheaper (see bulk.py)."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from retailiq.catalog.models import Brand, Category, Vendor
from retailiq.retailers.models import Retailer, Segment
from retailiq.rollups.services import ALL_ROLLUPS, rollups_apply_batch

from .bulk import (
    bulk_memory,
    can_skip_row_triggers,
    hash_joins_only,
    refresh_statistics,
    row_triggers_skipped,
    secondary_indexes_rebuilt,
    should_rebuild_indexes,
)
from .timing import timed

STAGED = "imports_stagedline"
IMPORTED_DEPARTMENT = "Imported"


@dataclass
class MergeResult:
    vendors: int = 0
    retailers: int = 0
    retailer_contacts_filled: int = 0
    products: int = 0
    orders: int = 0
    lines: int = 0
    sale_lines: int = 0
    return_lines: int = 0
    sale_revenue: float = 0.0
    return_revenue: float = 0.0


def merge_batch(batch_id: int, timings: dict[str, float] | None = None) -> MergeResult:
    """Call inside a transaction: a failure part-way leaves nothing behind. The rollups
    take the batch's lines in the same transaction (see _merge_orders_and_lines)."""
    now = timezone.now()
    result = MergeResult()
    timings = {} if timings is None else timings
    with connection.cursor() as cursor:
        bulk_memory(cursor)
        with timed(timings, "merge_vendors"):
            result.vendors = _merge_vendors(cursor, batch_id)
        with timed(timings, "merge_retailers"):
            result.retailers = _merge_retailers(cursor, batch_id, now)
            result.retailer_contacts_filled = _fill_blank_contacts(cursor, batch_id, now)
        with timed(timings, "merge_products"):
            _ensure_categories_and_brands(cursor, batch_id)
            result.products = _merge_products(cursor, batch_id, now)
            refresh_statistics(cursor, "catalog_product")
        _merge_orders_and_lines(cursor, batch_id, now, result, timings)
        with timed(timings, "merge_finish"):
            batch_merged(cursor, batch_id, result)
    return result


def batch_merged(cursor, batch_id: int, result: MergeResult) -> None:
    """The merge's last step: the batch's orders and lines are in orders_order and
    orders_orderline (their `import_batch_id` / order ids name them), the staging rows
    still hold the batch, and the transaction is still open. Whatever is kept in step
    with order lines per batch is updated here, so it commits or rolls back with them."""
    cursor.execute(
        f"""SELECT kind, COUNT(*), COALESCE(SUM(quantity * unit_price), 0) FROM {STAGED}
            WHERE batch_id = %s GROUP BY kind""",
        [batch_id],
    )
    for kind, lines, revenue in cursor.fetchall():
        if kind == "return":
            result.return_lines, result.return_revenue = lines, float(revenue)
        else:
            result.sale_lines, result.sale_revenue = lines, float(revenue)


class MergeIncomplete(RuntimeError):
    """Fewer order lines were written than were staged: a retailer, product or warehouse
    the batch refers to disappeared while it ran. The transaction rolls back; a rerun
    checks the file against the database as it is then."""


def _merge_orders_and_lines(cursor, batch_id: int, now, result: MergeResult, timings: dict[str, float]) -> None:
    """Foreign keys are verified set-based: every reference is locked against deletion
    first, the inserts join on them, and the count of lines written must equal the count
    staged. That leaves the per-row checks at commit nothing to find, so on PostgreSQL
    they are skipped where the role may (see bulk.row_triggers_skipped)."""
    staged_lines = _count(cursor, f"SELECT COUNT(*) FROM {STAGED} WHERE batch_id = %s", batch_id)
    staged_orders = 0
    if staged_lines >= settings.RETAILIQ_IMPORT_REBUILD_INDEXES_MIN_ROWS:
        # DISTINCT in a subquery is hashed; COUNT(DISTINCT ...) sorts a million order ids.
        staged_orders = _count(
            cursor, f"SELECT COUNT(*) FROM (SELECT DISTINCT order_id FROM {STAGED} WHERE batch_id = %s) o", batch_id
        )
    skip = can_skip_row_triggers(cursor)
    if skip:  # otherwise each row's trigger takes the same locks
        with timed(timings, "merge_lock_references"):
            lock_references(cursor, batch_id)
    with row_triggers_skipped(cursor, skip=skip):
        rebuild = should_rebuild_indexes(cursor, "orders_order", new_rows=staged_orders)
        with (
            secondary_indexes_rebuilt(cursor, "orders_order", rebuild=rebuild, timings=timings),
            timed(timings, "merge_orders"),
            hash_joins_only(cursor),
        ):
            result.orders = _merge_orders(cursor, batch_id, now)
        refresh_statistics(cursor, "orders_order")
        rebuild = should_rebuild_indexes(cursor, "orders_orderline", new_rows=staged_lines)
        # The unique (order, line number) key too: the lines go to orders created just
        # above and are numbered by ROW_NUMBER, so no key can repeat, and adding the key
        # back checks every row anyway; built once it costs a fraction of a probe per line.
        # And the primary key, which no foreign key references: ids come from the identity.
        with (
            secondary_indexes_rebuilt(
                cursor, "orders_orderline", rebuild=rebuild, timings=timings, unique_too=True, primary_too=True
            ),
            timed(timings, "merge_lines"),
            hash_joins_only(cursor),
        ):
            result.lines = _merge_lines(cursor, batch_id)
        if result.lines != staged_lines:
            raise MergeIncomplete(
                f"{staged_lines - result.lines:,} of {staged_lines:,} checked lines lost their retailer, product or "
                "warehouse while the import ran; nothing was written. Run the import again."
            )
        # The rollups' statements join the lines just written: without fresh statistics
        # the planner sees the table as it was (empty, for a first import) and loops.
        refresh_statistics(cursor, "orders_orderline")
        # Inside the block: each rollup row points at a retailer, product, warehouse or
        # vendor that is locked above or was created in this transaction, so its per-row
        # check at commit (one per rollup row, about as many as the lines) would find nothing.
        with _rollup_indexes_rebuilt(cursor, staged_lines, timings), timed(timings, "merge_rollups"):
            rollups_apply_batch(batch_id=batch_id, sign=+1)


@contextmanager
def _rollup_indexes_rebuilt(cursor, staged_lines: int, timings: dict[str, float]) -> Iterator[None]:
    """A rollup table takes up to a row per line of the batch, so the same rule as for the
    order lines decides whether its indexes are built afresh, its unique and primary keys
    included (no foreign key points at a rollup row):
    on PostgreSQL a batch's rollup rows are written by plain UPDATE and INSERT on the
    locked table, each key once, with no conflict for the key to arbitrate (see
    retailiq.rollups.batch); adding the key back checks every row."""
    with ExitStack() as stack:
        for model in ALL_ROLLUPS:
            table = model._meta.db_table
            rebuild = should_rebuild_indexes(cursor, table, new_rows=staged_lines)
            stack.enter_context(
                secondary_indexes_rebuilt(
                    cursor, table, rebuild=rebuild, timings=timings, unique_too=True, primary_too=True
                )
            )
        yield


def lock_references(cursor, batch_id: int) -> None:
    """Share-lock (FOR KEY SHARE, as a foreign-key check would) every existing row the
    batch's orders and lines will point at, in one statement per table, so none can be
    deleted before this transaction commits. Rows this transaction created need none."""
    if connection.vendor != "postgresql":
        return  # SQLite holds the whole database for the writer
    batch_lines = f"SELECT {{column}} FROM {STAGED} s WHERE s.batch_id = %s"
    statements = (
        f"SELECT 1 FROM retailers_retailer r WHERE r.code IN ({batch_lines.format(column='s.retailer_id')})"
        " FOR KEY SHARE OF r",
        f"SELECT 1 FROM inventory_warehouse w WHERE w.code IN ({batch_lines.format(column='s.warehouse')})"
        " FOR KEY SHARE OF w",
        f"""SELECT 1 FROM catalog_product p JOIN catalog_vendor v ON v.id = p.vendor_id
            WHERE EXISTS (SELECT 1 FROM {STAGED} s WHERE s.batch_id = %s AND s.vendor_code = v.code AND s.sku = p.sku)
            FOR KEY SHARE OF p""",
        f"""SELECT 1 FROM catalog_vendor v WHERE v.code IN ({batch_lines.format(column="s.vendor_code")})
            FOR KEY SHARE OF v""",
        "SELECT 1 FROM imports_importbatch b WHERE b.id = %s FOR KEY SHARE OF b",
    )
    for statement in statements:
        cursor.execute(f"SELECT COUNT(*) FROM ({statement}) locked", [batch_id])


def _count(cursor, sql: str, batch_id: int) -> int:
    cursor.execute(sql, [batch_id])
    return cursor.fetchone()[0]


def _distinct(cursor, batch_id: int, *columns: str) -> list[tuple]:
    names = ", ".join(columns)
    cursor.execute(f"SELECT DISTINCT {names} FROM {STAGED} WHERE batch_id = %s AND {columns[0]} <> ''", [batch_id])
    return cursor.fetchall()


def _merge_vendors(cursor, batch_id: int) -> int:
    known = set(Vendor.objects.values_list("code", flat=True))
    new = {}
    for code, name in _distinct(cursor, batch_id, "vendor_code", "vendor_name"):
        if code not in known and code not in new:
            new[code] = Vendor(code=code, name=name[:200], import_batch_id=batch_id)
    Vendor.objects.bulk_create(new.values())
    return len(new)


def _merge_retailers(cursor, batch_id: int, now) -> int:
    segments = tuple(Segment.values)
    placeholders = ", ".join(["%s"] * len(segments))
    cursor.execute(
        f"""
        INSERT INTO retailers_retailer (code, name, city, region, country, segment, onboarded_on, credit_limit,
                                        is_active, created_at, updated_at, import_batch_id,
                                        contact_name, contact_phone, contact_email)
        SELECT s.retailer_id,
               COALESCE(NULLIF(MAX(s.retailer_name), ''), 'Retailer ' || s.retailer_id),
               COALESCE(NULLIF(MAX(s.retailer_city), ''), 'Unknown'),
               COALESCE(NULLIF(MAX(s.retailer_region), ''), NULLIF(MAX(s.retailer_country), ''), 'Unknown'),
               MAX(s.retailer_country),
               CASE WHEN MAX(s.retailer_segment) IN ({placeholders}) THEN MAX(s.retailer_segment) ELSE %s END,
               {_as_date("MIN(s.ordered_at)")}, 0, TRUE, %s, %s, %s,
               MAX(s.retailer_contact_name), MAX(s.retailer_phone), MAX(s.retailer_email)
        FROM {STAGED} s
        WHERE s.batch_id = %s
          AND NOT EXISTS (SELECT 1 FROM retailers_retailer r WHERE r.code = s.retailer_id)
        GROUP BY s.retailer_id
        """,
        [*segments, Segment.KIRANA, now, now, batch_id, batch_id],
    )
    return cursor.rowcount


# Staging column -> the retailer's field it fills.
CONTACT_COLUMNS = (
    ("retailer_contact_name", "contact_name"),
    ("retailer_phone", "contact_phone"),
    ("retailer_email", "contact_email"),
)


def _fill_blank_contacts(cursor, batch_id: int, now) -> int:
    """Retailers known before this batch whose contact fields are blank take the file's (the greatest value where
    a retailer's lines disagree). Runs after the insert, so new retailers already hold what the file has. One
    grouped read of the staging rows (most files have no contact column: it finds nothing), then the few
    retailers concerned in Python. Returns how many retailers gained at least one contact field."""
    staged = [column for column, _ in CONTACT_COLUMNS]
    cursor.execute(
        f"""SELECT retailer_id, {", ".join(f"MAX({c})" for c in staged)} FROM {STAGED}
            WHERE batch_id = %s AND ({" OR ".join(f"{c} <> ''" for c in staged)}) GROUP BY retailer_id""",
        [batch_id],
    )
    from_file = {row[0]: row[1:] for row in cursor.fetchall()}
    changed = []
    codes = list(from_file)
    for start in range(0, len(codes), 1000):
        for retailer in Retailer.objects.filter(code__in=codes[start : start + 1000]).only(
            "pk", "code", *(field for _, field in CONTACT_COLUMNS)
        ):
            filled = False
            for (_, field), value in zip(CONTACT_COLUMNS, from_file[retailer.code], strict=True):
                if value and not getattr(retailer, field):
                    setattr(retailer, field, value)
                    filled = True
            if filled:
                retailer.updated_at = now
                changed.append(retailer)
    Retailer.objects.bulk_update(changed, [field for _, field in CONTACT_COLUMNS] + ["updated_at"], batch_size=1000)
    return len(changed)


def _merge_products(cursor, batch_id: int, now) -> int:
    """A product's list price is the mean price paid on the file's lines. Category and
    brand are set only on products this batch creates: existing ones keep theirs."""
    cursor.execute(
        f"""
        INSERT INTO catalog_product (vendor_id, sku, name, unit_price, pack_size, unit_volume, launched_on,
                                     is_active, created_at, updated_at, import_batch_id, category_id, brand_id)
        SELECT g.vendor_id, g.sku, g.name, g.unit_price, 1, 1, {_as_date("g.first_at")}, TRUE, %s, %s, %s,
               (SELECT MIN(c.id) FROM catalog_category c WHERE c.name = g.category AND c.parent_id IS NOT NULL),
               (SELECT MIN(b.id) FROM catalog_brand b WHERE b.name = g.brand)
        FROM (
            SELECT v.id AS vendor_id, s.sku, COALESCE(NULLIF(MAX(s.product_name), ''), s.sku) AS name,
                   ROUND(AVG(s.unit_price), 2) AS unit_price, MIN(s.ordered_at) AS first_at,
                   MAX(s.category) AS category, MAX(s.brand) AS brand
            FROM {STAGED} s JOIN catalog_vendor v ON v.code = s.vendor_code
            WHERE s.batch_id = %s
            GROUP BY v.id, s.sku
        ) g
        WHERE NOT EXISTS (SELECT 1 FROM catalog_product p WHERE p.vendor_id = g.vendor_id AND p.sku = g.sku)
        """,
        [now, now, batch_id, batch_id],
    )
    return cursor.rowcount


def _ensure_categories_and_brands(cursor, batch_id: int) -> None:
    """Categories and brands the file names but the catalog lacks; new categories go
    under an "Imported" department (the tree has two levels)."""
    department = None
    for (name,) in _distinct(cursor, batch_id, "category"):
        if Category.objects.filter(name=name, parent__isnull=False).exists():
            continue
        if department is None:
            department, _ = Category.objects.get_or_create(
                parent=None, name=IMPORTED_DEPARTMENT, defaults={"slug": "imported"}
            )
        Category.objects.create(name=name[:120], parent=department, slug=_unique_slug(name))
    for (name,) in _distinct(cursor, batch_id, "brand"):
        Brand.objects.get_or_create(name=name[:120])


def _unique_slug(name: str) -> str:
    base = slugify(f"imported-{name}")[:130] or "imported"
    slug, n = base, 1
    while Category.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _merge_orders(cursor, batch_id: int, now) -> int:
    cursor.execute(
        f"""
        INSERT INTO orders_order (external_id, retailer_id, warehouse_id, placed_at, status, kind, created_at,
                                  updated_at, import_batch_id)
        SELECT s.order_id, r.id, MIN(w.id), MIN(s.ordered_at), 'delivered', MIN(s.kind), %s, %s, %s
        FROM {STAGED} s
        JOIN retailers_retailer r ON r.code = s.retailer_id
        LEFT JOIN inventory_warehouse w ON w.code = s.warehouse
        WHERE s.batch_id = %s
        GROUP BY s.order_id, r.id
        """,
        [now, now, batch_id, batch_id],
    )
    return cursor.rowcount


def _merge_lines(cursor, batch_id: int) -> int:
    """Line numbers follow the file's order within each order."""
    cursor.execute(
        f"""
        INSERT INTO orders_orderline (order_id, line_number, product_id, quantity, unit_price, discount_rate,
                                      on_promotion, retailer_id, placed_on)
        SELECT o.id, ROW_NUMBER() OVER (PARTITION BY o.id ORDER BY s.line_number), p.id, s.quantity,
               s.unit_price, s.discount_rate, s.on_promotion, o.retailer_id, {_as_date("o.placed_at")}
        FROM {STAGED} s
        JOIN orders_order o ON o.external_id = s.order_id AND o.import_batch_id = %s
        JOIN catalog_vendor v ON v.code = s.vendor_code
        JOIN catalog_product p ON p.vendor_id = v.id AND p.sku = s.sku
        WHERE s.batch_id = %s
        """,
        [batch_id, batch_id],
    )
    return cursor.rowcount


def _as_date(expression: str) -> str:
    """The calendar day of a stored timestamp in the marketplace's time zone."""
    if connection.vendor == "postgresql":
        zone = settings.TIME_ZONE.replace("'", "")
        return f"CAST(({expression}) AT TIME ZONE '{zone}' AS DATE)"
    return f"DATE({expression})"
