from rest_framework import serializers, viewsets

from .models import StockLevel, Warehouse
from .selectors import stock_level_list_for_user, warehouse_list_for_user


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
