"""The set-based merge of a batch's checked staging rows into the marketplace: vendors,
categories and brands (few, in Python), then retailers, products, orders and order lines
each with one INSERT ... SELECT. Only inserts: nothing already recorded is changed."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from retailiq.catalog.models import Brand, Category, Vendor
from retailiq.retailers.models import Segment

from .timing import timed

STAGED = "imports_stagedline"
IMPORTED_DEPARTMENT = "Imported"


@dataclass
class MergeResult:
    vendors: int = 0
    retailers: int = 0
    products: int = 0
    orders: int = 0
    lines: int = 0
    sale_lines: int = 0
    return_lines: int = 0
    sale_revenue: float = 0.0
    return_revenue: float = 0.0


def merge_batch(batch_id: int, timings: dict[str, float] | None = None) -> MergeResult:
    """Call inside a transaction: a failure part-way leaves nothing behind."""
    now = timezone.now()
    result = MergeResult()
    timings = {} if timings is None else timings
    with connection.cursor() as cursor:
        with timed(timings, "merge_vendors"):
            result.vendors = _merge_vendors(cursor, batch_id)
        with timed(timings, "merge_retailers"):
            result.retailers = _merge_retailers(cursor, batch_id, now)
        with timed(timings, "merge_products"):
            _ensure_categories_and_brands(cursor, batch_id)
            result.products = _merge_products(cursor, batch_id, now)
        with timed(timings, "merge_orders"):
            result.orders = _merge_orders(cursor, batch_id, now)
        with timed(timings, "merge_lines"):
            result.lines = _merge_lines(cursor, batch_id)
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
    return result


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
                                        is_active, created_at, updated_at, import_batch_id)
        SELECT s.retailer_id,
               COALESCE(NULLIF(MAX(s.retailer_name), ''), 'Retailer ' || s.retailer_id),
               COALESCE(NULLIF(MAX(s.retailer_city), ''), 'Unknown'),
               COALESCE(NULLIF(MAX(s.retailer_region), ''), NULLIF(MAX(s.retailer_country), ''), 'Unknown'),
               MAX(s.retailer_country),
               CASE WHEN MAX(s.retailer_segment) IN ({placeholders}) THEN MAX(s.retailer_segment) ELSE %s END,
               {_as_date("MIN(s.ordered_at)")}, 0, TRUE, %s, %s, %s
        FROM {STAGED} s
        WHERE s.batch_id = %s
          AND NOT EXISTS (SELECT 1 FROM retailers_retailer r WHERE r.code = s.retailer_id)
        GROUP BY s.retailer_id
        """,
        [*segments, Segment.KIRANA, now, now, batch_id, batch_id],
    )
    return cursor.rowcount


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
