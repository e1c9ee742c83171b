"""Cases through the API: the same fields, rules and services as the case pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import ModelRulesSerializer, PolicyViewSetMixin, model_errors
from accounts.models import Agency, Jurisdiction, User
from accounts.versioning import check_version

from .. import lifecycle, services
from ..filters import CaseFilter
from ..models import Case, CaseAssignment

# Seen only by those allowed investigative details (police, prosecution, supervisors).
INVESTIGATIVE_FIELDS = ("investigation_summary",)


class TransitionSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Case.Stage.choices)
    label = serializers.CharField()
    reason_required = serializers.BooleanField()


class CurrentTeamSerializer(serializers.ModelSerializer):
    user = serializers.StringRelatedField()

    class Meta:
        model = CaseAssignment
        fields = ["id", "team_role", "user", "started_on"]


class CaseSerializer(ModelRulesSerializer):
    jurisdiction = serializers.PrimaryKeyRelatedField(queryset=Jurisdiction.objects.all())
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    court = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(kind="court"), allow_null=True, required=False
    )
    version = serializers.IntegerField(
        required=False,
        help_text=_("The version you read; an update made against an older version is refused."),
    )

    class Meta:
        model = Case
        fields = [
            "id", "reference", "title", "jurisdiction", "jurisdiction_name", "court", "opened_on", "origin",
            "investigation_type", "parallel_financial_investigation", "priority", "exploitation_forms",
            "is_transnational", "countries_of_origin", "countries_of_transit", "countries_of_destination",
            "stage", "stage_entered_at", "closure_reason", "is_restricted", "investigation_summary", "version",
            "created_at", "updated_at",
        ]
        read_only_fields = ["stage", "stage_entered_at", "closure_reason", "is_restricted", "created_at",
                            "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["reference"].read_only = True  # the reference is fixed once the case is open
        return fields

    def to_representation(self, case):
        data = super().to_representation(case)
        if not access.can(self.context["request"].user, "view_investigation", case):
            for name in INVESTIGATIVE_FIELDS:
                data.pop(name, None)
        return data

    def validate(self, attrs):
        user = self.context["request"].user
        if self.instance is not None:
            if any(name in attrs for name in INVESTIGATIVE_FIELDS) and not access.can(
                    user, "view_investigation", self.instance):
                raise serializers.ValidationError({"investigation_summary": _("You may not edit investigative details.")})
            if "version" not in attrs:
                raise serializers.ValidationError({"version": _("Send the version you read.")})
        return attrs

    def create(self, validated_data):
        validated_data.pop("version", None)
        with model_errors():
            return services.open_case(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        try:
            check_version(instance, validated_data.pop("version"))
        except DjangoValidationError as stale:
            raise serializers.ValidationError({"version": stale.messages}) from None
        return super().update(instance, validated_data)


class CaseDetailSerializer(CaseSerializer):
    current_team = serializers.SerializerMethodField(help_text=_("Who holds each function in the case team now."))
    transitions = serializers.SerializerMethodField(
        help_text=_("The stage moves you may make now (POST one to /api/cases/{id}/move/).")
    )

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + ["current_team", "transitions"]

    @extend_schema_field(CurrentTeamSerializer(many=True))
    def get_current_team(self, case):
        current = case.assignments.filter(ended_on__isnull=True).select_related("user")
        return CurrentTeamSerializer(current, many=True).data

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, case):
        moves = lifecycle.available_transitions(case, self.context["request"].user)
        return TransitionSerializer(moves, many=True).data


class MoveSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=Case.Stage.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ExclusionSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    reason = serializers.CharField()


class CaseViewSet(
    PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Cases the caller may see. Investigators and prosecutors open cases; whoever may edit a
    case changes its fields (sending the version they read), moves it through its stages and,
    for prosecutors and supervisors, keeps people out of it."""

    queryset = Case.objects.select_related("jurisdiction")
    policy_annotations = ("view_investigation",)
    policy_action_for = {"move": "view", "exclude": "manage_team"}
    filterset_class = CaseFilter

    def get_serializer_class(self):
        if self.action == "move":
            return MoveSerializer
        if self.action == "exclude":
            return ExclusionSerializer
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def create(self, request, *args, **kwargs):
        if not access.may(request.user, "open_case"):
            raise exceptions.PermissionDenied(_("Only investigators and prosecutors open cases."))
        return super().create(request, *args, **kwargs)

    @extend_schema(request=MoveSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the case to another stage: the lifecycle decides whether this move is open to
        you now, and whether it needs a reason."""
        case = self.get_object()
        form = MoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            with model_errors():
                lifecycle.move(case, form.validated_data["target"], actor=request.user,
                               reason=form.validated_data["reason"])
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        case = access.get_object(request.user, Case.objects.select_related("jurisdiction"), pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=ExclusionSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def exclude(self, request, pk=None):
        """Keep a named person out of this case (conflict of interest, suspected involvement)."""
        case = self.get_object()
        form = ExclusionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with model_errors(), transaction.atomic():
            services.exclude_from_case(case, form.validated_data["user"], reason=form.validated_data["reason"],
                                       actor=request.user)
        return Response(status=status.HTTP_201_CREATED)
