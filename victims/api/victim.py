"""Victims through the API: the pseudonymous record, its identity (read only through
reveal_identity, every read logged), the status ladder and the victim's own data export.

The same fields, services and access policy as the victim pages: recording, editing and
status changes go through victims.services; identity leaves the database only through
victims.identity.reveal_identity; a victim the caller may not see answers like a missing one.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from accounts.versioning import STALE_MESSAGE
from accounts.audit import log_access
from access.drf import ModelRulesSerializer, PolicyViewSetMixin, ValueToReviewSerializer, model_errors, values_reviewed_field
from accounts.functions import AgencyKind
from accounts.models import AccessLog, Agency

from .. import services
from ..filters import VictimFilter
from ..flags import with_flags
from ..identity import reveal_identity
from ..models import (
    IDENTITY_FIELDS, SHELTER_FIELDS, CooperationWithAuthorities, IdentificationChannel, Victim, VictimIdentity,
)
from ..models.vocabularies import DecidingOrganisation
from . import sections

# Identity fields a caller may write (nested under `identity`). The mailing address and the
# shelter location (SHELTER_FIELDS) are the supporting NGO's: only those who may read them may
# change them afterwards [SPEC 2.3].
WRITABLE_IDENTITY_FIELDS = (*IDENTITY_FIELDS, *SHELTER_FIELDS)
NGO_ONLY = _("Supporting NGO only; null for everyone else.")


def victims_queryset():
    return with_flags(Victim.objects.select_related("recording_agency"))


# --- Reading ------------------------------------------------------------------------------

class IdentitySerializer(serializers.Serializer):
    """The identity as reveal_identity gives it to the reader: the mailing address parts and the
    shelter location are null unless the reader may see them (the supporting NGO), "" when
    they may and nothing is recorded [SPEC 2.3]."""

    full_name = serializers.CharField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    aliases = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    salutation = serializers.CharField(help_text=_("As the person wishes to be addressed (HTCDS prs_Salutation)."))
    title = serializers.CharField(help_text=_("HTCDS prs_Title, for example Dr."))
    email = serializers.CharField(help_text=_("HTCDS prs_Email."))
    home_phone = serializers.CharField(help_text=_("HTCDS prs_HomePhone."))
    mobile_phone = serializers.CharField(help_text=_("HTCDS prs_MobilePhone."))
    contact = serializers.CharField(help_text=_("Other contact details: what fits no phone or e-mail field."))
    guardian = serializers.CharField(help_text=_("Guardian or legal representative (children)."))
    accompanying_adult = serializers.CharField(
        help_text=_("Name and stated relationship; may be the trafficker until verified."))
    mailing_street = serializers.CharField(allow_null=True, help_text=NGO_ONLY)
    mailing_city = serializers.CharField(allow_null=True, help_text=NGO_ONLY)
    mailing_state = serializers.CharField(
        allow_null=True, help_text=_("State, province or district. Supporting NGO only; null for everyone else."))
    mailing_postal_code = serializers.CharField(allow_null=True, help_text=NGO_ONLY)
    # A plain choice, not django_countries' field: that one turns "none recorded" into null too.
    mailing_country = serializers.ChoiceField(
        choices=countries, allow_blank=True, allow_null=True,
        help_text=_("The address's country (ISO 3166 code). Supporting NGO only; null for everyone else."))
    shelter_location = serializers.CharField(allow_null=True, help_text=NGO_ONLY)


class CooperationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = CooperationWithAuthorities
        fields = ["status", "since", "notes"]


class VictimSerializer(ModelRulesSerializer):
    """The pseudonymous record: safe to show wherever the victim may be seen."""

    is_treated_as_child = serializers.BooleanField(
        read_only=True, help_text=_("A child, or anyone whose age is in doubt."))
    accompanying_adult_unverified = serializers.BooleanField(
        read_only=True, help_text=_("An accompanying adult is recorded and not yet verified."))
    non_criminalisation_flag = serializers.BooleanField(
        read_only=True, help_text=_("Charged with an offence tied to their trafficking and no non-punishment "
                                    "decision recorded yet."))
    recording_agency = serializers.CharField(source="recording_agency.name", read_only=True)
    version = serializers.IntegerField(
        required=False, help_text=_("The version you read; an edit made against an older version is refused."))
    values_to_review = ValueToReviewSerializer(many=True, read_only=True, source="review_notes")
    values_reviewed = values_reviewed_field()

    class Meta:
        model = Victim
        fields = [
            "id", "code", "status", "sex", "age_group", "estimated_age", "is_treated_as_child", "nationality",
            "languages", "interpreter_needed", "identification_channel", "indicators", "exploitation_forms",
            "sex_exploitation_types", "forced_labour_industries", "methods_of_control", "recruitment",
            "recruitment_lures", "recruitment_country", "recruitment_place", "exploitation_country",
            "exploitation_place", "has_accompanying_adult", "accompanying_adult_verified_on",
            "accompanying_adult_unverified", "non_criminalisation_flag", "values_to_review", "values_reviewed",
            "recording_agency", "created_at", "updated_at", "version",
        ]
        read_only_fields = ["status", "accompanying_adult_verified_on", "created_at", "updated_at"]


class VictimDetailSerializer(VictimSerializer):
    identity = serializers.SerializerMethodField(
        help_text=_("Null unless the access policy lets you see the identity; every read is logged.")
    )
    cooperation = serializers.SerializerMethodField(
        help_text=_("Cooperation with the authorities: present only for those who may see it (police, "
                    "prosecution, the supporting NGO); null when none is recorded.")
    )

    class Meta(VictimSerializer.Meta):
        fields = VictimSerializer.Meta.fields + ["identity", "cooperation"]

    @extend_schema_field(IdentitySerializer(allow_null=True))
    def get_identity(self, victim):
        return identity_data(self.context["request"].user, victim, purpose="api")

    @extend_schema_field(CooperationSummarySerializer(allow_null=True, required=False))
    def get_cooperation(self, victim):
        if not access.can(self.context["request"].user, "view_cooperation", victim):
            return None
        cooperation = CooperationWithAuthorities.objects.filter(victim=victim).first()
        return CooperationSummarySerializer(cooperation).data if cooperation else None

    def to_representation(self, victim):
        data = super().to_representation(victim)
        if not access.can(self.context["request"].user, "view_cooperation", victim):
            data.pop("cooperation", None)
        return data


def identity_data(user, victim, *, purpose):
    """The identity for `user` as a dict, or None: reveal_identity decides and logs."""
    revealed = reveal_identity(user, victim, purpose=purpose)
    return None if revealed is None else IdentitySerializer(revealed).data


# --- Writing ------------------------------------------------------------------------------

class IdentityInputSerializer(CountryFieldMixin, serializers.ModelSerializer):
    # The model's own field rules: e-mail and phone formats are refused here as on the pages.
    class Meta:
        model = VictimIdentity
        fields = list(WRITABLE_IDENTITY_FIELDS)


class VictimWriteSerializer(VictimSerializer):
    """Recording (POST) and editing (PATCH) a victim. The status moves only through
    /api/victims/{id}/status/, the accompanying adult is verified through its own action."""

    identity = IdentityInputSerializer(
        required=False, write_only=True,
        help_text=_("The identity, kept in its own protected record. When editing, only for those who may "
                    "see the identity; the mailing address and the shelter location only for the "
                    "supporting NGO."),
    )
    supporting_agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(kind=AgencyKind.NGO, is_active=True), many=True, required=False,
        write_only=True, help_text=_("NGOs supporting the victim (recording only): they see the victim, its "
                                     "identity and shelter location."),
    )

    class Meta(VictimSerializer.Meta):
        fields = VictimSerializer.Meta.fields + ["identity", "supporting_agencies"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields.pop("supporting_agencies")  # later through the supporting agencies' own process
        return fields

    def validate(self, attrs):
        victim, user = self.instance, self.context["request"].user
        if victim is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("Send the version you read.")})
        if victim is None:
            attrs.pop("version", None)
        if victim is not None and "identity" in attrs:
            if not access.can(user, "view_identity", victim):
                raise exceptions.PermissionDenied(_("You may not see or change this victim's identity."))
            if any(name in attrs["identity"] for name in SHELTER_FIELDS) and not access.can(
                    user, "view_shelter", victim):
                raise exceptions.PermissionDenied(_("The mailing address and the shelter location are for the "
                                                    "supporting NGO only."))
        return attrs

    def create(self, validated_data):
        identity = validated_data.pop("identity", None) or {}
        agencies = validated_data.pop("supporting_agencies", [])
        validated_data.pop("values_reviewed", None)  # a new record has nothing to review
        with identity_errors():
            return services.record_victim(actor=self.context["request"].user, identity=identity,
                                          supporting_agencies=agencies, **validated_data)

    def update(self, victim, validated_data):
        identity = validated_data.pop("identity", None)
        version = validated_data.pop("version")
        if not validated_data.get("values_reviewed"):
            validated_data.pop("values_reviewed", None)
        try:
            with identity_errors(), transaction.atomic():
                # The record first: a known date of birth then decides the age group, unless the
                # age is (now) recorded as in doubt.
                if validated_data or not identity:
                    version = services.update_victim(victim, version=version, **validated_data).version
                if identity:
                    services.update_identity(victim, version=version, **identity)
        except serializers.ValidationError as error:
            if str(STALE_MESSAGE) in str(error.detail):
                raise serializers.ValidationError({"version": [STALE_MESSAGE]}) from None
            raise
        victim.refresh_from_db()  # keeps the flags annotated when it was loaded
        return victim


@contextmanager
def identity_errors():
    """model_errors, with the identity's field errors nested under `identity`."""
    try:
        with model_errors():
            yield
    except serializers.ValidationError as refused:
        detail = refused.detail
        nested = {name: detail.pop(name) for name in list(detail) if name in WRITABLE_IDENTITY_FIELDS}
        if nested:
            detail["identity"] = nested
        raise serializers.ValidationError(detail) from None


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Victim.Status.choices)
    authority = serializers.CharField(max_length=200, help_text=_("Who decided."))
    criteria = serializers.CharField(help_text=_("The criteria used."))
    channel = serializers.ChoiceField(choices=IdentificationChannel.choices, required=False, allow_blank=True,
                                      default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None)
    deciding_organisation = serializers.ChoiceField(
        choices=DecidingOrganisation.choices, required=False, allow_blank=True, default="",
        help_text=_("The kind of organisation that decided (HTCDS); by default, that of your agency."))


class ProtectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Name it in `end_protections` to end it with the decision."))
    kind = serializers.ChoiceField(choices=["service", "reflection", "support", "permit"])
    label = serializers.CharField()
    may_end = serializers.BooleanField(help_text=_("False for another agency's support: only that agency ends it."))

    def to_representation(self, protection):
        return {"key": protection.key, "kind": protection.key.split(":")[0], "label": str(protection.label),
                "may_end": protection.may_end(self.context["request"].user)}


class NotAVictimSerializer(serializers.Serializer):
    authority = serializers.CharField(max_length=200, help_text=_("Who decided."))
    reasons = serializers.CharField(
        help_text=_("Why the person is not a victim of trafficking; kept as the decision's criteria."),
        error_messages={"required": services.REASONS_REQUIRED, "blank": services.REASONS_REQUIRED})
    decided_on = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text=_("Today when left out; protections ended end on this date."))
    deciding_organisation = serializers.ChoiceField(
        choices=DecidingOrganisation.choices, required=False, allow_blank=True, default="",
        help_text=_("The kind of organisation that decided (HTCDS); by default, that of your agency."))
    end_protections = serializers.ListField(
        child=serializers.CharField(), required=False, default=list,
        help_text=_("Keys of the protections in force (GET /api/victims/{id}/protections/) this decision ends; "
                    "all others stay in force. Empty: it ends none."))
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None,
        help_text=_("The version you read; a decision made against an older version is refused."))


class VerificationSerializer(serializers.Serializer):
    verified_on = serializers.DateField(required=False, allow_null=True, default=None)


class VictimExportSerializer(serializers.Serializer):
    """Everything recorded about the victim that the supporting NGO holds."""

    victim = VictimSerializer()
    identity = IdentitySerializer(allow_null=True)
    cooperation = CooperationSummarySerializer(allow_null=True)
    exported_at = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        for name, (_model, serializer_class) in sections.EXPORTED.items():
            fields[name] = serializer_class(many=True, read_only=True)
        return fields


# --- The viewset --------------------------------------------------------------------------

class VictimViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Pseudonymous victim records the caller may see. The identity appears on the single
    record only, for those the policy allows, and every read of it is logged. Front-line
    officers, investigators, prosecutors and caseworkers record victims; whoever may edit a
    victim changes the record, moves its status up the ladder (or decides "not a victim") and
    verifies the accompanying adult."""

    queryset = victims_queryset()
    filterset_class = VictimFilter
    policy_action_for = {"status": "change", "not_a_victim": "change", "protections": "view",
                         "verify_accompanying_adult": "change", "export": "export"}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return VictimWriteSerializer
        return VictimDetailSerializer if self.action == "retrieve" else VictimSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.request.query_params.get("name", "").strip():
            shown = page if page is not None else list(queryset)
            # Finding someone by name is reading their identity; a search that finds nobody is
            # logged too (who looked for a name), without the name.
            log_access(self.request.user, AccessLog.Action.VIEW_IDENTITY, shown, purpose="name search")
        return page

    def detail_response(self, victim, code=status.HTTP_200_OK):
        victim = access.get_object(self.request.user, victims_queryset(), pk=victim.pk)
        return Response(VictimDetailSerializer(victim, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=VictimWriteSerializer, responses={201: VictimDetailSerializer})
    def create(self, request, *args, **kwargs):
        if not access.may(request.user, "record_victim"):
            raise exceptions.PermissionDenied(_("Only front-line officers, investigators, prosecutors and "
                                                "caseworkers of an agency record victims."))
        form = VictimWriteSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        victim = form.save()
        return self.detail_response(victim, status.HTTP_201_CREATED)

    @extend_schema(request=VictimWriteSerializer, responses=VictimDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        victim = self.get_object()
        form = VictimWriteSerializer(victim, data=request.data, partial=True, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        form.save()
        return self.detail_response(victim)

    @extend_schema(request=StatusChangeSerializer, responses=VictimDetailSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """One step up the ladder potential → presumed → identified, with who decided, when and on
        which criteria (kept as a status decision)."""
        victim = self.get_object()
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with model_errors():
            services.set_status(victim, data["status"], actor=request.user, authority=data["authority"],
                                criteria=data["criteria"], channel=data["channel"], decided_on=data["decided_on"],
                                deciding_organisation=data["deciding_organisation"])
        return self.detail_response(victim)

    @extend_schema(request=NotAVictimSerializer, responses={
        200: VictimDetailSerializer,
        204: OpenApiResponse(description=_("Recorded; ending your agency's own support ended your access.")),
    })
    @action(detail=True, methods=["post"], url_path="not-a-victim")
    def not_a_victim(self, request, pk=None):
        """Decide that the person is not a victim of trafficking, with the reasons: not a step
        down the ladder but a decision of its own (kept as a status decision). It ends only the
        protections named in `end_protections`; the others stay in force. A later decision at
        /status/ may record the person as presumed or identified again."""
        victim = self.get_object()
        form = NotAVictimSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            with model_errors():
                services.decide_not_a_victim(
                    victim, actor=request.user, authority=data["authority"], reasons=data["reasons"],
                    decided_on=data["decided_on"], deciding_organisation=data["deciding_organisation"],
                    end_protections=data["end_protections"], version=data["version"])
        except serializers.ValidationError as error:
            if str(STALE_MESSAGE) in str(error.detail):
                raise serializers.ValidationError({"version": [STALE_MESSAGE]}) from None
            raise
        if not access.can(request.user, "view", Victim.objects.get(pk=victim.pk)):
            # Ending their own agency's support ended their access: the decision is recorded.
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self.detail_response(victim)

    @extend_schema(responses=ProtectionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def protections(self, request, pk=None):
        """What the status opened and is still in force (open services, reflection periods not
        over, supports, granted victims' permits): what a "not a victim" decision may end."""
        victim = self.get_object()
        return Response(ProtectionSerializer(services.protections_in_force(victim), many=True,
                                             context=self.get_serializer_context()).data)

    @extend_schema(request=VerificationSerializer, responses=VictimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="verify-accompanying-adult")
    def verify_accompanying_adult(self, request, pk=None):
        """Record that the accompanying adult was checked and is not a risk."""
        victim = self.get_object()
        form = VerificationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with model_errors():
            services.verify_accompanying_adult(victim, verified_on=form.validated_data["verified_on"])
        return self.detail_response(victim)

    @extend_schema(responses=VictimExportSerializer)
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The victim's own data, for a data-subject request: the supporting NGO only. Logged."""
        return Response(victim_export(request, self.get_object(), self.get_serializer_context()))


def victim_export(request, victim, context):
    """The victim's own data as the caller may read it, for a data-subject request
    [NA VII.D.9]; the caller must hold the export right. Logged. The page's JSON download
    (victims.views) gives the same document."""
    user = request.user
    if not access.can(user, "export", victim):
        raise DjangoPermissionDenied(_("Only the supporting NGO exports a victim's own data."))
    log_access(user, AccessLog.Action.EXPORT, [victim], requested="export", purpose="victim data export")
    cooperation = None
    if access.can(user, "view_cooperation", victim):
        cooperation = CooperationWithAuthorities.objects.filter(victim=victim).first()
    data = {
        "victim": victim,
        "identity": identity_data(user, victim, purpose="victim data export"),
        "cooperation": cooperation,
        "exported_at": timezone.now(),
    }
    for name, (model, _serializer) in sections.EXPORTED.items():
        data[name] = sections.readable(user, model).filter(victim=victim)
    return VictimExportSerializer(data, context=context).data
