from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import User


class MeOutputSerializer(serializers.ModelSerializer):
    retailer = serializers.CharField(source="retailer.code", default=None, allow_null=True)
    vendor = serializers.CharField(source="vendor.code", default=None, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "retailer", "vendor"]


class MeApi(APIView):
    """The signed-in user and the role that scopes every other endpoint."""

    serializer_class = MeOutputSerializer

    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)
