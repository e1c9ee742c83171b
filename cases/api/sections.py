"""The parts of a case file through the API: defendants, charges, verdicts, appeals, assets,
cooperation requests, compensation claims, coordination meetings, notes, the case team and
the stage history.

Each is a top-level collection filtered by `?case=`. Reading and editing an object asks the
access policy about that object (its rule follows the part of the case it belongs to);
adding one asks about its parent (the case, or the defendant, charge or verdict above it)
through PolicyParentField, which also locks the parent for the rest of the request.
"""

import django_filters
from django.db.models import Exists, OuterRef
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import (
    ModelRulesSerializer, PolicyParentField, PolicyRelatedField, PolicyViewSetMixin, ValueToReviewSerializer, model_errors,
    values_reviewed_field,
)
from accounts.models import Agency, User

from .. import services
from ..models import (
    Appeal, Asset, Case, CaseAssignment, CaseNote, CaseStageChange, Charge, CompensationClaim, CooperationRequest,
    CoordinationMeeting, Defendant, Verdict,
)

# The victim a defendant is or a claim is for: the model their relation names, since cases
# sits below victims and does not import it.
VICTIM = Defendant._meta.get_field("victim").related_model


def case_field(model):
    """The parent case of a record added directly to a case: adding needs the case action
    that changes this part of the file."""
    return PolicyParentField(Case, access.rule_for(model).case_actions["change"])


def case_filter(model, path, **extra):
    """`?case=<id>` (and the model's own filters) for a list of case-file records."""
    attrs = {"case": django_filters.NumberFilter(field_name=path, label=_("Case"))}

    class Meta:
        fields = list(extra.get("fields", []))

    Meta.model = model
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), {**attrs, "Meta": Meta})


class SectionViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """A part of the case file. Subclasses name the model, the serializer, the path from the
    model to its case and the related rows to load with it."""

    case_path = "case"
    related = ()
    prefetch = ()
    filter_fields = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        model = cls.serializer_class.Meta.model
        queryset = model.objects.select_related(*cls.related).prefetch_related(*cls.prefetch)
        cls.queryset = queryset if model._meta.ordering else queryset.order_by("pk")  # stable pages
        cls.filterset_class = case_filter(model, cls.case_path, fields=cls.filter_fields)


# --- Proceedings: defendants, charges, verdicts, appeals, assets --------------------------

class DefendantSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = case_field(Defendant)

    class Meta:
        model = Defendant
        fields = "__all__"

    victim = PolicyRelatedField(
        VICTIM, allow_null=True, required=False,
        help_text=_("The victim this defendant is (the same person), if any; shown only to those who may see that "
                    "victim's identity."),
    )
    values_to_review = ValueToReviewSerializer(many=True, read_only=True, source="review_notes")
    values_reviewed = values_reviewed_field()

    def validate(self, attrs):
        # Not a model field: the service lets the values to review go (a new defendant has none).
        self.values_reviewed = attrs.pop("values_reviewed", False) and self.instance is not None
        return super().validate(attrs)

    def to_representation(self, defendant):
        data = super().to_representation(defendant)
        # That a defendant is also a victim ties the defendant's name to the victim record: only
        # for those who may see that victim's identity anyway (annotated by DefendantViewSet).
        if defendant.victim_id and not getattr(defendant, "victim_identity_visible", False):
            data["victim"] = None
        return data

    def save_instance(self, defendant):
        # A public official among the defendants restricts the case.
        return services.save_defendant(defendant, values_reviewed=self.values_reviewed)


class ChargeSerializer(ModelRulesSerializer):
    parent_field = "defendant"
    defendant = PolicyParentField(Defendant, "change")
    case = serializers.IntegerField(source="defendant.case_id", read_only=True)

    class Meta:
        model = Charge
        fields = "__all__"


class VerdictSerializer(ModelRulesSerializer):
    parent_field = "charge"
    charge = PolicyParentField(Charge, "change")

    class Meta:
        model = Verdict
        fields = "__all__"


class AppealSerializer(ModelRulesSerializer):
    parent_field = "verdict"
    verdict = PolicyParentField(Verdict, "change")

    class Meta:
        model = Appeal
        fields = "__all__"


class AssetSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = case_field(Asset)
    defendant = PolicyRelatedField(Defendant, allow_null=True, required=False,
                                   help_text=_("A defendant of the same case."))

    class Meta:
        model = Asset
        fields = "__all__"


class DefendantViewSet(SectionViewSet):
    serializer_class = DefendantSerializer
    filter_fields = ("kind", "is_public_official", "custody")

    def get_queryset(self):
        identities = access.visible(self.request.user, VICTIM.objects.filter(pk=OuterRef("victim_id")), "view_identity")
        return super().get_queryset().annotate(victim_identity_visible=Exists(identities))

    def perform_create(self, serializer):
        serializer.save()
        serializer.instance.victim_identity_visible = bool(serializer.instance.victim_id) and access.can(
            self.request.user, "view_identity", serializer.instance.victim)

    def perform_update(self, serializer):
        self.perform_create(serializer)


class ChargeViewSet(SectionViewSet):
    serializer_class = ChargeSerializer
    case_path = "defendant__case"
    related = ("defendant",)
    filter_fields = ("defendant", "status", "offence")


class VerdictViewSet(SectionViewSet):
    serializer_class = VerdictSerializer
    case_path = "charge__defendant__case"
    filter_fields = ("charge", "outcome")


class AppealViewSet(SectionViewSet):
    serializer_class = AppealSerializer
    case_path = "verdict__charge__defendant__case"
    filter_fields = ("verdict", "outcome")


class AssetViewSet(SectionViewSet):
    serializer_class = AssetSerializer
    filter_fields = ("stage", "kind")


# --- Cooperation, compensation, meetings ---------------------------------------------------

class CooperationRequestSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = case_field(CooperationRequest)
    has_human_rights_risk = serializers.BooleanField(read_only=True)

    class Meta:
        model = CooperationRequest
        fields = "__all__"


class CompensationClaimSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = case_field(CompensationClaim)
    victim = PolicyRelatedField(VICTIM, help_text=_("A victim linked to the same case."))
    victim_code = serializers.CharField(source="victim.code", read_only=True)

    class Meta:
        model = CompensationClaim
        fields = "__all__"


class MeetingSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = case_field(CoordinationMeeting)
    agencies = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.all(), many=True, help_text=_("Agencies taking part in the case.")
    )
    recorded_by = serializers.StringRelatedField()

    class Meta:
        model = CoordinationMeeting
        fields = "__all__"

    def validate(self, attrs):
        case = attrs.get("case") or self.instance.case
        taking_part = set(Agency.objects.filter(case_roles__case=case).values_list("pk", flat=True))
        outsiders = [a for a in attrs.get("agencies", []) if a.pk not in taking_part]
        if outsiders:
            raise serializers.ValidationError({"agencies": _("%(agencies)s take no part in this case.") % {
                "agencies": ", ".join(str(a) for a in outsiders)}})
        return attrs


class CooperationRequestViewSet(SectionViewSet):
    serializer_class = CooperationRequestSerializer
    filter_fields = ("kind", "status", "direction")


class CompensationClaimViewSet(SectionViewSet):
    serializer_class = CompensationClaimSerializer
    related = ("victim",)
    filter_fields = ("route", "status")


class MeetingViewSet(SectionViewSet):
    """Minutes of coordination meetings: added by anyone working on the case, not edited."""

    serializer_class = MeetingSerializer
    related = ("recorded_by",)
    prefetch = ("agencies",)
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        serializer.save(recorded_by=self.request.user)


# --- Notes ---------------------------------------------------------------------------------

class NoteSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = PolicyParentField(Case, "add_note")
    author = serializers.StringRelatedField()
    author_agency = serializers.StringRelatedField()

    class Meta:
        model = CaseNote
        fields = ["id", "case", "scope", "text", "author", "author_agency", "created_at"]
        read_only_fields = ["created_at"]


class NoteViewSet(SectionViewSet):
    """Notes the caller may read (by the scope their author chose). Written, not edited."""

    serializer_class = NoteSerializer
    related = ("author", "author_agency")
    filter_fields = ("scope",)
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        if not self.request.user.agency_id:
            raise exceptions.PermissionDenied(_("Notes are written on behalf of an agency."))
        serializer.save(author=self.request.user, author_agency=self.request.user.agency)


# --- Case team and stage history -------------------------------------------------------------

class AssignmentSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = PolicyParentField(Case, "manage_team")
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    user_name = serializers.StringRelatedField(source="user")
    reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text=_("Why the function changes hands: needed when someone holds it now."),
    )

    class Meta:
        model = CaseAssignment
        fields = ["id", "case", "team_role", "user", "user_name", "started_on", "ended_on", "reason"]
        read_only_fields = ["ended_on"]

    def validate(self, attrs):
        if not services.eligible_team_members(attrs["case"]).filter(pk=attrs["user"].pk).exists():
            raise serializers.ValidationError({"user": _("Only people of the agencies taking part in the case "
                                                         "can join its team.")})
        return attrs

    def create(self, validated_data):
        with model_errors():
            return services.assign(
                validated_data["case"], validated_data["user"], validated_data["team_role"],
                started_on=validated_data.get("started_on"), reason=validated_data["reason"],
            )


class EndAssignmentSerializer(serializers.Serializer):
    reason = serializers.CharField()
    ended_on = serializers.DateField(required=False)


class AssignmentViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The case team over time. Assigning someone hands the function over from its current
    holder (with a reason) and grants access; ending an assignment revokes it."""

    serializer_class = AssignmentSerializer
    queryset = CaseAssignment.objects.select_related("user")
    filterset_class = case_filter(CaseAssignment, "case", fields=["team_role", "user"])

    def get_serializer_class(self):
        return EndAssignmentSerializer if self.action == "end" else AssignmentSerializer

    @extend_schema(request=EndAssignmentSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        if assignment.ended_on is not None:
            raise serializers.ValidationError({"non_field_errors": [_("This assignment has ended already.")]})
        form = EndAssignmentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with model_errors(), transaction.atomic():
            services.end_assignment(assignment, **form.validated_data)
        return Response(AssignmentSerializer(assignment, context=self.get_serializer_context()).data)


class StageChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.StringRelatedField()

    class Meta:
        model = CaseStageChange
        fields = ["id", "case", "from_stage", "to_stage", "changed_at", "changed_by", "reason"]


class StageChangeViewSet(PolicyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Every move of a case through its stages; moves are made at /api/cases/{id}/move/."""

    serializer_class = StageChangeSerializer
    queryset = CaseStageChange.objects.select_related("changed_by")
    filterset_class = case_filter(CaseStageChange, "case")
