from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import demand_forecast_list_for_user, forecast_products_for_user
from .services import product_forecast


class DemandForecastOutputSerializer(serializers.Serializer):
    model_version = serializers.IntegerField(source="model_version_id")
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product.sku")
    target_date = serializers.DateField()
    origin_date = serializers.DateField()
    quantity = serializers.FloatField()
    lower_80 = serializers.FloatField()
    upper_80 = serializers.FloatField()
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()


class DemandForecastViewSet(viewsets.ReadOnlyModelViewSet):
    """Precomputed forecasts from batch scoring, scoped to the products the user may analyse."""

    serializer_class = DemandForecastOutputSerializer
    filterset_fields = {"product": ["exact"], "model_version": ["exact"], "target_date": ["exact", "gte", "lte"]}
    ordering_fields = ["target_date", "quantity"]
    ordering = ["product", "target_date"]

    def get_queryset(self):
        return demand_forecast_list_for_user(user=self.request.user)


class ForecastQuerySerializer(serializers.Serializer):
    horizon = serializers.IntegerField(min_value=1, max_value=365, default=14)


class ForecastDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    quantity = serializers.FloatField()
    lower_80 = serializers.FloatField()
    upper_80 = serializers.FloatField()
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()


class ServingModelSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    algorithm = serializers.CharField()
    role = serializers.ChoiceField(choices=["champion", "challenger", "baseline"])
    fallback = serializers.BooleanField()
    note = serializers.CharField(required=False)


class ProductForecastOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    origin_date = serializers.DateField()
    days = ForecastDaySerializer(many=True)
    model = ServingModelSerializer()
    cached = serializers.BooleanField()


class ProductForecastApi(APIView):
    """A product's daily forecast with 80% and 95% intervals, served on demand."""

    throttle_scope = "predict"

    @extend_schema(
        parameters=[OpenApiParameter("horizon", int, description="Days ahead, 1 to 365 (default 14).")],
        responses=ProductForecastOutputSerializer,
    )
    def get(self, request, product_id: int):
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        product = forecast_products_for_user(user=request.user).filter(pk=product_id).first()
        if product is None:
            raise NotFound("No such product among those you may forecast.")
        served = product_forecast(
            product=product, horizon=query.validated_data["horizon"], routing_key=f"user:{request.user.pk}"
        )
        return Response({**served.result, "model": served.model, "cached": served.cached})
