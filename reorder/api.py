"""Reorder endpoints: the rep's call list, stored predictions per shop, on-demand predictions, and call outcomes.

Every view validates its input with a serializer (errors name the field), then calls a service, which applies the
role's scope: a retailer its own shop, a rep its assigned shops, a vendor its own products, analysts everything.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from retailiq.api.fields import FiniteFloatField, IdField
from retailiq.api.params import refuse_unknown_params
from retailiq.api.response_cache import DATA_VERSION, cached_response, url_parts
from retailiq.core.directory import DIRECTORY
from retailiq.core.generations import generation_stamp
from retailiq.registry.services import serving_stamps

from .models import CallOutcome
from .selectors import CAPABILITY, call_outcome_list_for_user
from .services.call_list import CALL_LIST_CACHE_SECONDS, CALL_OUTCOMES_GENERATION, MAX_CAPACITY, build_call_list
from .services.outcomes import record_call_outcome
from .services.predictions import predict_reorder
from .services.suggestions import shop_predictions


class ProductSuggestionSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(source="product.pk")
    product_name = serializers.CharField(source="product.name")
    probability = serializers.FloatField()
    expected_quantity = serializers.IntegerField()
    expected_date = serializers.DateField()
    expected_value = serializers.FloatField()
    unit_price = serializers.FloatField()
    days_overdue = serializers.FloatField()
    last_order_date = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class CallListEntrySerializer(serializers.Serializer):
    retailer_id = serializers.IntegerField(source="retailer.pk")
    retailer_name = serializers.CharField(source="retailer.name")
    city = serializers.CharField(source="retailer.city")
    segment = serializers.CharField(source="retailer.segment")
    priority = serializers.FloatField(
        help_text="Likely order value: each listed product's chance times its expected order value, summed."
    )
    probability = serializers.FloatField(help_text="Chance the shop reorders any listed product within the horizon.")
    expected_products = serializers.FloatField(
        help_text="How many listed products the shop is likely to reorder within the horizon (their chances summed)."
    )
    expected_value = serializers.FloatField(help_text="The listed products' expected order value if all are reordered.")
    days_overdue = serializers.FloatField()
    last_order_date = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    last_outcome = serializers.SerializerMethodField()
    products = ProductSuggestionSerializer(many=True)

    def get_last_outcome(self, entry) -> dict | None:
        call = entry.last_outcome
        if call is None:
            return None
        return {"outcome": call.outcome, "note": call.note, "called_at": call.called_at.isoformat()}


class CallListSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    horizon_days = serializers.IntegerField()
    capacity = serializers.IntegerField()
    total_candidates = serializers.IntegerField()
    model = serializers.CharField(source="model_label")
    model_version = serializers.IntegerField(source="model_version_id", allow_null=True)
    entries = CallListEntrySerializer(many=True)


class CallListQuerySerializer(serializers.Serializer):
    horizon = serializers.IntegerField(required=False, help_text="Days; one of RETAILIQ_REORDER_HORIZONS.")
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    segment = serializers.CharField(required=False, allow_blank=True, max_length=32)
    category = IdField(required=False)
    capacity = serializers.IntegerField(
        required=False, help_text=f"Calls per day: the list's length, 1 to {MAX_CAPACITY}."
    )
    rep = IdField(required=False, help_text="Analysts: one rep's book.")


# What a cached call list depends on besides the caller, the URL and the day: the sales data (the baseline ranks
# from the orders), the serving model and its stored batch, the recorded calls (each entry shows the latest) and
# the directory (the shops' assignments, names and towns; the products). Each is a stamp read with the cached body in one round trip.
CALL_LIST_STAMPS = (
    DATA_VERSION,
    *serving_stamps(capability=CAPABILITY, batch=True),
    generation_stamp(CALL_OUTCOMES_GENERATION),
    DIRECTORY,
)


class CallListApi(APIView):
    """Today's prioritized call list: priority = probability x expected order value."""

    @extend_schema(parameters=[CallListQuerySerializer], responses=CallListSerializer)
    def get(self, request):
        # A repeated request is answered from the cache without a query (an answer is only cached once it was a 200,
        # so its parameters were valid); the expiry bounds a catalogue edit that moves no stamp.
        return cached_response(
            request,
            name="reorder-call-list",
            parts=(*url_parts(request), timezone.localdate().isoformat()),
            stamps=CALL_LIST_STAMPS,
            ttl=CALL_LIST_CACHE_SECONDS,
            compute=lambda: self._computed(request),
        )

    def _computed(self, request) -> Response:
        refuse_unknown_params(request, CallListQuerySerializer().fields)
        query = CallListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        filters = {
            "horizon_days": params.get("horizon"),
            "city": params.get("city") or None,
            "segment": params.get("segment") or None,
            "category_id": params.get("category"),
            "capacity": params.get("capacity"),
            "rep_id": params.get("rep"),
        }
        return Response(CallListSerializer(build_call_list(user=request.user, **filters)).data)


class PredictionQuerySerializer(serializers.Serializer):
    retailer = IdField(required=False, help_text="Required unless you are a retailer.")
    horizon = serializers.IntegerField(required=False)
    product = IdField(required=False)
    min_probability = FiniteFloatField(required=False, min_value=0, max_value=1, default=0)


class StoredPredictionSerializer(serializers.Serializer):
    retailer_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    probability = serializers.FloatField()
    probabilities = serializers.DictField(child=serializers.FloatField())
    expected_quantity = serializers.FloatField()
    expected_date = serializers.DateField()
    expected_value = serializers.FloatField()
    last_order_date = serializers.DateField(allow_null=True)
    days_overdue = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class PredictionListSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    horizon_days = serializers.IntegerField()
    model = serializers.CharField()
    predictions = StoredPredictionSerializer(many=True)


class ReorderPredictionListApi(APIView):
    """The serving predictions for one shop, most likely first; vendors see only their own products."""

    @extend_schema(parameters=[PredictionQuerySerializer], responses=PredictionListSerializer)
    def get(self, request):
        query = PredictionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        found = shop_predictions(
            user=request.user,
            retailer_id=params.get("retailer"),
            horizon_days=params.get("horizon"),
            product_ids=[params["product"]] if params.get("product") else None,
            min_probability=params["min_probability"],
        )
        body = {
            "as_of": found.as_of,
            "horizon_days": found.horizon_days,
            "model": found.model_label,
            "predictions": found.rows.to_dict("records"),
        }
        return Response(PredictionListSerializer(body).data)


class ReorderPredictRequestSerializer(serializers.Serializer):
    retailer_id = IdField()
    product_ids = serializers.ListField(child=IdField(), required=False, allow_empty=False)
    horizon_days = serializers.IntegerField(required=False)


class ReorderPredictApi(APIView):
    """On-demand predictions for a shop and (optionally) some of its products, from the serving model."""

    @extend_schema(request=ReorderPredictRequestSerializer, responses=dict)
    def post(self, request):
        payload = ReorderPredictRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = predict_reorder(
            user=request.user,
            retailer_id=data["retailer_id"],
            product_ids=data.get("product_ids"),
            horizon_days=data.get("horizon_days"),
        )
        return Response(result)


class CallOutcomeSerializer(serializers.ModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    rep = serializers.CharField(source="rep.username", read_only=True)
    product_ids = serializers.ListField(child=IdField(), required=False, default=list, write_only=True)
    products = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    retailer_id = IdField()

    class Meta:
        model = CallOutcome
        fields = [
            "id",
            "retailer_id",
            "retailer_name",
            "rep",
            "outcome",
            "note",
            "product_ids",
            "products",
            "called_at",
            "horizon_days",
            "probability",
            "priority",
            "prediction_as_of",
        ]
        read_only_fields = ["called_at", "probability", "priority", "prediction_as_of", "horizon_days"]
        extra_kwargs = {"note": {"required": False, "allow_blank": True}}


class CallOutcomeCreateSerializer(serializers.Serializer):
    retailer_id = IdField()
    outcome = serializers.ChoiceField(choices=CallOutcome.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    product_ids = serializers.ListField(child=IdField(), required=False, default=list)
    horizon_days = serializers.IntegerField(required=False)


class CallOutcomeListCreateApi(ListAPIView):
    """Calls recorded by reps. Reps list and record calls on their assigned shops, analysts read them all, a shop
    reads the calls made to it, vendors none."""

    serializer_class = CallOutcomeSerializer
    filterset_fields = {"retailer": ["exact"], "outcome": ["exact"], "called_at": ["gte", "lte"]}
    ordering = ["-called_at", "-id"]

    def get_queryset(self):
        return call_outcome_list_for_user(user=self.request.user)

    @extend_schema(
        request=CallOutcomeCreateSerializer,
        responses={201: CallOutcomeSerializer},
        parameters=[OpenApiParameter("retailer", int, required=False)],
    )
    def post(self, request):
        payload = CallOutcomeCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        call = record_call_outcome(
            user=request.user,
            retailer_id=data["retailer_id"],
            outcome=data["outcome"],
            note=data["note"],
            product_ids=data["product_ids"],
            horizon_days=data.get("horizon_days"),
        )
        return Response(CallOutcomeSerializer(call).data, status=status.HTTP_201_CREATED)
