"""The national referral mechanism through the API: the directory of service providers and
referrals, with the same services and access policy as the referral pages.

Sending and every later step go through referrals.services (consent as a hard rule, its
logged override, the lifecycle and the receiving agency's access to the victim); reading
goes through the policy's ReferralRule, so a referral is seen by the two agencies it joins
and a hidden one answers like a missing one. The victim appears as its pseudonymous code
and id, with the referral summary (victim_summary) while the referral gives it to the
receiving agency: never the victim's file, the case file, or an identity no consent covers.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import (
    NOT_FOUND, ListFilterBackend, ModelRulesSerializer, PolicyParentField, PolicyViewSetMixin, model_errors,
)
from accounts.models import Agency, User
from victims.models import Victim

from . import services
from .filters import ReferralFilter, ServiceProviderFilter
from .models import Referral, ReferralEvent, ReferralNotice, ServiceProvider

# --- The directory -------------------------------------------------------------------------


def in_an_agency(user):
    """Whoever belongs to an (active) agency reads the directory."""
    return bool(user.is_authenticated and user.is_active and user.agency_id and user.agency.is_active)


def keeps_directory_entry(user):
    """An agency's own people (those who record victims and refer them) keep its entry."""
    return in_an_agency(user) and services.may_keep_directory_entry(user)


OWN_ENTRY_ONLY = _("You keep only your own agency's entry in the directory.")


class DirectoryPermission(permissions.BasePermission):
    """The directory has no rule in the access policy: it holds no case content. Reading it
    needs an agency; writing needs a function in RECORDERS, and only for one's own agency."""

    message = _("The referral directory is for people of an agency.")

    def has_permission(self, request, view):
        user = request.user
        if not in_an_agency(user):
            return False
        if request.method not in permissions.SAFE_METHODS and not keeps_directory_entry(user):
            raise exceptions.PermissionDenied(_("Only front-line officers, investigators, prosecutors and caseworkers "
                                                "keep their agency's directory entry."))
        return True

    def has_object_permission(self, request, view, entry):
        if request.method not in permissions.SAFE_METHODS and entry.agency_id != request.user.agency_id:
            raise exceptions.PermissionDenied(OWN_ENTRY_ONLY)
        return True


class ServiceProviderSerializer(ModelRulesSerializer):
    parent_field = "agency"  # fixed once created
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True), required=False,
        help_text=_("Your own agency (the default when left out): nobody writes another agency's entry."),
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    agency_kind = serializers.CharField(source="agency.kind", read_only=True)
    country = serializers.CharField(source="agency.country.code", read_only=True,
                                    help_text=_("The agency's country: a referral abroad is international."))

    class Meta:
        model = ServiceProvider
        fields = ["id", "agency", "agency_name", "agency_kind", "country", "services", "languages", "areas",
                  "accepts_children", "capacity", "contact_point", "contact_phone", "contact_email"]
        validators = []  # one entry per agency: the model says so, with its own message

    def validate_agency(self, agency):
        if agency.pk != self.context["request"].user.agency_id:
            raise exceptions.PermissionDenied(OWN_ENTRY_ONLY)
        return agency

    def create(self, validated_data):
        validated_data.setdefault("agency", self.context["request"].user.agency)
        return super().create(validated_data)


class ServiceProviderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The referral directory: who offers which services, in which languages and areas, to
    whom, and how to reach them. Read by anyone of an agency; an agency's front-line officers,
    investigators, prosecutors and caseworkers keep its own entry."""

    queryset = ServiceProvider.objects.filter(agency__is_active=True).select_related("agency")
    serializer_class = ServiceProviderSerializer
    permission_classes = [permissions.IsAuthenticated, DirectoryPermission]
    filter_backends = [ListFilterBackend]
    filterset_class = ServiceProviderFilter
    http_method_names = ["get", "post", "patch", "head", "options"]


# --- Referrals: reading ----------------------------------------------------------------------

STEPS = (*services.STEPS, "assign")


class ReferralEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = ReferralEvent
        fields = ["from_status", "to_status", "at", "by", "reason"]


class ReferralTimingsSerializer(serializers.Serializer):
    """referrals.services.timings, in whole seconds; null while a step has not happened."""

    identification_to_referral = serializers.IntegerField(
        allow_null=True, help_text=_("Seconds from the victim's first presumed or identified status to the referral "
                                     "(whole days: that status is recorded as a date)."))
    referral_to_acceptance = serializers.IntegerField(allow_null=True, help_text=_("Seconds."))
    acceptance_to_first_service = serializers.IntegerField(allow_null=True, help_text=_("Seconds."))


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as both agencies see it: the victim as its pseudonymous code only."""

    victim = serializers.IntegerField(source="victim_id", read_only=True)
    victim_code = serializers.CharField(source="victim.code", read_only=True)
    from_agency_name = serializers.CharField(source="from_agency.name", read_only=True)
    to_agency_name = serializers.CharField(source="to_agency.name", read_only=True)
    sent_by = serializers.StringRelatedField()
    assigned_to_name = serializers.StringRelatedField(source="assigned_to")
    has_consent = serializers.SerializerMethodField(
        help_text=_("Sent with the victim's consent; false when sent by a recorded override."))
    is_overdue = serializers.SerializerMethodField(help_text=_("Still unanswered after its answer was due."))
    unread = serializers.BooleanField(read_only=True, default=False,
                                      help_text=_("Your agency received it and nobody of yours has opened it yet."))
    steps = serializers.SerializerMethodField(
        help_text=_("The steps open to you now: POST one to /api/referrals/{id}/<step>/."))

    class Meta:
        model = Referral
        fields = ["id", "victim", "victim_code", "from_agency", "from_agency_name", "to_agency", "to_agency_name",
                  "services", "urgency", "reason", "note", "is_international", "status", "has_consent",
                  "consent_override_reason", "sent_by", "sent_at", "response_due_at", "is_overdue", "assigned_to",
                  "assigned_to_name", "assigned_at", "accepted_at", "declined_at", "decline_reason",
                  "first_service_at", "completed_at", "withdrawn_at", "withdraw_reason", "unread", "steps"]
        read_only_fields = fields

    def get_has_consent(self, referral) -> bool:
        return referral.consent_id is not None

    def get_is_overdue(self, referral) -> bool:
        return referral.is_overdue()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=STEPS)))
    def get_steps(self, referral):
        return services.available_steps(referral, self.context["request"].user)


class VictimSummarySerializer(serializers.Serializer):
    """What a referral needs to say about the person: no identity, nothing of their file."""

    age_group = serializers.CharField()
    is_treated_as_child = serializers.BooleanField()
    sex = serializers.CharField()
    nationality = serializers.CharField(source="nationality.code")
    languages = serializers.ListField(child=serializers.CharField())
    interpreter_needed = serializers.BooleanField()


class ReferralDetailSerializer(ReferralSerializer):
    events = ReferralEventSerializer(many=True, read_only=True)
    timings = serializers.SerializerMethodField()
    victim_summary = serializers.SerializerMethodField(
        help_text=_("For the two agencies of the referral, while the receiving one may see it."))

    class Meta(ReferralSerializer.Meta):
        fields = ReferralSerializer.Meta.fields + ["events", "timings", "victim_summary"]
        read_only_fields = fields

    @extend_schema_field(VictimSummarySerializer(allow_null=True))
    def get_victim_summary(self, referral):
        if services.may_see_victim_summary(self.context["request"].user, referral.victim):
            return VictimSummarySerializer(referral.victim).data
        return None

    @extend_schema_field(ReferralTimingsSerializer)
    def get_timings(self, referral):
        return {name: None if took is None else int(took.total_seconds())
                for name, took in services.timings(referral).items()}


# --- Referrals: sending and each step ----------------------------------------------------------

class ReferralCreateSerializer(ModelRulesSerializer):
    parent_field = "victim"
    victim = PolicyParentField(Victim, "refer", help_text=_("A victim you may refer."))
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True))
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True,
        help_text=_("Only without the victim's consent, and only for investigators and prosecutors: why the "
                    "referral cannot wait for consent. Kept with the referral and logged."),
    )

    class Meta:
        model = Referral
        fields = ["victim", "to_agency", "services", "urgency", "reason", "note", "override_reason"]
        validators = []  # the service and the model's constraints decide, with their own messages

    def create(self, validated_data):
        data = dict(validated_data)
        try:
            with model_errors():
                return services.send_referral(data.pop("victim"), actor=self.context["request"].user, **data)
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None


class ReferralStepSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text=_("Needed to decline or withdraw; kept with the step."))


class ReferralAcceptSerializer(ReferralStepSerializer):
    assigned_to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None,
        help_text=_("Someone of your agency who takes the referral on; yourself when left out."))


class ReferralAssignSerializer(serializers.Serializer):
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                                     help_text=_("Someone of your agency."))


STEP_FORMS = {"accept": ReferralAcceptSerializer, "assign": ReferralAssignSerializer}


def step(name, doc):
    """The action POST /api/referrals/{id}/<name>/, answered by the service."""

    form_class = STEP_FORMS.get(name, ReferralStepSerializer)

    def view(self, request, pk=None):
        return self.take_step(name, form_class)

    view.__name__ = view.__qualname__ = name  # DRF routes the action by its name
    view = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(request=form_class, responses=ReferralDetailSerializer, description=doc)(view)


class ReferralViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Referrals your agency sent or received. Sending needs the victim's consent to a referral
    to that agency (or, for investigators and prosecutors only, a recorded override, which is
    logged); the receiving agency accepts or declines, starts and completes; the sending agency
    may withdraw. Opening a referral your agency received marks its notice read. Timings are
    whole seconds (null until the step has happened)."""

    queryset = Referral.objects.select_related("victim", "from_agency", "to_agency", "sent_by", "assigned_to")
    policy_annotations = ("respond", "withdraw")
    # Seeing the referral is enough to ask: the service decides whose step it is (403 otherwise).
    policy_action_for = {name: "view" for name in STEPS}
    filterset_class = ReferralFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        unread = ReferralNotice.objects.filter(referral=OuterRef("pk"), agency=self.request.user.agency_id,
                                               read_at__isnull=True)
        return queryset.annotate(unread=Exists(unread))

    def get_serializer_class(self):
        if self.action == "create":
            return ReferralCreateSerializer
        if self.action in STEPS:
            return STEP_FORMS.get(self.action, ReferralStepSerializer)
        return ReferralDetailSerializer if self.action == "retrieve" else ReferralSerializer

    def get_object(self):
        if self.action not in STEPS:
            return super().get_object()
        # Not locked here: the service locks the victim and then the referral, as the pages do;
        # locking the referral first would take the two locks in the other order.
        pk = str(self.kwargs["pk"])
        referral = access.get_object(self.request.user, self.get_queryset(), pk=int(pk)) if pk.isdigit() else None
        if referral is None:
            raise exceptions.NotFound(NOT_FOUND)
        self.check_object_permissions(self.request, referral)
        return referral

    def detail_response(self, referral, code=status.HTTP_200_OK):
        referral = access.get_object(self.request.user, self.get_queryset(), pk=referral.pk)
        return Response(ReferralDetailSerializer(referral, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = ReferralCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        return self.detail_response(form.save(), status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        if request.user.agency_id == referral.to_agency_id:
            services.mark_notice_read(referral, request.user)
            referral.unread = False
        return Response(ReferralDetailSerializer(referral, context=self.get_serializer_context()).data)

    def take_step(self, name, form_class):
        referral = self.get_object()
        form = form_class(data=self.request.data)
        form.is_valid(raise_exception=True)
        data, user = form.validated_data, self.request.user
        try:
            with model_errors():
                if name == "assign":
                    services.assign(referral, data["assigned_to"], actor=user)
                else:
                    services.move(referral, name, actor=user, reason=data.get("reason", ""),
                                  assigned_to=data.get("assigned_to"))
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        return self.detail_response(referral)

    accept = step("accept", _("Take the referral on (the receiving agency), assigned to someone of yours."))
    decline = step("decline", _("Decline the referral (the receiving agency), with a reason."))
    start = step("start", _("Record the first service given (the receiving agency)."))
    complete = step("complete", _("Record that the services asked for were given (the receiving agency)."))
    withdraw = step("withdraw", _("Withdraw the referral (the sending agency), with a reason."))
    assign = step("assign", _("Hand an open referral to someone of your agency (the receiving agency)."))


# Route prefix -> viewset, registered in config/api_urls.py.
ROUTES = {"service-providers": ServiceProviderViewSet, "referrals": ReferralViewSet}
