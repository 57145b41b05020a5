from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from retailiq.api.fields import FiniteFloatField, IdField
from retailiq.api.params import refuse_unknown_params
from retailiq.core.ids import id_from_text

from .capabilities import capability_checked, capability_choices
from .models import Job, ModelVersion, Rollout
from .selectors import job_list_for_user, model_version_list_for_user
from .services import (
    job_cancel,
    model_performance,
    model_version_activate,
    model_version_rollback,
    model_version_set_rollout,
    model_versions_compare,
    scoring_job_create,
    training_job_create,
)


class CapabilityField(serializers.ChoiceField):
    """A registered capability's name. The choices are read from the adapters each time a
    serializer is made (DRF copies declared fields per instance), so none is baked in."""

    def __init__(self, **kwargs):
        super().__init__(choices=capability_choices(), **kwargs)


class AnalystsOnly(permissions.BasePermission):
    message = "Only analysts and admins may train or deploy models."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.sees_everything)


class ModelVersionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "capability",
            "segment",
            "algorithm",
            "status",
            "params",
            "metrics",
            "data_start",
            "data_end",
            "training_rows",
            "training_data_hash",
            "library_versions",
            "trigger",
            "error",
            "rollout",
            "traffic_share",
            "tuning",
            "created_at",
            "started_at",
            "finished_at",
            "activated_at",
        ]


class JobOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "capability",
            "segment",
            "state",
            "stage",
            "percent",
            "message",
            "attempts",
            "model_version",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ModelVersionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ModelVersionOutputSerializer
    permission_classes = [AnalystsOnly]
    filterset_fields = ["capability", "segment", "status"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return model_version_list_for_user(user=self.request.user)


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Progress of long jobs, read through the job row and scoped to the user."""

    serializer_class = JobOutputSerializer
    filterset_fields = ["capability", "kind", "state"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return job_list_for_user(user=self.request.user)

    @extend_schema(request=None, responses=JobOutputSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, version=None):
        """Ask a queued or running job to stop; a running job stops at its next progress report."""
        job = self.get_object()
        job_cancel(job=job)
        job.refresh_from_db()
        return Response(JobOutputSerializer(job).data)


class TrainInputSerializer(serializers.Serializer):
    capability = CapabilityField()
    segment = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    idempotency_key = serializers.CharField(required=False, max_length=128)
    params = serializers.DictField(required=False, default=dict)


class TrainApi(APIView):
    """Start training a new version; answers 202 with the job to poll."""

    permission_classes = [AnalystsOnly]
    throttle_scope = "model_admin"

    @extend_schema(request=TrainInputSerializer, responses={202: JobOutputSerializer})
    def post(self, request):
        data = TrainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = training_job_create(user=request.user, **data.validated_data)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DeployInputSerializer(serializers.Serializer):
    model_version = IdField()


def _version_named(request, pk: int, field: str = "model_version") -> ModelVersion:
    version = model_version_list_for_user(user=request.user).filter(pk=pk).first()
    if version is None:
        raise serializers.ValidationError({field: [f"No model version {pk}."]})
    return version


class DeployApi(APIView):
    """Make a trained version the one that serves (the previous one is retired)."""

    permission_classes = [AnalystsOnly]
    throttle_scope = "model_admin"

    @extend_schema(request=DeployInputSerializer, responses=ModelVersionOutputSerializer)
    def post(self, request):
        data = DeployInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = _version_named(request, data.validated_data["model_version"])
        return Response(ModelVersionOutputSerializer(model_version_activate(version=version)).data)


class RollbackInputSerializer(serializers.Serializer):
    capability = CapabilityField()
    segment = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)


class RollbackApi(APIView):
    """Serve again the version that served before the current one."""

    permission_classes = [AnalystsOnly]
    throttle_scope = "model_admin"

    @extend_schema(request=RollbackInputSerializer, responses=ModelVersionOutputSerializer)
    def post(self, request):
        data = RollbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(ModelVersionOutputSerializer(model_version_rollback(**data.validated_data)).data)


class RolloutInputSerializer(serializers.Serializer):
    model_version = IdField()
    rollout = serializers.ChoiceField(choices=Rollout.choices)
    traffic_share = FiniteFloatField(min_value=0, max_value=1, required=False, default=0.0)

    def validate(self, attrs):
        if attrs["rollout"] == Rollout.SHARE and not 0 < attrs["traffic_share"] < 1:
            raise serializers.ValidationError({"traffic_share": ["Give a share between 0 and 1 for rollout 'share'."]})
        return attrs


class RolloutApi(APIView):
    """Make a version the challenger: in shadow, or serving a share of requests."""

    permission_classes = [AnalystsOnly]
    throttle_scope = "model_admin"

    @extend_schema(request=RolloutInputSerializer, responses=ModelVersionOutputSerializer)
    def post(self, request):
        data = RolloutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = _version_named(request, data.validated_data["model_version"])
        updated = model_version_set_rollout(
            version=version, rollout=data.validated_data["rollout"], traffic_share=data.validated_data["traffic_share"]
        )
        return Response(ModelVersionOutputSerializer(updated).data)


class ScoreInputSerializer(serializers.Serializer):
    capability = CapabilityField()
    segment = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    model_version = IdField(required=False)
    idempotency_key = serializers.CharField(required=False, max_length=128)
    params = serializers.DictField(required=False, default=dict)


class ScoreApi(APIView):
    """Batch-score every entity with a version (the active one unless given); 202 with the job."""

    permission_classes = [AnalystsOnly]
    throttle_scope = "model_admin"

    @extend_schema(request=ScoreInputSerializer, responses={202: JobOutputSerializer})
    def post(self, request):
        data = ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "model_version" in values:
            values["model_version"] = _version_named(request, values["model_version"])
        job = scoring_job_create(user=request.user, **values)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class CompareApi(APIView):
    permission_classes = [AnalystsOnly]

    @extend_schema(
        parameters=[OpenApiParameter("first", int, required=True), OpenApiParameter("second", int, required=True)],
        responses=serializers.ListSerializer(child=serializers.DictField()),
    )
    def get(self, request):
        """Two versions' metrics side by side."""
        ids = {}
        for name in ("first", "second"):
            version_id = id_from_text(request.query_params.get(name))
            if version_id is None:
                raise serializers.ValidationError({name: ["Give a model version id."]})
            ids[name] = _version_named(request, version_id, field=name)
        return Response(model_versions_compare(**ids))


class PerformanceApi(APIView):
    permission_classes = [AnalystsOnly]

    @extend_schema(
        parameters=[OpenApiParameter("capability", str, description="A registered capability, e.g. forecasting.")],
        responses=serializers.ListSerializer(child=serializers.DictField()),
    )
    def get(self, request):
        """Per version: training metrics, live accuracy over time and the latest drift report."""
        refuse_unknown_params(request, ["capability"])
        capability = request.query_params.get("capability") or None
        if capability:
            capability_checked(capability)
        return Response(model_performance(capability=capability))
