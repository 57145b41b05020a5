"""The single-column indexes on the order, order-line and lost-sale keys go: a composite index
or unique key leading with the same column serves every lookup by it, and each index is a write
per row (a million-line import built all nine afresh). Only the indexes are dropped: Django's
AlterField would also drop and re-add each foreign key, which checks every row of the table again
(and rebuilds whole tables on SQLite) for no change. The index names are Django's, the same on
every backend. The keys most rows leave empty (a return's sale, a line's promotion) keep a
partial index, which the deletion of the row they point at reads."""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, index) of each single-column index this migration drops.
DROPPED_INDEXES = (
    ("orders_lostsale", "product_id", "orders_lostsale_product_id_63a2a3d5"),
    ("orders_lostsale", "retailer_id", "orders_lostsale_retailer_id_97087549"),
    ("orders_order", "retailer_id", "orders_order_retailer_id_519d910c"),
    ("orders_order", "returns_order_id", "orders_order_returns_order_id_ea09c234"),
    ("orders_order", "warehouse_id", "orders_order_warehouse_id_110eb3b3"),
    ("orders_orderline", "order_id", "orders_orderline_order_id_17f8f3ef"),
    ("orders_orderline", "product_id", "orders_orderline_product_id_a68772b6"),
    ("orders_orderline", "promotion_id", "orders_orderline_promotion_id_a71cf669"),
    ("orders_orderline", "retailer_id", "orders_orderline_retailer_id_be673c2e"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_product_import_batch_vendor_import_batch"),
        ("events", "0001_initial"),
        ("imports", "0003_staged_retailer_contacts"),
        ("inventory", "0002_ledger_and_purchase_orders"),
        ("orders", "0003_lost_sale"),
        ("retailers", "0003_retailer_contact"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="lostsale",
                    name="product",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lost_sales",
                        to="catalog.product",
                    ),
                ),
                migrations.AlterField(
                    model_name="lostsale",
                    name="retailer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lost_sales",
                        to="retailers.retailer",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="retailer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="retailers.retailer",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="returns_order",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="For a return: the sale it returns goods from, when known.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="returns",
                        to="orders.order",
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="warehouse",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="orders",
                        to="inventory.warehouse",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="order",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="orders.order",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="product",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="order_lines",
                        to="catalog.product",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="promotion",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="order_lines",
                        to="events.promotion",
                    ),
                ),
                migrations.AlterField(
                    model_name="orderline",
                    name="retailer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="order_lines",
                        to="retailers.retailer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for table, column, index in DROPPED_INDEXES
            ],
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("returns_order__isnull", False)),
                fields=["returns_order"],
                name="order_returns_order_set",
            ),
        ),
        migrations.AddIndex(
            model_name="orderline",
            index=models.Index(
                condition=models.Q(("promotion__isnull", False)), fields=["promotion"], name="order_line_promotion_set"
            ),
        ),
    ]
