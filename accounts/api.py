"""Who am I, and API tokens."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
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


class ObtainTokenView(ObtainAuthToken):
    """Exchange username and password for a fresh token (any older token is replaced).

    Runs outside the request transaction (see config/api_urls.py) so that django-axes'
    record of a failed attempt survives the error response: the API is throttled like the
    login page.
    """

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(detail=_("Too many failed attempts: this login is locked for a while."))
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        with transaction.atomic():
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})
