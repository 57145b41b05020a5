from rest_framework import permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Capability, Job, ModelVersion
from .selectors import job_list_for_user, model_version_list_for_user
from .services import model_version_activate, training_job_create


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


class TrainInputSerializer(serializers.Serializer):
    capability = serializers.ChoiceField(choices=Capability.choices)
    segment = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    idempotency_key = serializers.CharField(required=False, max_length=128)
    params = serializers.DictField(required=False, default=dict)


class TrainApi(APIView):
    permission_classes = [AnalystsOnly]

    def post(self, request):
        data = TrainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = training_job_create(user=request.user, **data.validated_data)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DeployInputSerializer(serializers.Serializer):
    model_version = serializers.IntegerField(min_value=1)


class DeployApi(APIView):
    permission_classes = [AnalystsOnly]

    def post(self, request):
        data = DeployInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = model_version_list_for_user(user=request.user).filter(pk=data.validated_data["model_version"]).first()
        if version is None:
            raise serializers.ValidationError({"model_version": ["No such model version."]})
        return Response(ModelVersionOutputSerializer(model_version_activate(version=version)).data)
