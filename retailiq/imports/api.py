"""Imports over the REST API: upload (multipart) and optionally start in one call, then
poll the batch, page through its issues, and undo it. Analysts and admins only; errors
go through the project's exception handler (ImportRejected names its fields)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse as page_reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from retailiq.registry.api import AnalystsOnly

from .models import ImportBatch, ImportIssue, ImportMode, IssueSeverity
from .reading import PRESETS
from .selectors import import_batch_list, import_issue_list
from .services import (
    ImportRejected,
    ImportTooLarge,
    import_batch_configure,
    import_batch_create,
    import_batch_start,
    import_batch_undo,
)
from .upload_handlers import install_size_limit


class ImportersOnly(AnalystsOnly):
    message = "Only analysts and admins work with imports."


class ImportBatchOutputSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None, allow_null=True)
    urls = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "original_name",
            "size_bytes",
            "sha256",
            "state",
            "stage",
            "message",
            "error",
            "mode",
            "preset",
            "mapping",
            "options",
            "percent",
            "bytes_read",
            "lines_read",
            "lines_accepted",
            "lines_rejected",
            "lines_set_aside",
            "lines_skipped",
            "lines_already_present",
            "summary",
            "uploaded_by",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "undone_at",
            "urls",
        ]

    @extend_schema_field(
        {"type": "object", "properties": {k: {"type": "string"} for k in ("self", "issues", "start", "undo", "page")}}
    )
    def get_urls(self, batch: ImportBatch) -> dict[str, str]:
        request = self.context.get("request")
        urls = {
            name: reverse(f"import-{name}" if name != "self" else "import-detail", args=[batch.pk], request=request)
            for name in ("self", "issues", "start", "undo")
        }
        page = page_reverse("import-batch", args=[batch.pk])
        urls["page"] = request.build_absolute_uri(page) if request else page
        return urls


class ImportIssueOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportIssue
        fields = ["line_number", "column", "value", "reason", "severity", "row"]


class ImportCreateInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file, plain or gzip-compressed (.csv.gz).")
    preset = serializers.ChoiceField(choices=[("", "none"), *((p, p) for p in PRESETS)], required=False, default="")
    mode = serializers.ChoiceField(choices=ImportMode.choices, required=False, default=ImportMode.QUARANTINE)
    mapping = serializers.JSONField(
        required=False, default=dict, help_text='RetailIQ field -> column header, e.g. {"quantity": "Qty"}.'
    )
    options = serializers.JSONField(
        required=False,
        default=dict,
        help_text="auto_create_retailers, auto_create_products, default_vendor, date_format, ...",
    )
    start = serializers.BooleanField(required=False, default=False, help_text="Queue the import at once.")

    def _object(self, value, name: str) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError(f"{name} must be a JSON object.")
        return value

    def validate_mapping(self, value) -> dict:
        mapping = self._object(value, "mapping")
        if not all(isinstance(column, str | None) for column in mapping.values()):
            raise serializers.ValidationError("Each field maps to a column header (text) or null.")
        return mapping

    def validate_options(self, value) -> dict:
        return self._object(value, "options")


class IssueQuerySerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=IssueSeverity.choices, required=False)


def _batch(request, pk: int) -> ImportBatch:
    return get_object_or_404(import_batch_list(user=request.user), pk=pk)


def _answer(request, batch: ImportBatch, code: int = status.HTTP_200_OK) -> Response:
    return Response(ImportBatchOutputSerializer(batch, context={"request": request}).data, status=code)


class ImportListCreateApi(generics.ListAPIView):
    """Imports, newest first; POST uploads a file as a new import."""

    permission_classes = [ImportersOnly]
    serializer_class = ImportBatchOutputSerializer
    filterset_fields = ["state"]
    ordering_fields = ["created_at", "lines_read"]
    ordering = ["-created_at"]

    filter_backends = [DjangoFilterBackend, OrderingFilter]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ImportBatch.objects.none()
        return import_batch_list(user=self.request.user)

    def initialize_request(self, request, *args, **kwargs):
        # Before anything parses the body: the size limit applies while it streams in.
        self.size_limit = install_size_limit(request) if request.method == "POST" else None
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportCreateInputSerializer},
        responses={201: ImportBatchOutputSerializer},
        description="Upload a CSV (multipart). The mapping and options are JSON objects; with start=true the "
        "import is queued at once. A file over RETAILIQ_IMPORT_MAX_BYTES answers 413.",
    )
    def post(self, request, *args, **kwargs) -> Response:
        payload = request.data  # parsed here, through the limit
        if self.size_limit is not None and self.size_limit.exceeded:
            message = self.size_limit.message
            raise ImportTooLarge(message)
        data = ImportCreateInputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values["file"]
        batch = None
        try:
            # One call, one outcome: settings the services refuse leave no batch behind.
            with transaction.atomic():
                batch = import_batch_create(source=upload, original_name=upload.name, user=request.user)
                import_batch_configure(
                    batch=batch,
                    mapping=values["mapping"],
                    options=values["options"],
                    mode=values["mode"],
                    preset=values["preset"],
                )
                if values["start"]:
                    batch = import_batch_start(batch=batch)
        except ImportRejected:
            if batch is not None:
                batch.file.delete(save=False)
            raise
        return _answer(request, batch, status.HTTP_201_CREATED)


class ImportDetailApi(APIView):
    permission_classes = [ImportersOnly]

    @extend_schema(responses=ImportBatchOutputSerializer)
    def get(self, request, pk: int, version=None) -> Response:
        """State, counters, percent and, once finished, the summary."""
        return _answer(request, _batch(request, pk))


class ImportIssuesApi(generics.ListAPIView):
    """Every line the import did not turn into an order line, by line number."""

    permission_classes = [ImportersOnly]
    serializer_class = ImportIssueOutputSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return ImportIssue.objects.none()
        query = IssueQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        batch = _batch(self.request, self.kwargs["pk"])
        return import_issue_list(batch=batch, severity=query.validated_data.get("severity"))

    @extend_schema(
        parameters=[OpenApiParameter("severity", enum=IssueSeverity.values, required=False)],
        responses=ImportIssueOutputSerializer(many=True),
    )
    def get(self, request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class ImportStartApi(APIView):
    permission_classes = [ImportersOnly]

    @extend_schema(request=None, responses={202: ImportBatchOutputSerializer})
    def post(self, request, pk: int, version=None) -> Response:
        """Queue an uploaded import; a worker runs it. Poll the batch for progress."""
        return _answer(request, import_batch_start(batch=_batch(request, pk)), status.HTTP_202_ACCEPTED)


class ImportUndoApi(APIView):
    permission_classes = [ImportersOnly]

    @extend_schema(request=None, responses=ImportBatchOutputSerializer)
    def post(self, request, pk: int, version=None) -> Response:
        """Remove what a succeeded import wrote."""
        return _answer(request, import_batch_undo(batch=_batch(request, pk), user=request.user))
