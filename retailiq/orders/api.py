import django_filters
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from retailiq.api.filters import BoundedFilterSet, BoundedIsoDateTimeFilter
from retailiq.api.pagination import DataVersionedCountPagination
from retailiq.api.response_cache import cached_response, url_parts

from .models import LostSale, Order, OrderLine
from .selectors import lost_sale_list_for_user, order_line_list_for_user, order_list_for_user


class OrderLineOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")

    class Meta:
        model = OrderLine
        fields = ["line_number", "product", "sku", "quantity", "unit_price", "discount_rate", "on_promotion"]


class OrderOutputSerializer(serializers.ModelSerializer):
    retailer = serializers.CharField(source="retailer.code")
    warehouse = serializers.CharField(source="warehouse.code", default=None, allow_null=True)
    lines = OrderLineOutputSerializer(many=True)

    class Meta:
        model = Order
        fields = ["id", "external_id", "retailer", "warehouse", "placed_at", "status", "kind", "returns_order", "lines"]


class SalesLineOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    retailer = serializers.CharField(source="retailer.code")
    kind = serializers.CharField(source="order.kind")
    status = serializers.CharField(source="order.status")

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "placed_on",
            "retailer",
            "product",
            "sku",
            "quantity",
            "unit_price",
            "discount_rate",
            "on_promotion",
            "kind",
            "status",
        ]


class LostSaleOutputSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    retailer = serializers.CharField(source="retailer.code")
    warehouse = serializers.CharField(source="warehouse.code", default=None, allow_null=True)

    class Meta:
        model = LostSale
        fields = ["id", "lost_on", "retailer", "product", "sku", "warehouse", "quantity", "reason"]


class OrderFilter(BoundedFilterSet):
    placed_after = BoundedIsoDateTimeFilter(field_name="placed_at", lookup_expr="gte")
    placed_before = BoundedIsoDateTimeFilter(field_name="placed_at", lookup_expr="lt")
    retailer = django_filters.CharFilter(field_name="retailer__code")

    class Meta:
        model = Order
        fields = ["status", "kind", "retailer", "warehouse"]


class SalesLineFilter(BoundedFilterSet):
    placed_after = django_filters.DateFilter(field_name="placed_on", lookup_expr="gte")
    placed_before = django_filters.DateFilter(field_name="placed_on", lookup_expr="lt")
    sku = django_filters.CharFilter(field_name="product__sku")

    class Meta:
        model = OrderLine
        fields = ["product", "on_promotion"]


class LostSaleFilter(BoundedFilterSet):
    placed_after = django_filters.DateFilter(field_name="lost_on", lookup_expr="gte")
    placed_before = django_filters.DateFilter(field_name="lost_on", lookup_expr="lt")
    sku = django_filters.CharFilter(field_name="product__sku")

    class Meta:
        model = LostSale
        fields = ["product", "reason"]


class DataVersionedListMixin:
    """Pages of the list cached whole (retailiq/api/response_cache.py) under the data version, for callers whose
    scope their own row fixes: a vendor, a shop, an analyst. A rep's scope is the shops assigned to it, which an
    edit can move without a new data version, so a rep's pages are computed every time."""

    def list(self, request, *args, **kwargs):
        compute = lambda: super(DataVersionedListMixin, self).list(request, *args, **kwargs)  # noqa: E731
        user = request.user
        if not (user.sees_everything or user.vendor_id or user.retailer_id):
            return compute()
        return cached_response(request, name=self.basename, parts=url_parts(request), compute=compute)


class OrderViewSet(DataVersionedListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrderOutputSerializer
    filterset_class = OrderFilter
    pagination_class = DataVersionedCountPagination
    search_fields = ["external_id"]
    ordering_fields = ["placed_at"]
    ordering = ["-placed_at"]

    def get_queryset(self):
        lines = Prefetch("lines", queryset=OrderLine.objects.select_related("product"))
        return order_list_for_user(user=self.request.user).prefetch_related(lines)


class SalesLineViewSet(DataVersionedListMixin, viewsets.ReadOnlyModelViewSet):
    """Order lines a user may analyse: a vendor's product sales, a retailer's purchases."""

    serializer_class = SalesLineOutputSerializer
    filterset_class = SalesLineFilter
    pagination_class = DataVersionedCountPagination  # a vendor's lines number in the hundreds of thousands
    ordering_fields = ["placed_on", "quantity"]
    ordering = ["-placed_on"]

    def get_queryset(self):
        return order_line_list_for_user(user=self.request.user).select_related("product", "retailer", "order")


class LostSaleViewSet(DataVersionedListMixin, viewsets.ReadOnlyModelViewSet):
    """Units ordered and refused for want of stock, beside the sales lines and scoped as they are: a vendor's
    products, a retailer's own (or a rep's retailers'). Refusals of cancelled orders are left out."""

    serializer_class = LostSaleOutputSerializer
    filterset_class = LostSaleFilter
    pagination_class = DataVersionedCountPagination
    ordering_fields = ["lost_on", "quantity"]
    ordering = ["-lost_on", "id"]

    def get_queryset(self):
        return lost_sale_list_for_user(user=self.request.user).select_related("product", "retailer", "warehouse")
