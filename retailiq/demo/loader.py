"""Write a generated marketplace into the database in one transaction.

Rows carry the ids the generator gave them, so parents and children load without a
round trip per row: PostgreSQL takes each table through COPY, other databases through
one executemany per batch. Sequences are moved past the loaded ids afterwards.
"""

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from retailiq.accounts.models import Role, User
from retailiq.catalog.models import Brand, Category, Product, Vendor
from retailiq.events.models import CalendarEvent, Promotion
from retailiq.inventory.models import StockLevel, StockoutPeriod, Warehouse
from retailiq.orders.models import Order, OrderLine
from retailiq.retailers.models import Retailer

from .generator import DemoMarketplace

DEMO_PASSWORD = "retailiq-demo"
BATCH = 20_000


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


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


def _column_values(model: type[models.Model], field_name: str, series: pd.Series) -> list:
    model_field = model._meta.get_field(field_name)
    values = [_python(v) for v in series.astype(object).tolist()]
    ops = connection.ops
    if isinstance(model_field, models.DateTimeField):
        return [None if v is None else ops.adapt_datetimefield_value(v) for v in values]
    if isinstance(model_field, models.DateField):
        return [None if v is None else ops.adapt_datefield_value(v) for v in values]
    return values


def bulk_load(model: type[models.Model], frame: pd.DataFrame, columns: dict[str, str]) -> int:
    """Insert `frame` into `model`'s table. `columns` maps model field name -> frame column."""
    if frame.empty:
        return 0
    table = model._meta.db_table
    db_columns = [model._meta.get_field(name).column for name in columns]
    values = [_column_values(model, name, frame[col]) for name, col in columns.items()]
    rows: Iterable[tuple] = zip(*values, strict=True)
    quoted = ", ".join(connection.ops.quote_name(c) for c in db_columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(db_columns))
            sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"
            rows = list(rows)
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
    return len(frame)


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
        wipe(OrderLine, Order, StockoutPeriod, StockLevel, Promotion.products.through, Promotion, CalendarEvent)
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
    logins = pd.DataFrame(
        [
            {"username": "analyst", "first_name": "Asha", "last_name": "Analyst", "role": Role.ANALYST},
            {
                "username": "retailer",
                "first_name": retailers["name"].iat[0],
                "last_name": "",
                "role": Role.RETAILER,
                "retailer_id": int(retailers["id"].iat[0]),
            },
            {
                "username": "retailer2",
                "first_name": retailers["name"].iat[1],
                "last_name": "",
                "role": Role.RETAILER,
                "retailer_id": int(retailers["id"].iat[1]),
            },
            {
                "username": "vendor",
                "first_name": vendors["name"].iat[0],
                "last_name": "",
                "role": Role.VENDOR,
                "vendor_id": int(vendors["id"].iat[0]),
            },
            {
                "username": "vendor2",
                "first_name": vendors["name"].iat[1],
                "last_name": "",
                "role": Role.VENDOR,
                "vendor_id": int(vendors["id"].iat[1]),
            },
        ]
    )
    logins = logins.assign(
        id=np.arange(reps["id"].max() + 1, reps["id"].max() + 1 + len(logins)), is_staff=False, is_superuser=False
    )
    for frame in (reps, logins):
        frame["password"] = password_hash
        frame["email"] = frame["username"] + "@demo.retailiq.example"
        frame["is_active"] = True
        frame["date_joined"] = pd.Timestamp(market.start, tz="UTC")
    return reps, logins


USER_COLUMNS = {
    c: c
    for c in [
        "id",
        "username",
        "first_name",
        "last_name",
        "email",
        "password",
        "role",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
    ]
}


def load_marketplace(market: DemoMarketplace, *, reset: bool = False) -> LoadReport:
    started = time.perf_counter()
    if marketplace_row_count() and not reset:
        raise MarketplaceNotEmpty(
            "The database already holds marketplace data. Pass --reset to replace it "
            "(this deletes every order, product, retailer and non-admin user)."
        )
    catalog, history = market.catalog, market.history
    report = LoadReport()
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        if reset:
            delete_marketplace()
        reps, logins = _users(market, password_hash)
        now = pd.Timestamp(dt.datetime.now(dt.UTC))

        def stamped(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.assign(created_at=now, updated_at=now)

        load = report.rows.__setitem__
        load(
            "vendors",
            bulk_load(
                Vendor,
                stamped(catalog.vendors.assign(is_active=True)),
                {f: f for f in ["id", "code", "name", "kind", "city", "is_active", "created_at", "updated_at"]},
            ),
        )
        load(
            "categories",
            bulk_load(
                Category,
                catalog.categories.astype({"parent_id": "Int64"}),
                {"id": "id", "name": "name", "slug": "slug", "parent": "parent_id"},
            ),
        )
        load("brands", bulk_load(Brand, catalog.brands, {"id": "id", "name": "name", "vendor": "vendor_id"}))
        load(
            "products",
            bulk_load(
                Product,
                stamped(catalog.products),
                {
                    **{
                        f: f
                        for f in [
                            "id",
                            "sku",
                            "name",
                            "unit_price",
                            "pack_size",
                            "unit_volume",
                            "shelf_life_days",
                            "launched_on",
                            "is_active",
                            "created_at",
                            "updated_at",
                        ]
                    },
                    "vendor": "vendor_id",
                    "category": "category_id",
                    "brand": "brand_id",
                },
            ),
        )
        load(
            "warehouses",
            bulk_load(
                Warehouse,
                stamped(catalog.warehouses.assign(is_active=True)),
                {
                    f: f
                    for f in [
                        "id",
                        "code",
                        "name",
                        "city",
                        "region",
                        "capacity_volume",
                        "is_active",
                        "created_at",
                        "updated_at",
                    ]
                },
            ),
        )
        bulk_load(User, reps, USER_COLUMNS)
        retailers = catalog.retailers.assign(
            assigned_rep_id=reps["id"].to_numpy()[catalog.retailers["rep_index"].to_numpy()], is_active=True
        )
        load(
            "retailers",
            bulk_load(
                Retailer,
                stamped(retailers),
                {
                    **{
                        f: f
                        for f in [
                            "id",
                            "code",
                            "name",
                            "city",
                            "region",
                            "country",
                            "segment",
                            "onboarded_on",
                            "credit_limit",
                            "is_active",
                            "created_at",
                            "updated_at",
                        ]
                    },
                    "assigned_rep": "assigned_rep_id",
                },
            ),
        )
        bulk_load(
            User,
            logins.astype({"retailer_id": "Int64", "vendor_id": "Int64"}),
            {**USER_COLUMNS, "retailer": "retailer_id", "vendor": "vendor_id"},
        )
        load("users", len(reps) + len(logins))
        load(
            "calendar_events",
            bulk_load(
                CalendarEvent,
                market.events.assign(region="", id=np.arange(1, len(market.events) + 1)),
                {f: f for f in ["id", "name", "kind", "starts_on", "ends_on", "region"]},
            ),
        )
        load(
            "promotions",
            bulk_load(
                Promotion,
                history.promotions.assign(region=""),
                {
                    **{f: f for f in ["id", "name", "discount_rate", "starts_on", "ends_on", "region"]},
                    "vendor": "vendor_id",
                },
            ),
        )
        through = Promotion.products.through
        bulk_load(through, history.promotion_products, {"promotion": "promotion_id", "product": "product_id"})
        load(
            "stock_levels",
            bulk_load(
                StockLevel,
                stamped(market.stock_levels),
                {
                    **{
                        f: f
                        for f in [
                            "id",
                            "on_hand",
                            "on_order",
                            "lead_time_mean_days",
                            "lead_time_std_days",
                            "holding_cost_rate",
                            "ordering_cost",
                            "min_order_qty",
                            "created_at",
                            "updated_at",
                        ]
                    },
                    "product": "product_id",
                    "warehouse": "warehouse_id",
                },
            ),
        )
        load(
            "stockouts",
            bulk_load(
                StockoutPeriod,
                history.stockouts,
                {
                    "product": "product_id",
                    "warehouse": "warehouse_id",
                    "started_on": "started_on",
                    "ended_on": "ended_on",
                },
            ),
        )
        load(
            "orders",
            bulk_load(
                Order,
                stamped(history.orders),
                {
                    **{
                        f: f
                        for f in [
                            "id",
                            "external_id",
                            "placed_at",
                            "status",
                            "kind",
                            "cancelled_at",
                            "created_at",
                            "updated_at",
                        ]
                    },
                    "retailer": "retailer_id",
                    "warehouse": "warehouse_id",
                    "returns_order": "returns_order_id",
                },
            ),
        )
        load(
            "order_lines",
            bulk_load(
                OrderLine,
                history.lines,
                {
                    **{
                        f: f
                        for f in [
                            "id",
                            "line_number",
                            "quantity",
                            "unit_price",
                            "discount_rate",
                            "on_promotion",
                            "placed_on",
                        ]
                    },
                    "order": "order_id",
                    "product": "product_id",
                    "promotion": "promotion_id",
                    "retailer": "retailer_id",
                },
            ),
        )
        _reset_sequences(
            [
                User,
                Vendor,
                Category,
                Brand,
                Product,
                Warehouse,
                Retailer,
                CalendarEvent,
                Promotion,
                through,
                StockLevel,
                StockoutPeriod,
                Order,
                OrderLine,
            ]
        )
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@demo.retailiq.example", DEMO_PASSWORD, role=Role.ADMIN)
    report.seconds = time.perf_counter() - started
    return report
