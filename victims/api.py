from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from accounts.drf import PolicyViewSetMixin

from .identity import reveal_identity
from .models import Victim


class IdentitySerializer(serializers.Serializer):
    full_name = serializers.CharField()
    aliases = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    contact = serializers.CharField()
    address = serializers.CharField(allow_null=True, help_text=_("Supporting NGO only; null for everyone else."))
    shelter_location = serializers.CharField(allow_null=True, help_text=_("Supporting NGO only."))


class VictimSerializer(serializers.ModelSerializer):
    nationality = serializers.CharField(source="nationality.code")

    class Meta:
        model = Victim
        fields = ["id", "code", "status", "sex", "age_group", "nationality", "created_at"]


class VictimDetailSerializer(VictimSerializer):
    identity = serializers.SerializerMethodField(
        help_text=_("Present only where the access policy lets the caller see identity; every read is logged.")
    )

    class Meta(VictimSerializer.Meta):
        fields = VictimSerializer.Meta.fields + ["identity"]

    @extend_schema_field(IdentitySerializer(allow_null=True))
    def get_identity(self, victim):
        identity = reveal_identity(self.context["request"].user, victim, purpose="api")
        return IdentitySerializer(identity).data if identity else None


class VictimViewSet(PolicyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Pseudonymous victim records the caller may see. Identity appears on the single record
    only, and only for those the policy allows."""

    queryset = Victim.objects.all()
    filterset_fields = ["status", "age_group"]

    def get_serializer_class(self):
        return VictimDetailSerializer if self.action == "retrieve" else VictimSerializer
