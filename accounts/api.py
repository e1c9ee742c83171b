"""Who am I, and API tokens."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import two_factor


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


class TokenRequestSerializer(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False, allow_blank=True, write_only=True,
        help_text=_("For whoever may see victims' identities: the code the authenticator app shows, or a backup code."))


class ObtainTokenView(ObtainAuthToken):
    """Exchange username and password (and, for whoever may see victims' identities, `otp`: a
    code from their authenticator app or a backup code) for a fresh token (any older token is
    replaced).

    Runs outside the request transaction (see config/api_urls.py) so that django-axes'
    record of a failed attempt survives the error response: the API is throttled like the
    login page.
    """

    serializer_class = TokenRequestSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                raise exceptions.Throttled(detail=_("Too many failed attempts: this login is locked for a while."))
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if two_factor.required(user):
            # The same second factor as the web page: a token is as good as a signed-in session.
            if two_factor.authenticator(user) is None:
                raise exceptions.ValidationError({"otp": [_("Set up your second factor on the web page first.")]})
            code = serializer.validated_data.get("otp")
            if not code:
                raise exceptions.ValidationError(
                    {"otp": [_("A code from your authenticator app (or a backup code) is needed.")]})
            if two_factor.check(user, code) is None:
                raise exceptions.ValidationError({"otp": [_("That code is not valid (a code is good only once).")]})
        with transaction.atomic():
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})
