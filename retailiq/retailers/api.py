from rest_framework import serializers, viewsets

from retailiq.api.filters import BoundedFilterSet

from .models import Retailer
from .selectors import retailer_list_for_user


class RetailerOutputSerializer(serializers.ModelSerializer):
    assigned_rep = serializers.CharField(source="assigned_rep.username", default=None, allow_null=True)

    class Meta:
        model = Retailer
        fields = [
            "id",
            "code",
            "name",
            "city",
            "region",
            "country",
            "segment",
            "contact_name",
            "contact_phone",
            "contact_email",
            "onboarded_on",
            "credit_limit",
            "assigned_rep",
            "is_active",
        ]


class RetailerFilter(BoundedFilterSet):
    class Meta:
        model = Retailer
        fields = ["city", "region", "segment", "is_active"]


class RetailerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RetailerOutputSerializer
    filterset_class = RetailerFilter
    search_fields = ["name", "code", "city"]
    ordering_fields = ["name", "onboarded_on", "credit_limit"]
    ordering = ["name"]

    def get_queryset(self):
        return retailer_list_for_user(user=self.request.user)
