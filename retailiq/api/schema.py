"""The OpenAPI schema's errors: every operation documents the one JSON error shape
(retailiq.api.exception_handler) for the statuses any endpoint may answer, so a client
(or a schema-driven test) knows a 400, 404 or 429 is part of the contract."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="validation_error, not_found, throttled, ...")
    message = serializers.CharField(help_text="The first problem, naming its field.")
    fields = serializers.DictField(
        required=False,
        help_text="Each field's problems, when the request named fields: a list of messages, or for a "
        "nested object or list its own fields' problems in the same shape.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_RESPONSES = {
    "400": _("The request names a field, parameter or value the API cannot use; the message names it."),
    "401": _("No credentials, or a token that is unknown or expired."),
    "403": _("The caller's role may not do this."),
    "404": _("Nothing of that id among what the caller may see."),
    "429": _("Too many requests; retry after the Retry-After header's seconds."),
}


class ErrorDocumentingAutoSchema(AutoSchema):
    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # An address that may be left empty is a plain string: "" is no e-mail address.
        if isinstance(field, serializers.EmailField) and field.allow_blank:
            schema.pop("format", None)

    def _resolve_path_parameters(self, variables):
        # A view scopes its queryset to the caller, which an anonymous schema request is not;
        # its serializer's model still says what the id in the path is (an integer).
        view = self.view
        model = getattr(getattr(getattr(view, "serializer_class", None), "Meta", None), "model", None)
        if getattr(view, "queryset", None) is None and model is not None:
            view.queryset = model._default_manager.none()
        return super()._resolve_path_parameters(variables)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_RESPONSES.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    media_types=["application/json"],
                    direction=direction,
                )
        return responses
