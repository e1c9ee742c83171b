from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets

from accounts import policy
from accounts.drf import PolicyViewSetMixin
from accounts.versioning import check_version

from .models import Case


class CaseSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.StringRelatedField()
    version = serializers.IntegerField(
        help_text=_("The version you read; an update made against an older version is refused.")
    )

    class Meta:
        model = Case
        fields = [
            "id", "reference", "title", "jurisdiction", "opened_on", "stage", "priority",
            "is_transnational", "is_restricted", "investigation_summary", "version",
        ]
        read_only_fields = ["reference", "opened_on", "stage", "is_restricted"]

    def to_representation(self, case):
        data = super().to_representation(case)
        if not policy.can(self.context["request"].user, "view_investigation", case):
            data.pop("investigation_summary", None)
        return data

    def validate_investigation_summary(self, value):
        if not policy.can(self.context["request"].user, "view_investigation", self.instance):
            raise serializers.ValidationError(_("You may not edit investigative details."))
        return value

    def update(self, instance, validated_data):
        with transaction.atomic():
            try:
                check_version(instance, validated_data.pop("version", None))
            except DjangoValidationError as error:
                raise serializers.ValidationError({"version": error.messages}) from error
            return super().update(instance, validated_data)


class CaseViewSet(
    PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases the caller may see; updates need the right to edit the case."""

    serializer_class = CaseSerializer
    queryset = Case.objects.select_related("jurisdiction")
    policy_annotations = ("view_investigation",)
    filterset_fields = ["stage", "priority", "is_transnational"]
