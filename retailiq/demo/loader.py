"""Write a generated marketplace into the database in one transaction.

Rows carry the ids the generator gave them, so parents and children load without a
round trip per row: PostgreSQL takes each table through COPY, other databases through
one executemany per slice. Each table goes in slices of rows, so the loader's memory does not
grow with the history. Sequences are moved past the loaded ids afterwards.
"""

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from retailiq.accounts.models import Role, User
from retailiq.catalog.models import Brand, Category, Product, Vendor
from retailiq.events.models import CalendarEvent, Promotion
from retailiq.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    StockoutPeriod,
    Warehouse,
)
from retailiq.orders.models import LostSale, Order, OrderLine
from retailiq.retailers.models import Retailer
from retailiq.rollups.services import ALL_ROLLUPS, rollups_rebuild

from .generator import DemoMarketplace

DEMO_PASSWORD = "retailiq-demo"
# Rows turned into Python values at a time: one executemany on SQLite, one stretch of the COPY stream on PostgreSQL.
SLICE_ROWS = 20_000


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Wall seconds of each step: writing the rows (COPY or INSERT, keys re-added), statistics, rollups.
    steps: dict[str, float] = field(default_factory=dict)


class MarketplaceNotEmpty(Exception):
    pass


def _python(value):
    """numpy and pandas scalars -> what database drivers take."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _column_values(model_field: models.Field, series: pd.Series) -> list:
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and (dtype.kind in "iub" or (dtype.kind == "f" and not series.isna().any())):
        # NumPy numbers with nothing missing: tolist() already gives Python ints, floats and bools, about eight
        # times faster than converting value by value (most of a big load's time on the Python side).
        return series.tolist()
    values = [_python(v) for v in series.astype(object).tolist()]
    ops = connection.ops
    if isinstance(model_field, models.DateTimeField):
        return [None if v is None else ops.adapt_datetimefield_value(v) for v in values]
    if isinstance(model_field, models.DateField):
        return [None if v is None else ops.adapt_datefield_value(v) for v in values]
    return values


def _stamped_fields(model: type[models.Model]) -> set[str]:
    return {
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }


def _slice_rows(fields: list[models.Field], frame: pd.DataFrame, now: dt.datetime) -> Iterable[tuple]:
    values = [
        _column_values(f, frame[f.attname] if f.attname in frame.columns else pd.Series([now] * len(frame)))
        for f in fields
    ]
    return zip(*values, strict=True)


def bulk_load(model: type[models.Model], frame: pd.DataFrame, *, slice_rows: int | None = None) -> int:
    """Insert `frame` into `model`'s table. Columns are matched to fields by attribute name
    (`vendor_id` for a foreign key); other columns are ignored, timestamps filled in.

    The frame goes in slices of `slice_rows`: only one slice is ever turned into Python values, so the
    loader's own memory stays flat however long the frame (a whole-frame conversion of `xlarge`'s 16 M
    order lines would be some 175 M Python values at once). On PostgreSQL the slices stream into one COPY."""
    if frame.empty:
        return 0
    slice_rows = slice_rows or SLICE_ROWS
    now = dt.datetime.now(dt.UTC)
    stamped = _stamped_fields(model)
    fields = [f for f in model._meta.concrete_fields if f.attname in frame.columns or f.attname in stamped]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    slices = (frame.iloc[first : first + slice_rows] for first in range(0, len(frame), slice_rows))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for part in slices:
                    for row in _slice_rows(fields, part, now):
                        copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(fields))})"
            for part in slices:
                cursor.executemany(sql, list(_slice_rows(fields, part, now)))
    return len(frame)


@contextmanager
def _foreign_keys_added_after(model_list: list[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, load these tables without their foreign keys and add the keys back afterwards, in the
    same transaction. Adding a key checks every row in one join; kept in place, each COPY'd row queues a deferred
    check in the server (memory growing with the rows) and runs it on its own at commit, most of a big load's
    time. Any row without its parent still fails the load, as before. Other databases keep the keys."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in model_list]
    # ALTER TABLE refuses a table with checks still pending (rows just deleted or written): run them first.
    flush_pending = "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED"
    with connection.cursor() as cursor:
        cursor.execute(flush_pending)
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(flush_pending)
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def marketplace_row_count() -> int:
    return Order.objects.count() + Product.objects.count() + Retailer.objects.count()


def delete_marketplace() -> None:
    """Remove all marketplace data and the non-admin users tied to it. Table by table in
    SQL, children first: the ORM would load every order to cascade."""

    def wipe(*model_list: type[models.Model]) -> None:
        with connection.cursor() as cursor:
            for model in model_list:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")

    with transaction.atomic():
        wipe(
            *ALL_ROLLUPS,
            StockMovement,
            PurchaseOrderLine,
            PurchaseOrder,
            LostSale,
            OrderLine,
            Order,
            StockoutPeriod,
            StockLevel,
            Promotion.products.through,
            Promotion,
            CalendarEvent,
        )
        User.objects.exclude(role=Role.ADMIN).delete()
        wipe(Retailer, Product, Brand, Category, Warehouse, Vendor)


def _users(market: DemoMarketplace, password_hash: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sales reps (loaded before retailers, who point at them) and one login per role."""
    catalog = market.catalog
    first_id = (User.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    reps = catalog.reps.assign(
        id=np.arange(first_id, first_id + len(catalog.reps)),
        role=Role.SALES_REP,
        retailer_id=None,
        vendor_id=None,
        is_staff=False,
        is_superuser=False,
    )
    retailers, vendors = catalog.retailers, catalog.vendors
    analyst = {"username": "analyst", "first_name": "Asha", "last_name": "Analyst", "role": Role.ANALYST}
    # Two logins each for a retailer and a vendor, so isolation can be seen side by side.
    organisation_logins = [
        {
            "username": name,
            "first_name": frame["name"].iat[i],
            "last_name": "",
            "role": role,
            key: int(frame["id"].iat[i]),
        }
        for prefix, frame, role, key in [
            ("retailer", retailers, Role.RETAILER, "retailer_id"),
            ("vendor", vendors, Role.VENDOR, "vendor_id"),
        ]
        for i, name in enumerate([prefix, f"{prefix}2"])
    ]
    logins = pd.DataFrame([analyst, *organisation_logins])
    logins = logins.assign(
        id=np.arange(reps["id"].max() + 1, reps["id"].max() + 1 + len(logins)), is_staff=False, is_superuser=False
    )
    for frame in (reps, logins):
        frame["password"] = password_hash
        frame["email"] = frame["username"] + "@demo.retailiq.example"
        frame["is_active"] = True
        frame["date_joined"] = pd.Timestamp(market.start, tz="UTC")
    return reps, logins


def _refresh_planner_statistics(models: list) -> None:
    """After a bulk load the planner still believes the tables are empty (autovacuum may
    be off or not have run yet) and picks nested loops that take minutes; ANALYZE fixes
    its estimates in well under a second."""
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"ANALYZE {table}")


def _lost_sales(refused: pd.DataFrame) -> pd.DataFrame:
    """The generator's refused lines as LostSale rows (ids in their order, reason stockout)."""
    return refused.rename(columns={"placed_on": "lost_on"}).assign(id=np.arange(1, len(refused) + 1), reason="stockout")


def load_marketplace(market: DemoMarketplace, *, reset: bool = False) -> LoadReport:
    started = time.perf_counter()
    if marketplace_row_count() and not reset:
        raise MarketplaceNotEmpty(
            "The database already holds marketplace data. Pass --reset to replace it "
            "(this deletes every order, product, retailer and non-admin user)."
        )
    catalog, history = market.catalog, market.history
    inventory = history.inventory
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        if reset:
            delete_marketplace()
        reps, logins = _users(market, password_hash)
        retailers = catalog.retailers.assign(
            assigned_rep_id=reps["id"].to_numpy()[catalog.retailers["rep_index"].to_numpy()], is_active=True
        )
        # Parents before children: reps before the retailers they cover, retailers before their logins.
        tables = [
            ("vendors", Vendor, catalog.vendors.assign(is_active=True)),
            ("categories", Category, catalog.categories.astype({"parent_id": "Int64"})),
            ("brands", Brand, catalog.brands),
            ("products", Product, catalog.products),
            ("warehouses", Warehouse, catalog.warehouses.assign(is_active=True)),
            ("sales_reps", User, reps),
            ("retailers", Retailer, retailers),
            ("logins", User, logins.astype({"retailer_id": "Int64", "vendor_id": "Int64"})),
            (
                "calendar_events",
                CalendarEvent,
                market.events.assign(region="", id=np.arange(1, len(market.events) + 1)),
            ),
            ("promotions", Promotion, history.promotions.assign(region="")),
            ("promoted_products", Promotion.products.through, history.promotion_products),
            ("stock_levels", StockLevel, market.stock_levels),
            ("purchase_orders", PurchaseOrder, inventory.purchase_orders),
            ("purchase_order_lines", PurchaseOrderLine, inventory.purchase_order_lines),
            ("stock_movements", StockMovement, inventory.movements),
            ("stockouts", StockoutPeriod, history.stockouts),
            ("orders", Order, history.orders),
            ("order_lines", OrderLine, history.lines),
            # The lines the warehouses refused for want of stock: demand the sales do not show.
            ("lost_sales", LostSale, _lost_sales(history.refused)),
        ]
        with _foreign_keys_added_after([OrderLine, Order, StockMovement]):
            report = LoadReport(rows={name: bulk_load(model, frame) for name, model, frame in tables})
        _reset_sequences(list(dict.fromkeys(model for _, model, _ in tables)))
    report.steps["write"] = time.perf_counter() - started
    # Order lines and lost sales went in by COPY, past the write paths: the rollups are computed once here,
    # after the planner has statistics for the lines.
    step = time.perf_counter()
    _refresh_planner_statistics(list(dict.fromkeys(model for _, model, _ in tables)))
    report.steps["analyze"] = time.perf_counter() - step
    step = time.perf_counter()
    rollups_rebuild()
    _refresh_planner_statistics(list(ALL_ROLLUPS))
    report.steps["rollups"] = time.perf_counter() - step
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@demo.retailiq.example", DEMO_PASSWORD, role=Role.ADMIN)
    report.seconds = time.perf_counter() - started
    return report
