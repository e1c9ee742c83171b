"""The parts of a victim's file through the API: status decisions, identity documents,
supporting agencies, case links, consents, assistance, cooperation with the authorities,
reflection periods, residence permits, asylum claims, returns, risk assessments, safety plans,
protected relatives, non-punishment decisions, detentions, participation, data-subject
requests and counselling notes.

Each is a top-level collection filtered by `?victim=`. Reading and editing a record asks the
access policy about that record (its rule follows the part of the victim's file it belongs
to); adding one asks about the victim through PolicyParentField, with the victim action that
changes that part of the file, and locks the victim for the rest of the request. Where a
service exists (consent, assistance, reflection period, return) it does the writing.
"""
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import PolicyRelatedField, model_errors
from accounts.models import Agency, Jurisdiction
from cases.models import Case, Defendant

from .. import services
from ..models import (
    AssistanceService, AsylumClaim, Consent, CooperationWithAuthorities, CounsellingNote, DataSubjectRequest,
    Detention, IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative, ReflectionPeriod,
    ResidencePermit, Return, RiskAssessment, SafetyPlan, StatusDecision,
)


from .base import (
    AppendOnlyViewSet, ReadOnlySectionViewSet, VictimRecordSerializer, VictimSectionViewSet, victim_field,
)
from .links import VictimCaseLinkViewSet, VictimSupportViewSet


# --- The record: status decisions, identity documents, support and case links --------------

class StatusDecisionSerializer(serializers.ModelSerializer):
    victim_code = serializers.CharField(source="victim.code", read_only=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = StatusDecision
        fields = ["id", "victim", "victim_code", "status", "decided_on", "authority", "deciding_organisation",
                  "criteria", "channel", "protections_ended", "recorded_by"]
        extra_kwargs = {"criteria": {"help_text": _("The criteria used; for “not a victim”, the reasons.")},
                        "protections_ended": {"help_text": _("What a “not a victim” decision ended, one per line.")}}


class StatusDecisionViewSet(ReadOnlySectionViewSet):
    """Every step of the status ladder and every "not a victim" decision; a step is taken at
    /api/victims/{id}/status/, the other at /api/victims/{id}/not-a-victim/."""

    serializer_class = StatusDecisionSerializer
    related = ("recorded_by",)


class IdentityDocumentSerializer(VictimRecordSerializer):
    victim = victim_field(IdentityDocument)

    class Meta:
        model = IdentityDocument
        fields = "__all__"


class IdentityDocumentViewSet(VictimSectionViewSet):
    """Identity and travel documents and who holds them: part of the identity."""

    serializer_class = IdentityDocumentSerializer
    filter_fields = ("kind", "held_by")


# --- Consent, assistance, cooperation --------------------------------------------------------

class ConsentSerializer(VictimRecordSerializer):
    victim = victim_field(Consent)
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True), allow_null=True, required=False,
        help_text=_("The agency data is shared with or the victim is referred to."),
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True, allow_null=True)
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Consent
        fields = "__all__"
        read_only_fields = ["withdrawn_on", "withdrawal_note"]
        validators = []  # the model's constraints decide, with their own messages (see give_consent)

    def create(self, validated_data):
        with model_errors():
            return services.give_consent(
                validated_data["victim"], actor=self.actor(), purpose=validated_data["purpose"],
                agency=validated_data.get("agency"), informed=validated_data.get("informed", False),
                given_on=validated_data.get("given_on"),
            )


class WithdrawalSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    withdrawn_on = serializers.DateField(required=False, allow_null=True, default=None)


class ConsentViewSet(AppendOnlyViewSet):
    """Consents are given and withdrawn, not rewritten. Consent to share with an agency gives
    that agency access to the victim; withdrawing it (POST /api/consents/{id}/withdraw/) takes
    that access away at once."""

    serializer_class = ConsentSerializer
    related = ("agency", "recorded_by")
    filter_fields = ("purpose", "agency")
    policy_action_for = {"withdraw": "change"}

    def get_serializer_class(self):
        return WithdrawalSerializer if self.action == "withdraw" else ConsentSerializer

    @extend_schema(request=WithdrawalSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        form = WithdrawalSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with model_errors():
            consent = services.withdraw_consent(consent, **form.validated_data)
        consent = self.get_queryset().get(pk=consent.pk)
        return Response(ConsentSerializer(consent, context=self.get_serializer_context()).data)


class AssistanceServiceSerializer(VictimRecordSerializer):
    victim = victim_field(AssistanceService)
    provider = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = AssistanceService
        fields = "__all__"

    def create(self, validated_data):
        with model_errors():
            return services.add_service(validated_data.pop("victim"), **validated_data)


class AssistanceServiceViewSet(VictimSectionViewSet):
    """Services the victim receives: from “presumed” on, never conditional on cooperation."""

    serializer_class = AssistanceServiceSerializer
    related = ("provider",)
    filter_fields = ("kind", "provider")


class CooperationSerializer(VictimRecordSerializer):
    victim = victim_field(CooperationWithAuthorities)

    class Meta:
        model = CooperationWithAuthorities
        fields = "__all__"


class CooperationViewSet(VictimSectionViewSet):
    """Whether each victim cooperates with the authorities (one record per victim, its id is the
    victim's). Kept apart: no service or permit decision reads it."""

    serializer_class = CooperationSerializer
    filter_fields = ("status",)


# --- Residence: reflection periods, permits, asylum, returns -------------------------------

class ReflectionPeriodSerializer(VictimRecordSerializer):
    victim = victim_field(ReflectionPeriod)
    jurisdiction = serializers.PrimaryKeyRelatedField(
        queryset=Jurisdiction.objects.all(), help_text=_("Its length is this jurisdiction's setting."))

    class Meta:
        model = ReflectionPeriod
        fields = "__all__"
        read_only_fields = ["ends_on"]

    def create(self, validated_data):
        with model_errors():
            return services.start_reflection_period(validated_data.pop("victim"), **validated_data)

    def save_instance(self, period):
        period.ends_on = period.compute_ends_on()
        return super().save_instance(period)


class ReflectionPeriodViewSet(VictimSectionViewSet):
    serializer_class = ReflectionPeriodSerializer
    related = ("jurisdiction",)


class ResidencePermitSerializer(VictimRecordSerializer):
    victim = victim_field(ResidencePermit)
    renewal_of = PolicyRelatedField(ResidencePermit, allow_null=True, required=False,
                                    help_text=_("A permit of the same victim."))
    shorter_than_six_months = serializers.BooleanField(read_only=True)

    class Meta:
        model = ResidencePermit
        fields = "__all__"


class ResidencePermitViewSet(VictimSectionViewSet):
    serializer_class = ResidencePermitSerializer
    filter_fields = ("kind", "status")


class AsylumClaimSerializer(VictimRecordSerializer):
    victim = victim_field(AsylumClaim)

    class Meta:
        model = AsylumClaim
        fields = "__all__"


class AsylumClaimViewSet(VictimSectionViewSet):
    serializer_class = AsylumClaimSerializer
    filter_fields = ("status",)


class ReturnSerializer(VictimRecordSerializer):
    victim = victim_field(Return)
    risk_assessment = PolicyRelatedField(RiskAssessment, help_text=_("A completed risk assessment of this victim."))
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = Return
        fields = "__all__"

    def create(self, validated_data):
        with model_errors():
            return services.record_return(validated_data.pop("victim"), actor=self.actor(), **validated_data)


class ReturnViewSet(AppendOnlyViewSet):
    """Returns: only after a completed risk assessment and non-refoulement check, and never
    while a linked case is open (the repatriation hold)."""

    serializer_class = ReturnSerializer
    related = ("recorded_by",)


# --- Safety: risk assessments, safety plans, protected relatives ----------------------------

class RiskAssessmentSerializer(VictimRecordSerializer):
    victim = victim_field(RiskAssessment)
    assessed_by = serializers.StringRelatedField()
    agency = serializers.StringRelatedField()

    class Meta:
        model = RiskAssessment
        fields = "__all__"


class RiskAssessmentViewSet(VictimSectionViewSet):
    serializer_class = RiskAssessmentSerializer
    related = ("assessed_by", "agency")
    filter_fields = ("level", "completed")

    def perform_create(self, serializer):
        if not self.request.user.agency_id:
            raise exceptions.PermissionDenied(_("Risk assessments are made on behalf of an agency."))
        serializer.save(assessed_by=self.request.user, agency=self.request.user.agency)


class SafetyPlanSerializer(VictimRecordSerializer):
    victim = victim_field(SafetyPlan)
    risk_assessment = PolicyRelatedField(RiskAssessment, help_text=_("An assessment of the same victim."))

    class Meta:
        model = SafetyPlan
        fields = "__all__"


class SafetyPlanViewSet(VictimSectionViewSet):
    serializer_class = SafetyPlanSerializer


class ProtectedRelativeSerializer(VictimRecordSerializer):
    victim = victim_field(ProtectedRelative)

    class Meta:
        model = ProtectedRelative
        fields = "__all__"


class ProtectedRelativeViewSet(VictimSectionViewSet):
    """Relatives under threat: their names are identity, read only by those who may see the
    victim's identity."""

    serializer_class = ProtectedRelativeSerializer


# --- Justice: non-punishment, detention, participation, data requests, counselling ---------

class NonPunishmentDecisionSerializer(VictimRecordSerializer):
    victim = victim_field(NonPunishmentDecision)
    defendant = PolicyRelatedField(
        Defendant, help_text=_("The defendant recorded as the same person as the victim, in a case whose proceedings "
                               "you may see."))
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = NonPunishmentDecision
        fields = "__all__"


class NonPunishmentDecisionViewSet(AppendOnlyViewSet):
    serializer_class = NonPunishmentDecisionSerializer
    related = ("recorded_by",)
    filter_fields = ("outcome",)

    def perform_create(self, serializer):
        serializer.save(recorded_by=self.request.user)


class DetentionSerializer(VictimRecordSerializer):
    victim = victim_field(Detention)

    class Meta:
        model = Detention
        fields = "__all__"


class DetentionViewSet(VictimSectionViewSet):
    """The register of detentions. Routine detention of a child is refused."""

    serializer_class = DetentionSerializer


class ParticipationSerializer(VictimRecordSerializer):
    victim = victim_field(ParticipationEntry)
    case = PolicyRelatedField(Case, allow_null=True, required=False,
                              help_text=_("A case the victim is linked to; null on reading for a case you may not see."))
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = ParticipationEntry
        fields = "__all__"

    def to_representation(self, entry):
        data = super().to_representation(entry)
        if entry.case_id and not getattr(entry, "case_visible", False):
            data["case"] = None  # a restricted case's id stays inside its team
        return data


class ParticipationViewSet(AppendOnlyViewSet):
    """The victim's views at each stage and every notice given to them: a log, added to and
    never rewritten."""

    serializer_class = ParticipationSerializer
    related = ("recorded_by",)
    filter_fields = ("kind", "notice_about")

    def get_queryset(self):
        cases = access.visible(self.request.user, Case.objects.filter(pk=OuterRef("case_id")))
        return super().get_queryset().annotate(case_visible=Exists(cases))

    def perform_create(self, serializer):
        serializer.save(recorded_by=self.request.user)


HANDLED = (DataSubjectRequest.Status.DONE, DataSubjectRequest.Status.REFUSED)


class DataSubjectRequestSerializer(VictimRecordSerializer):
    victim = victim_field(DataSubjectRequest)
    consent = PolicyRelatedField(Consent, allow_null=True, required=False,
                                 help_text=_("For a withdrawal: the consent the victim withdraws."))
    handled_by = serializers.StringRelatedField(help_text=_("Whoever recorded it as done or refused."))

    class Meta:
        model = DataSubjectRequest
        fields = "__all__"


class DataSubjectRequestViewSet(VictimSectionViewSet):
    """The victim's requests about their own data, and how each was handled."""

    serializer_class = DataSubjectRequestSerializer
    related = ("handled_by",)
    filter_fields = ("kind", "status")

    def _handler(self, serializer):
        before = serializer.instance.status if serializer.instance is not None else None
        after = serializer.validated_data.get("status", before)
        return {"handled_by": self.request.user} if after in HANDLED and before not in HANDLED else {}

    def perform_create(self, serializer):
        serializer.save(**self._handler(serializer))

    def perform_update(self, serializer):
        serializer.save(**self._handler(serializer))


class CounsellingNoteSerializer(VictimRecordSerializer):
    victim = victim_field(CounsellingNote)
    author = serializers.StringRelatedField()
    agency = serializers.StringRelatedField()

    class Meta:
        model = CounsellingNote
        fields = "__all__"
        read_only_fields = ["created_at"]


class CounsellingNoteViewSet(AppendOnlyViewSet):
    """Counselling notes: written and read by the supporting NGO's caseworkers only, each note
    by the agency that wrote it. Not rewritten."""

    serializer_class = CounsellingNoteSerializer
    related = ("author", "agency")

    def perform_create(self, serializer):
        if not self.request.user.agency_id:
            raise exceptions.PermissionDenied(_("Counselling notes are written on behalf of an agency."))
        serializer.save(author=self.request.user, agency=self.request.user.agency)


# Route prefix -> viewset, registered in config/api_urls.py (through victims.api.ROUTES).
ROUTES = {
    "status-decisions": StatusDecisionViewSet,
    "identity-documents": IdentityDocumentViewSet,
    "victim-supports": VictimSupportViewSet,
    "victim-case-links": VictimCaseLinkViewSet,
    "consents": ConsentViewSet,
    "services": AssistanceServiceViewSet,
    "cooperation": CooperationViewSet,
    "reflection-periods": ReflectionPeriodViewSet,
    "residence-permits": ResidencePermitViewSet,
    "asylum-claims": AsylumClaimViewSet,
    "returns": ReturnViewSet,
    "risk-assessments": RiskAssessmentViewSet,
    "safety-plans": SafetyPlanViewSet,
    "protected-relatives": ProtectedRelativeViewSet,
    "non-punishment-decisions": NonPunishmentDecisionViewSet,
    "detentions": DetentionViewSet,
    "participation": ParticipationViewSet,
    "data-requests": DataSubjectRequestViewSet,
    "counselling-notes": CounsellingNoteViewSet,
}

# What the victim's own data export holds, each part as the exporting user may read it:
# name -> (model, serializer).
EXPORTED = {
    name.replace("-", "_"): (viewset.serializer_class.Meta.model, viewset.serializer_class)
    for name, viewset in ROUTES.items() if name != "cooperation"
}


def readable(user, model):
    """The records of this kind the user may read, loaded as the collection loads them."""
    viewset = next(v for v in ROUTES.values() if v.serializer_class.Meta.model is model)
    queryset = viewset.queryset
    if viewset is VictimCaseLinkViewSet:
        cases = access.visible(user, Case.objects.filter(pk=OuterRef("case_id")))
        queryset = queryset.annotate(case_visible=Exists(cases))
    return access.visible(user, queryset)
