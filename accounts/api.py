"""Who am I: the caller's agency and functions."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    agency = serializers.CharField(allow_null=True)
    functions = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "full_name": user.get_full_name(),
                    "agency": str(user.agency) if user.agency_id else None,
                    "functions": list(user.functions),
                }
            ).data
        )
