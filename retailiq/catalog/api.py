import django_filters
from rest_framework import serializers, viewsets

from retailiq.api.filters import BoundedFilterSet, IdFilter

from .models import Product, Vendor
from .selectors import product_list_for_user, vendor_list_for_user


class VendorOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "code", "name", "kind", "city", "is_active"]


class ProductOutputSerializer(serializers.ModelSerializer):
    vendor = serializers.CharField(source="vendor.code")
    category = serializers.CharField(source="category.name", default=None, allow_null=True)
    department = serializers.CharField(source="category.parent.name", default=None, allow_null=True)
    brand = serializers.CharField(source="brand.name", default=None, allow_null=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "vendor",
            "department",
            "category",
            "brand",
            "unit_price",
            "pack_size",
            "unit_volume",
            "shelf_life_days",
            "launched_on",
            "is_active",
        ]


class ProductFilter(BoundedFilterSet):
    vendor = django_filters.CharFilter(field_name="vendor__code")
    category = IdFilter(field_name="category_id")
    min_price = django_filters.NumberFilter(field_name="unit_price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="unit_price", lookup_expr="lte")

    class Meta:
        model = Product
        fields = ["vendor", "category", "brand", "is_active"]


class VendorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VendorOutputSerializer
    search_fields = ["name", "code"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return vendor_list_for_user(user=self.request.user)


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProductOutputSerializer
    filterset_class = ProductFilter
    search_fields = ["sku", "name"]
    ordering_fields = ["sku", "name", "unit_price", "launched_on"]
    ordering = ["sku"]

    def get_queryset(self):
        return product_list_for_user(user=self.request.user)
