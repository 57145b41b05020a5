"""Recommendation endpoints: a shop's list (discover, buy again, bundle) and feedback on what was shown.

The query is parsed by a serializer (a malformed number names its field); the rules (which kinds, how many, whose
shop, which anchor) are the services', whose domain errors the one exception handler maps to 400 or 404."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import FeedbackAction, RecommendationKind
from .services.feedback import feedback_record
from .services.shop import shop_recommendations


class RecommendedItemSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    product_id = serializers.IntegerField(source="product.pk")
    product_name = serializers.CharField(source="product.name")
    sku = serializers.CharField(source="product.sku")
    vendor_id = serializers.IntegerField(source="product.vendor_id")
    vendor_name = serializers.CharField(source="product.vendor.name")
    price = serializers.DecimalField(source="product.unit_price", max_digits=12, decimal_places=2)
    pack_size = serializers.IntegerField(source="product.pack_size")
    score = serializers.FloatField()
    reason = serializers.CharField()
    source = serializers.CharField()


class RecommendationListSerializer(serializers.Serializer):
    retailer_id = serializers.IntegerField(source="shop.pk")
    kind = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    model = serializers.CharField()
    items = RecommendedItemSerializer(many=True)


class RecommendationQuerySerializer(serializers.Serializer):
    retailer = serializers.IntegerField(required=False, min_value=1, help_text="Required unless you are a retailer.")
    kind = serializers.CharField(required=False, help_text="discover (default), buy_again or bundle.")
    k = serializers.IntegerField(required=False, help_text="Items, 1 to 50 (default 10).")
    product = serializers.IntegerField(required=False, min_value=1, help_text="A bundle's anchor product.")


class RecommendationListApi(APIView):
    """A shop's recommendations with a reason each: retailers their own shop, reps their assigned shops, analysts
    any; vendors read where their products are recommended on their pages, not shops' lists."""

    @extend_schema(parameters=[RecommendationQuerySerializer], responses=RecommendationListSerializer)
    def get(self, request):
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        found = shop_recommendations(
            user=request.user,
            retailer_id=params.get("retailer"),
            kind=params.get("kind"),
            k=params.get("k"),
            product_id=params.get("product"),
        )
        return Response(RecommendationListSerializer(found).data)


class FeedbackInputSerializer(serializers.Serializer):
    retailer = serializers.IntegerField(required=False, min_value=1, help_text="Required unless you are a retailer.")
    product = serializers.IntegerField(min_value=1)
    action = serializers.ChoiceField(choices=FeedbackAction.choices)
    kind = serializers.ChoiceField(choices=RecommendationKind.choices, required=False)


class FeedbackOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    retailer_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    action = serializers.CharField()
    kind = serializers.CharField()
    created_at = serializers.DateTimeField()


class RecommendationFeedbackApi(APIView):
    """Record that a shop was shown, clicked, added to its cart or dismissed a recommended product. A dismissed
    product is not recommended to that shop again."""

    @extend_schema(
        request=FeedbackInputSerializer,
        responses={201: FeedbackOutputSerializer},
        parameters=[OpenApiParameter("retailer", int, required=False)],
    )
    def post(self, request):
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        feedback = feedback_record(
            user=request.user,
            retailer_id=values.get("retailer"),
            product_id=values["product"],
            action=values["action"],
            kind=values.get("kind", ""),
        )
        return Response(FeedbackOutputSerializer(feedback).data, status=status.HTTP_201_CREATED)
