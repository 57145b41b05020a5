"""Insight endpoints: the insights of the run that serves now (filtered by kind, shop or product), feedback on
one, and shops' segments. Each reads through the services, scoped to the caller; a malformed filter is a 400
naming it (the query serializers), a rule broken in a service goes through the one exception handler."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import FeedbackAction, InsightKind
from .services.feed import (
    insight_feedback_record,
    insight_with_counts,
    insights_filtered,
    serving_insights,
    with_counts,
)
from .services.patterns import segment_rows


class InsightSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    as_of = serializers.DateField()
    kind = serializers.CharField()
    subject_kind = serializers.CharField()
    retailer_id = serializers.IntegerField(allow_null=True)
    product_id = serializers.IntegerField(allow_null=True)
    vendor_id = serializers.IntegerField(allow_null=True)
    region = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.IntegerField(help_text="1 low, 2 medium, 3 high.")
    score = serializers.FloatField()
    title = serializers.CharField()
    body = serializers.CharField()
    action = serializers.CharField(help_text="The suggested action.")
    evidence = serializers.JSONField()
    model_version_id = serializers.IntegerField(allow_null=True)
    useful_count = serializers.IntegerField()
    acted_count = serializers.IntegerField()
    dismissed_count = serializers.IntegerField()


class InsightQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InsightKind.choices, required=False)
    retailer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    product = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class InsightListApi(generics.ListAPIView):
    """The insights of the run that serves now that the caller may see (a shop its own, a rep its shops', a
    vendor its products', an analyst every one), most severe first, with how many people found each useful,
    acted on it or dismissed it."""

    serializer_class = InsightSerializer

    def get_queryset(self):
        query = InsightQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows, _, _ = serving_insights(user=self.request.user)
        rows = insights_filtered(
            rows, kind=params.get("kind"), retailer_id=params.get("retailer"), product_id=params.get("product")
        )
        return with_counts(rows).order_by("-severity", "-score", "pk")

    @extend_schema(parameters=[InsightQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FeedbackInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=FeedbackAction.choices)


class FeedbackOutputSerializer(serializers.Serializer):
    insight = InsightSerializer()
    action = serializers.CharField()
    created = serializers.BooleanField(help_text="False when this person had already given this feedback.")


class InsightFeedbackApi(APIView):
    """Mark an insight useful, acted on, or dismissed (a dismissed insight leaves the caller's feed). Once per
    person, insight and action: repeating it answers 200 with the same counts."""

    @extend_schema(
        request=FeedbackInputSerializer, responses={201: FeedbackOutputSerializer, 200: FeedbackOutputSerializer}
    )
    def post(self, request, insight_id: int):
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record, created = insight_feedback_record(
            user=request.user, insight_id=insight_id, action=data.validated_data["action"]
        )
        insight = insight_with_counts(user=request.user, insight_id=record.insight_id)
        body = FeedbackOutputSerializer({"insight": insight, "action": record.action, "created": created}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SegmentSerializer(serializers.Serializer):
    retailer_id = serializers.IntegerField()
    retailer_name = serializers.CharField(source="retailer.name")
    month = serializers.DateField()
    as_of = serializers.DateField()
    segment = serializers.CharField()
    segment_label = serializers.CharField()
    recency_days = serializers.FloatField()
    frequency = serializers.FloatField()
    monetary = serializers.FloatField()
    r_score = serializers.IntegerField()
    f_score = serializers.IntegerField()
    m_score = serializers.IntegerField()
    mean_interval_days = serializers.FloatField(allow_null=True)
    basket_value = serializers.FloatField(allow_null=True)
    churn_probability = serializers.FloatField()
    model_version_id = serializers.IntegerField(allow_null=True)


class SegmentQuerySerializer(serializers.Serializer):
    month = serializers.DateField(required=False, input_formats=["%Y-%m", "%Y-%m-%d"], help_text="YYYY-MM.")
    retailer = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class SegmentListApi(generics.ListAPIView):
    """Shops' segments (RFM scores and the behavioural segment) in the latest month stored, or in ``month``:
    a shop its own, a rep its assigned shops, an analyst every shop. Vendors are refused."""

    serializer_class = SegmentSerializer

    def get_queryset(self):
        query = SegmentQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        month = params.get("month")
        return segment_rows(
            user=self.request.user, month=month.replace(day=1) if month else None, retailer_id=params.get("retailer")
        )

    @extend_schema(parameters=[SegmentQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
