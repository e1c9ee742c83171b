"""Who supports a victim and which cases they are part of: the facts that give access to
the victim (victims.grants), so each change goes through victims.services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import NOT_FOUND, PolicyParentField, model_errors
from accounts.models import Agency
from cases.models import Case

from .. import services
from ..models import Victim, VictimCaseLink, VictimSupport
from .base import ReadOnlySectionViewSet


class VictimSupportSerializer(serializers.ModelSerializer):
    victim = PolicyParentField(Victim, "change")
    victim_code = serializers.CharField(source="victim.code", read_only=True)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(kind="ngo", is_active=True),
        help_text=_("A victim service provider. It will see the victim, the identity and the shelter location."),
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = VictimSupport
        fields = ["id", "victim", "victim_code", "agency", "agency_name", "started_on", "ended_on"]
        read_only_fields = ["started_on", "ended_on"]
        validators = []  # the model's conditional constraint decides, with its own message

    def create(self, validated_data):
        with model_errors():
            return services.add_supporting_agency(validated_data["victim"], validated_data["agency"])


class EndSupportSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False)


class VictimSupportViewSet(mixins.CreateModelMixin, ReadOnlySectionViewSet):
    """The agencies supporting each victim (they see the victim, its identity and shelter).
    Adding one needs the right to edit the victim; only the supporting agency itself ends its
    support, which ends the access it gave."""

    serializer_class = VictimSupportSerializer
    related = ("agency",)
    policy_action_for = {"end": "view"}

    def get_serializer_class(self):
        return EndSupportSerializer if self.action == "end" else VictimSupportSerializer

    @extend_schema(request=EndSupportSerializer, responses=VictimSupportSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        support = self.get_object()
        form = EndSupportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            with model_errors():
                services.end_support(support, actor=request.user, ended_on=form.validated_data.get("ended_on"))
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        support.refresh_from_db()
        return Response(VictimSupportSerializer(support, context=self.get_serializer_context()).data)


class VictimCaseLinkSerializer(serializers.ModelSerializer):
    victim = PolicyParentField(Victim, "change")
    victim_code = serializers.CharField(source="victim.code", read_only=True)
    case = serializers.IntegerField(source="case_id", help_text=_("On reading: null for a case you may not see."))
    case_reference = serializers.SerializerMethodField(help_text=_("Null for a case you may not see."))

    class Meta:
        model = VictimCaseLink
        fields = ["id", "victim", "victim_code", "case", "case_reference", "role"]
        validators = []

    def to_representation(self, link):
        data = super().to_representation(link)
        if not getattr(link, "case_visible", True):
            data["case"] = None
        return data

    def validate_case(self, pk):
        """Linking needs the right to edit the case as well as the victim."""
        case = access.get_object(self.context["request"].user, Case, for_update=True, pk=pk)
        if case is None or not access.can(self.context["request"].user, "view", case):
            raise serializers.ValidationError(NOT_FOUND)
        if not access.can(self.context["request"].user, "change", case):
            raise exceptions.PermissionDenied(_("You may not edit this case."))
        return case

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_reference(self, link):
        return link.case.reference if getattr(link, "case_visible", True) else None

    def create(self, validated_data):
        with model_errors():
            return services.link_to_case(validated_data["victim"], validated_data["case_id"], validated_data["role"])


class VictimCaseLinkViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ReadOnlySectionViewSet):
    """The cases each victim is part of, with their role. A case the caller may not see (a
    restricted one) is shown without its reference. Linking and unlinking need the right to
    edit both the victim and the case."""

    serializer_class = VictimCaseLinkSerializer
    related = ("case",)
    policy_action_for = {"destroy": "view"}

    def get_queryset(self):
        cases = access.visible(self.request.user, Case.objects.filter(pk=OuterRef("case_id")))
        return super().get_queryset().annotate(case_visible=Exists(cases))

    def destroy(self, request, *args, **kwargs):
        link = self.get_object()
        user = request.user
        if not (access.can(user, "change", link.victim) and link.case_visible
                and access.can(user, "change", link.case)):
            raise exceptions.PermissionDenied(_("Unlinking needs the right to edit both the victim and the case."))
        services.unlink_from_case(link)
        return Response(status=status.HTTP_204_NO_CONTENT)
