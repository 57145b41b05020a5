"""Optimization endpoints: stockout risk on demand, order plans (small ones answered at once, large ones as a job),
a plan with its lines, scenarios, promotion, and purchase-order drafts.

Each view validates its input with a serializer (errors name the field) and calls a service, which applies the
role's scope: a vendor its own products, analysts everything, retailers and reps nothing."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_outputs import (
    DraftsOutputSerializer,
    PlanFamilyOutputSerializer,
    PlanOutputSerializer,
    StockoutOutputSerializer,
)
from .services.drafts import purchase_order_drafts, purchase_order_drafts_create
from .services.plans import (
    PairOverride,
    PlanConstraints,
    plan_create,
    plan_family,
    plan_for_user,
    scenario_create,
    scenario_promote,
)
from .services.stock import stockout_predict


class StockoutRequestSerializer(serializers.Serializer):
    product_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, min_length=1)
    warehouse = serializers.CharField(required=False, max_length=40, help_text="A warehouse code; empty: all.")


class StockoutPredictApi(APIView):
    """Stockout risk per product x warehouse: within 14 days and within the lead time, days until stock runs out,
    expected lost revenue, and the reason in words."""

    @extend_schema(request=StockoutRequestSerializer, responses=StockoutOutputSerializer)
    def post(self, request):
        data = _valid(StockoutRequestSerializer, request.data)
        return Response(stockout_predict(user=request.user, **data))


class OverrideSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1)
    warehouse = serializers.CharField(max_length=40)
    pack_size = serializers.FloatField(required=False)
    moq = serializers.FloatField(required=False)


class ConstraintsSerializer(serializers.Serializer):
    """Bounds are checked by the service, so a negative budget or a pack size of 0 is refused naming its field."""

    name = serializers.CharField(required=False, max_length=120, allow_blank=True)
    vendor_id = serializers.IntegerField(required=False, min_value=1, help_text="Analysts: one vendor's products.")
    budget = serializers.FloatField(required=False, allow_null=True)
    service_level = serializers.FloatField(required=False, allow_null=True)
    warehouses = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    capacity = serializers.DictField(child=serializers.FloatField(), required=False)
    vendor_min_order = serializers.DictField(child=serializers.FloatField(), required=False)
    overrides = OverrideSerializer(many=True, required=False)
    time_limit = serializers.FloatField(required=False, allow_null=True)
    gap = serializers.FloatField(required=False, allow_null=True)


class OptimizeApi(APIView):
    """An order plan under the constraints in the body: answered at once (201) when small, else 202 with the job
    whose progress to follow and the plan to read when it is done."""

    @extend_schema(request=ConstraintsSerializer, responses={201: PlanOutputSerializer, 202: PlanOutputSerializer})
    def post(self, request):
        data = _valid(ConstraintsSerializer, request.data)
        name, vendor_id = data.pop("name", ""), data.pop("vendor_id", None)
        data["overrides"] = tuple(PairOverride(**o) for o in data.get("overrides", []))
        data["warehouses"] = tuple(data.get("warehouses", []))
        plan = plan_create(user=request.user, constraints=PlanConstraints(**data), name=name, vendor_id=vendor_id)
        return _plan_response(plan)


class PlanDetailApi(APIView):
    """A plan with its lines."""

    @extend_schema(responses=PlanOutputSerializer)
    def get(self, request, plan_id: int):
        plan = plan_for_user(user=request.user, plan_id=plan_id)
        return Response(plan_json(plan, lines=True))


class ScenarioSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=120, allow_blank=True)
    demand_factor = serializers.FloatField(required=False, help_text="1.2 is +20% demand (a festival).")
    lead_time_factor = serializers.FloatField(required=False)
    lead_time_days = serializers.FloatField(required=False)
    budget = serializers.FloatField(required=False)
    service_level = serializers.FloatField(required=False)


class ScenarioApi(APIView):
    """GET: the plan and its scenarios compared side by side. POST: a scenario copied from the plan with changes."""

    @extend_schema(responses=PlanFamilyOutputSerializer)
    def get(self, request, plan_id: int):
        plan = plan_for_user(user=request.user, plan_id=plan_id)
        return Response({"plans": [plan_json(p) for p in plan_family(plan=plan)]})

    @extend_schema(request=ScenarioSerializer, responses={201: PlanOutputSerializer, 202: PlanOutputSerializer})
    def post(self, request, plan_id: int):
        changes = _valid(ScenarioSerializer, request.data)
        return _plan_response(scenario_create(user=request.user, plan_id=plan_id, changes=changes))


class PromoteApi(APIView):
    """Make a solved scenario the plan its base's purchase-order drafts come from; answers the base plan."""

    @extend_schema(request=None, responses=PlanOutputSerializer)
    def post(self, request, plan_id: int):
        base = scenario_promote(user=request.user, plan_id=plan_id)
        return Response(plan_json(base))


class DraftsApi(APIView):
    """GET: the drafts made from the plan. POST: draft one purchase order per vendor and warehouse (once)."""

    @extend_schema(responses=DraftsOutputSerializer)
    def get(self, request, plan_id: int):
        from .services.drafts import drafting_plan

        source = drafting_plan(plan_for_user(user=request.user, plan_id=plan_id))
        return Response(
            {"plan": source.pk, "purchase_orders": [_order_json(o) for o in purchase_order_drafts(plan=source)]}
        )

    @extend_schema(request=None, responses={201: DraftsOutputSerializer})
    def post(self, request, plan_id: int):
        orders = purchase_order_drafts_create(user=request.user, plan_id=plan_id)
        return Response({"purchase_orders": [_order_json(o) for o in orders]}, status=status.HTTP_201_CREATED)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _plan_response(plan) -> Response:
    if plan.job_id and not plan.is_solved and plan.status not in ("infeasible", "failed"):
        body = plan_json(plan)
        body["job"] = {"id": plan.job_id, "state": plan.job.state, "percent": plan.job.percent}
        return Response(body, status=status.HTTP_202_ACCEPTED)
    return Response(plan_json(plan, lines=True), status=status.HTTP_201_CREATED)


def plan_json(plan, *, lines: bool = False) -> dict:
    body = {
        "id": plan.pk,
        "name": plan.name,
        "base": plan.base_id,
        "changes": plan.changes,
        "promoted": plan.promoted_id,
        "as_of": plan.as_of.isoformat(),
        "status": plan.status,
        "pairs": plan.pairs,
        "gap": plan.gap,
        "objective": plan.objective,
        "costs": plan.costs,
        "summary": plan.summary,
        "binding": plan.binding,
        "explanation": plan.explanation,
        "error": plan.error,
        "solve_seconds": plan.solve_seconds,
        "constraints": plan.options,
    }
    if lines:
        body["lines"] = [
            {
                "product_id": line.product_id,
                "warehouse": line.warehouse.code,
                "vendor_id": line.vendor_id,
                **{
                    name: round(getattr(line, name), 4)
                    for name in (
                        "on_hand",
                        "on_order",
                        "order_qty",
                        "order_value",
                        "order_up_to",
                        "reorder_point",
                        "safety_stock",
                        "expected_service",
                    )
                },
            }
            for line in plan.lines.select_related("warehouse").order_by("warehouse__code", "product_id")
        ]
    return body


def _order_json(order) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "vendor_id": order.vendor_id,
        "warehouse": order.warehouse.code,
        "status": order.status,
        "lines": [
            {"product_id": line.product_id, "quantity": line.quantity_ordered, "unit_cost": str(line.unit_cost)}
            for line in order.lines.all()
        ],
    }
