import datetime as dt
from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from retailiq.api.fields import DayField, FiniteFloatField, IdField
from retailiq.api.response_cache import DATA_VERSION, FrontCache, json_response, render_json, wants_json
from retailiq.core.directory import DIRECTORY
from retailiq.core.metrics import PREDICTION_CACHE, PREDICTIONS_SERVED
from retailiq.events.models import CalendarEvent
from retailiq.inventory.models import Warehouse
from retailiq.registry.services import serving_stamps

from .models import DemandForecast
from .selectors import demand_forecast_list_for_user
from .services import (
    GRANULARITIES,
    MAX_HORIZON_DAYS,
    PlannedDrivers,
    confidence_score,
    forecast_product_for_user,
    history_forecast,
    product_forecast,
    serving_metrics,
)


class DemandForecastOutputSerializer(serializers.Serializer):
    model_version = serializers.IntegerField(source="model_version_id")
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product.sku")
    location_kind = serializers.CharField()
    location = serializers.CharField()
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
    filterset_fields = {
        "product": ["exact"],
        "model_version": ["exact"],
        "location_kind": ["exact"],
        "location": ["exact"],
        "target_date": ["exact", "gte", "lte"],
    }
    ordering_fields = ["target_date", "quantity"]
    ordering = ["product", "location_kind", "location", "target_date"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: the model types the path's id
            return DemandForecast.objects.none()
        return demand_forecast_list_for_user(user=self.request.user)


class ForecastQuerySerializer(serializers.Serializer):
    horizon = serializers.IntegerField(default=14, help_text=f"Days ahead, 1 to {MAX_HORIZON_DAYS}.")


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
        product = forecast_product_for_user(user=request.user, product_id=product_id)
        served = product_forecast(
            product=product, horizon=query.validated_data["horizon"], routing_key=f"user:{request.user.pk}"
        )
        return Response({**served.result, "model": served.model, "cached": served.cached})


# On-demand predictions -------------------------------------------------------------


class DateRangeSerializer(serializers.Serializer):
    start = DayField()
    end = DayField()

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "end must not be before start."})
        if (attrs["end"] - attrs["start"]).days > MAX_HORIZON_DAYS:
            raise serializers.ValidationError({"end": f"a range may span at most {MAX_HORIZON_DAYS} days."})
        return attrs


class EventRangeSerializer(DateRangeSerializer):
    kind = serializers.ChoiceField(choices=CalendarEvent.Kind.choices, default=CalendarEvent.Kind.FESTIVAL)


class PlannedFeaturesSerializer(serializers.Serializer):
    """What the caller plans for the horizon; omitted drivers stay as they are now."""

    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False)
    promotions = DateRangeSerializer(many=True, required=False)
    promotion_discount = serializers.DecimalField(
        max_digits=5, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("0.99"), required=False
    )
    events = EventRangeSerializer(many=True, required=False)


def _drivers(data: dict | None) -> PlannedDrivers | None:
    """The planned features as validated (nested in the request), or None when none were given."""
    if data is None:
        return None
    events: dict[str, list] = {}
    for event in data.get("events", []):
        events.setdefault(event["kind"], []).extend(_days_of(event))
    return PlannedDrivers(
        price=float(data["price"]) if "price" in data else None,
        promotion_days=[day for promotion in data.get("promotions", []) for day in _days_of(promotion)],
        promotion_discount=float(data["promotion_discount"]) if "promotion_discount" in data else None,
        event_days=events,
    )


def _days_of(span: dict) -> list:
    return [span["start"] + dt.timedelta(days=i) for i in range((span["end"] - span["start"]).days + 1)]


class DemandPredictionInputSerializer(serializers.Serializer):
    product_id = IdField()
    warehouse_id = IdField(required=False)
    horizon = serializers.IntegerField(
        default=14, help_text=f"Days (1 to {MAX_HORIZON_DAYS}) or weeks (1 to {MAX_HORIZON_DAYS // 7})."
    )
    granularity = serializers.ChoiceField(choices=list(GRANULARITIES), default="day")
    features = PlannedFeaturesSerializer(required=False)

    def validate(self, attrs):
        if "warehouse_id" in attrs:
            warehouse = Warehouse.objects.filter(pk=attrs["warehouse_id"]).first()
            if warehouse is None:
                raise serializers.ValidationError({"warehouse_id": f"No warehouse {attrs['warehouse_id']}."})
            attrs["warehouse"] = warehouse
        return attrs


class PredictionPointSerializer(serializers.Serializer):
    timestamp = serializers.DateField(help_text="The day, or the Monday of the week.")
    value = serializers.FloatField()
    lower = serializers.FloatField(help_text="80% interval.")
    upper = serializers.FloatField()
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()


class ExplanationSerializer(serializers.Serializer):
    driver = serializers.CharField()
    effect = serializers.FloatField(help_text="Relative effect on the forecast, e.g. 0.22 for +22%.")
    text = serializers.CharField()


class DemandPredictionOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    warehouse_id = serializers.IntegerField(allow_null=True)
    granularity = serializers.CharField()
    origin_date = serializers.DateField()
    predictions = PredictionPointSerializer(many=True)
    model_version = serializers.IntegerField(allow_null=True)
    model = ServingModelSerializer()
    model_metrics = serializers.DictField(child=serializers.FloatField())
    explanation = ExplanationSerializer(many=True)
    cached = serializers.BooleanField()


def _points(periods: list[dict]) -> list[dict]:
    return [
        {
            "timestamp": p["date"],
            "value": p["quantity"],
            "lower": p["lower_80"],
            "upper": p["upper_80"],
            "lower_95": p["lower_95"],
            "upper_95": p["upper_95"],
        }
        for p in periods
    ]


DEMAND_BODY_TTL_SECONDS = 60
DEMAND_STAMPS = (DATA_VERSION, DIRECTORY, *serving_stamps(capability="forecasting"))
# Bodies up to this size are read whole to key the cached answer; larger ones (long planned-feature lists) are
# parsed, and limited, as every request body is.
FRONT_CACHED_BODY_BYTES = 16 * 1024


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return FRONT_CACHED_BODY_BYTES + 1


class DemandPredictionApi(APIView):
    """Demand for one of your products (optionally at one warehouse), daily or weekly,
    with 80% and 95% intervals, the serving model and its backtest metrics, and why.
    Planned prices, promotions and events in `features` change the forecast."""

    throttle_scope = "predict"

    @extend_schema(request=DemandPredictionInputSerializer, responses=DemandPredictionOutputSerializer)
    def post(self, request):
        # The whole answer is cached for this caller (whose id routes it to a model) and these very request bytes,
        # while the data version and the serving models are unchanged: a repeated prediction skips parsing and
        # validating the body (bytes that once gave a 200 are valid), the product's scope check, the prediction
        # cache and the rendering. A product moved to another vendor moves the directory stamp.
        front = None
        if wants_json(request) and _content_length(request) <= FRONT_CACHED_BODY_BYTES:
            front = FrontCache(
                name="demand", user=request.user, parts=(request.content_type, request.body), stamps=DEMAND_STAMPS
            )
            found = front.lookup()
            if found is not None:
                role, body = found
                PREDICTIONS_SERVED.labels("forecasting", role).inc()
                PREDICTION_CACHE.labels("forecasting", "hit").inc()
                return json_response(body)
        payload = DemandPredictionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        product = forecast_product_for_user(user=request.user, product_id=data["product_id"])
        served = product_forecast(
            product=product,
            horizon=data["horizon"],
            granularity=data["granularity"],
            warehouse=data.get("warehouse"),
            drivers=_drivers(data.get("features")),
            routing_key=f"user:{request.user.pk}",
        )
        result = served.result
        answer = {
            "product_id": product.pk,
            "warehouse_id": data.get("warehouse_id"),
            "granularity": data["granularity"],
            "origin_date": result["origin_date"],
            "predictions": _points(result["periods"]),
            "model_version": served.model["version"],
            "model": served.model,
            "model_metrics": serving_metrics(served),
            "explanation": result.get("explanation", []),
            "cached": served.cached,
        }
        if front is not None:
            stored = render_json({**answer, "cached": True})  # whoever reads it next reads a cached answer
            front.store((served.model["role"], stored), DEMAND_BODY_TTL_SECONDS)
        return Response(answer)


class HistoryPointSerializer(serializers.Serializer):
    date = DayField()
    quantity = FiniteFloatField(min_value=0)


class PredictInputSerializer(serializers.Serializer):
    productId = serializers.CharField(max_length=100, help_text="Your reference for the product.")
    historicalData = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=5000, help_text="[{date, quantity}], daily."
    )
    features = PlannedFeaturesSerializer(required=False)
    forecast_horizon = serializers.IntegerField(min_value=1, max_value=MAX_HORIZON_DAYS, default=14)

    def validate_historicalData(self, items):
        """Each point checked on its own, so the error names the item and its field."""
        points = []
        for index, item in enumerate(items):
            point = HistoryPointSerializer(data=item)
            if not point.is_valid():
                field, errors = next(iter(point.errors.items()))
                raise serializers.ValidationError(f"item {index} ({field}): {errors[0]}")
            points.append((point.validated_data["date"], point.validated_data["quantity"]))
        return points


class PredictOutputSerializer(serializers.Serializer):
    productId = serializers.CharField()
    predicted_total_quantity = serializers.FloatField()
    forecast_range_start = serializers.DateField()
    forecast_range_end = serializers.DateField()
    confidence_score = serializers.FloatField(help_text="1 - the 80% interval's width relative to the forecast.")
    daily_predictions = PredictionPointSerializer(many=True)
    model_version = serializers.IntegerField(allow_null=True)
    model = ServingModelSerializer()


class PredictApi(APIView):
    """A forecast from your own daily history, for systems that keep their sales
    elsewhere: the serving model reads the history as it would a product's."""

    throttle_scope = "predict"

    @extend_schema(request=PredictInputSerializer, responses=PredictOutputSerializer)
    def post(self, request):
        payload = PredictInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        served = history_forecast(
            history=data["historicalData"],
            horizon=data["forecast_horizon"],
            drivers=_drivers(data.get("features")),
            routing_key=f"user:{request.user.pk}",
            reference=data["productId"],
        )
        days = served.result["days"]
        return Response(
            {
                "productId": data["productId"],
                "predicted_total_quantity": round(sum(d["quantity"] for d in days), 3),
                "forecast_range_start": days[0]["date"],
                "forecast_range_end": days[-1]["date"],
                "confidence_score": confidence_score(days),
                "daily_predictions": _points(days),
                "model_version": served.model["version"],
                "model": served.model,
            }
        )
