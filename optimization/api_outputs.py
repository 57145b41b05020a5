"""What the optimization endpoints answer, described for the OpenAPI schema. The views build these bodies as plain
dicts (``plan_json``, ``_order_json`` and the stockout service); the serializers here only document their shape, so
the schema and schemathesis' response checks hold them to it."""

from rest_framework import serializers

from .models import PlanStatus


class ServingModelOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    algorithm = serializers.CharField()
    role = serializers.CharField(help_text="champion, challenger or baseline.")
    fallback = serializers.BooleanField()
    note = serializers.CharField(required=False, help_text="Why the baseline answered.")


class StockoutRiskOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField(allow_blank=True)
    warehouse_id = serializers.IntegerField()
    warehouse = serializers.CharField(allow_blank=True)
    probability_14 = serializers.FloatField()
    probability_lead_time = serializers.FloatField()
    days_to_stockout = serializers.FloatField()
    expected_lost_revenue = serializers.FloatField()
    on_hand = serializers.FloatField()
    on_order = serializers.FloatField()
    cover_days = serializers.FloatField()
    lead_time_days = serializers.FloatField()
    reason = serializers.CharField(allow_blank=True)


class StockoutOutputSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    model = ServingModelOutputSerializer()
    cached = serializers.BooleanField()
    risks = StockoutRiskOutputSerializer(many=True)


class PlanLineOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    warehouse = serializers.CharField()
    vendor_id = serializers.IntegerField()
    on_hand = serializers.FloatField()
    on_order = serializers.FloatField()
    order_qty = serializers.FloatField()
    order_value = serializers.FloatField()
    order_up_to = serializers.FloatField()
    reorder_point = serializers.FloatField()
    safety_stock = serializers.FloatField()
    expected_service = serializers.FloatField()


class PlanJobOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    percent = serializers.IntegerField()


class PlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    base = serializers.IntegerField(allow_null=True, help_text="The plan a scenario was copied from.")
    changes = serializers.DictField(help_text="What a scenario changes of its base plan.")
    promoted = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    pairs = serializers.IntegerField()
    gap = serializers.FloatField(allow_null=True)
    objective = serializers.FloatField(allow_null=True)
    costs = serializers.DictField()
    summary = serializers.DictField()
    binding = serializers.JSONField(help_text="Binding constraints with their shadow prices.")
    explanation = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    solve_seconds = serializers.FloatField(allow_null=True)
    constraints = serializers.DictField()
    lines = PlanLineOutputSerializer(many=True, required=False, help_text="With a solved plan.")
    job = PlanJobOutputSerializer(required=False, help_text="While a large plan is solved in the background (202).")


class PlanFamilyOutputSerializer(serializers.Serializer):
    plans = PlanOutputSerializer(many=True)


class DraftLineOutputSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)


class DraftOrderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    vendor_id = serializers.IntegerField()
    warehouse = serializers.CharField()
    status = serializers.CharField()
    lines = DraftLineOutputSerializer(many=True)


class DraftsOutputSerializer(serializers.Serializer):
    plan = serializers.IntegerField(required=False, help_text="The plan the drafts were made from (GET).")
    purchase_orders = DraftOrderOutputSerializer(many=True)
