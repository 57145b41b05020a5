from rest_framework import serializers, viewsets

from .models import PurchaseOrder, PurchaseOrderLine, StockLevel, StockMovement, Warehouse
from .selectors import (
    purchase_order_list_for_user,
    stock_level_list_for_user,
    stock_movement_list_for_user,
    warehouse_list_for_user,
)


class WarehouseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "city", "region", "capacity_volume", "is_active"]


class StockLevelOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "product",
            "sku",
            "warehouse",
            "on_hand",
            "on_order",
            "lead_time_mean_days",
            "lead_time_std_days",
            "holding_cost_rate",
            "ordering_cost",
            "min_order_qty",
        ]


class WarehouseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WarehouseOutputSerializer
    filterset_fields = ["region", "is_active"]
    ordering = ["name"]

    def get_queryset(self):
        return warehouse_list_for_user(user=self.request.user)


class StockLevelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StockLevelOutputSerializer
    filterset_fields = ["warehouse", "product"]
    ordering = ["warehouse", "product"]

    def get_queryset(self):
        return stock_level_list_for_user(user=self.request.user)


class StockMovementOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = StockMovement
        fields = ["id", "product", "sku", "warehouse", "moved_on", "quantity", "kind", "reference",
                  "purchase_order_line"]  # fmt: skip


class StockMovementViewSet(viewsets.ReadOnlyModelViewSet):
    """The stock ledger: receipts, sales issues, returns and adjustments, newest first."""

    serializer_class = StockMovementOutputSerializer
    filterset_fields = {"product": ["exact"], "warehouse": ["exact"], "kind": ["exact"], "moved_on": ["gte", "lte"]}
    ordering = ["-moved_on", "-id"]

    def get_queryset(self):
        return stock_movement_list_for_user(user=self.request.user).order_by("-moved_on", "-id")


class PurchaseOrderLineOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")

    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "product", "sku", "quantity_ordered", "quantity_received", "unit_cost"]


class PurchaseOrderOutputSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")
    lines = PurchaseOrderLineOutputSerializer(many=True)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "vendor", "warehouse", "status", "ordered_on", "promised_on", "first_received_on",
                  "closed_on", "lines"]  # fmt: skip


class PurchaseOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase orders with their lines, newest first: a vendor the ones addressed to it, analysts all."""

    serializer_class = PurchaseOrderOutputSerializer
    filterset_fields = {"status": ["exact"], "vendor": ["exact"], "warehouse": ["exact"], "ordered_on": ["gte", "lte"]}
    ordering = ["-ordered_on", "-id"]

    def get_queryset(self):
        return purchase_order_list_for_user(user=self.request.user).order_by("-ordered_on", "-id")
