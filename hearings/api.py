"""Hearings, their witnesses and special measures, and courtrooms through the API [SPEC 2.5].

The same services as the pages: a write that meets scheduling warnings not yet confirmed
answers 400 with {"warnings": [{"code", "key", "message"}], "detail": ...} and writes nothing;
the client sends the write again with "confirm_warnings": [the keys it accepts]. A new warning
is never covered by an old confirmation. An absolute problem (a judge away, a victim-witness who
would meet the defendant) answers 400 with its message. Victims appear by id and pseudonymous
code only.
"""

from contextlib import contextmanager

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import (
    ListFilterBackend, ModelRulesSerializer, PolicyParentField, PolicyRelatedField, PolicyViewSetMixin,
    model_errors,
)
from accounts.models import Agency, User
from cases.models import Case
from victims.models import Victim

from . import services
from .models import Courtroom, Hearing, HearingWitness, Party, SpecialMeasure
from .scheduling import ScheduleWarnings

CONFIRM_HELP = _("The keys of the scheduling warnings you have seen and accept (from a 400 answer's "
                 "\"warnings\"). A warning whose key is not here stops the write.")


@contextmanager
def schedule_errors():
    """The services' refusals as API answers: unconfirmed warnings and absolute problems as
    400, a refused action as 403. Nothing is written in either case."""
    try:
        with model_errors():
            yield
    except ScheduleWarnings as warnings:
        raise serializers.ValidationError({
            "warnings": [{"code": p.code, "key": p.key, "message": p.message} for p in warnings.problems],
            "detail": _("Scheduling warnings: nothing was saved. Send the same request again with "
                        "\"confirm_warnings\" listing the keys you accept."),
        }) from None
    except DjangoPermissionDenied as refusal:
        raise exceptions.PermissionDenied(str(refusal)) from None


def confirm_field():
    return serializers.ListField(child=serializers.CharField(), write_only=True, required=False, default=list,
                                 help_text=CONFIRM_HELP)


class ScheduleWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    key = serializers.CharField()
    message = serializers.CharField()


class WarningsAnswerSerializer(serializers.Serializer):
    """A write refused for scheduling warnings not yet confirmed (400)."""

    warnings = ScheduleWarningSerializer(many=True)
    detail = serializers.CharField()




# --- Hearings ------------------------------------------------------------------------------------

class HearingSerializer(ModelRulesSerializer):
    parent_field = "case"
    case = PolicyRelatedField(Case, help_text=_("A case you may set hearings in."))
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    court = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(kind="court"))
    court_name = serializers.CharField(source="court.name", read_only=True)
    courtroom = serializers.PrimaryKeyRelatedField(queryset=Courtroom.objects.all(), allow_null=True, required=False)
    courtroom_name = serializers.CharField(source="courtroom.name", read_only=True, allow_null=True, default=None)
    judge = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                               required=False)
    judge_name = serializers.StringRelatedField(source="judge")
    prosecutor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), allow_null=True,
                                                    required=False)
    prosecutor_name = serializers.StringRelatedField(source="prosecutor")
    adjourned_from = serializers.SerializerMethodField(help_text=_("The hearing this one continues, if any."))
    version = serializers.IntegerField(
        required=False, help_text=_("The version you read; an update made against an older version is refused."))
    confirm_warnings = confirm_field()

    class Meta:
        model = Hearing
        fields = [
            "id", "case", "case_reference", "kind", "court", "court_name", "courtroom", "courtroom_name",
            "starts_at", "duration_minutes", "ends_at", "judge", "judge_name", "prosecutor", "prosecutor_name",
            "video_link", "status", "adjournment_reason", "adjournment_requested_by", "adjourned_to",
            "adjourned_from", "status_reason", "notes", "version", "created_at", "updated_at", "confirm_warnings",
        ]
        read_only_fields = ["ends_at", "status", "adjournment_reason", "adjournment_requested_by", "adjourned_to",
                            "status_reason", "created_at", "updated_at"]

    def to_representation(self, hearing):
        data = super().to_representation(hearing)
        request = self.context.get("request")
        if request is not None and not access.can(request.user, "view_witnesses", hearing):
            data["video_link"] = ""  # hidden, as if none
        return data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_adjourned_from(self, hearing):
        previous = getattr(hearing, "adjourned_from", None) if hearing.pk else None
        return previous.pk if previous is not None else None

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("Send the version you read.")})
        return attrs

    def create(self, validated_data):
        confirmed = validated_data.pop("confirm_warnings", [])
        validated_data.pop("version", None)
        with schedule_errors():
            return services.schedule(Hearing(**validated_data), actor=self.context["request"].user,
                                     confirmed=confirmed)

    def update(self, hearing, validated_data):
        confirmed = validated_data.pop("confirm_warnings", [])
        version = validated_data.pop("version")
        for name, value in validated_data.items():
            setattr(hearing, name, value)
        with schedule_errors():
            return services.update(hearing, actor=self.context["request"].user, version=version,
                                   confirmed=confirmed)


class AdjournSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version you read."))
    reason = serializers.CharField()
    requested_by = serializers.ChoiceField(choices=Party.choices)
    new_starts_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text=_("When the hearing continues: a new hearing with the same court, people, witnesses and the "
                    "court's decisions on special measures."))
    confirm_warnings = confirm_field()


CLOSING = [(status, label) for status, label in Hearing.Status.choices
           if status in (Hearing.Status.HELD, Hearing.Status.CANCELLED, Hearing.Status.VACATED)]


class CloseSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version you read."))
    status = serializers.ChoiceField(choices=CLOSING)
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text=_("Needed to cancel or vacate."))


class HearingFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="case", label=_("Case"))
    court = django_filters.NumberFilter(field_name="court", label=_("Court"))

    class Meta:
        model = Hearing
        fields = ["status", "kind", "courtroom", "judge", "prosecutor"]


# "from" and "to" are Python keywords: added by name.
HearingFilter.base_filters["from"] = django_filters.DateFilter(
    field_name="starts_at", lookup_expr="date__gte", label=_("Starting on or after (YYYY-MM-DD)"))
HearingFilter.base_filters["to"] = django_filters.DateFilter(
    field_name="starts_at", lookup_expr="date__lte", label=_("Starting on or before (YYYY-MM-DD)"))


@extend_schema_view(
    create=extend_schema(responses={201: HearingSerializer, 400: WarningsAnswerSerializer}),
    update=extend_schema(responses={200: HearingSerializer, 400: WarningsAnswerSerializer}),
    partial_update=extend_schema(responses={200: HearingSerializer, 400: WarningsAnswerSerializer}),
)
class HearingViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Hearings the caller may see: through their cases, their court, or (an NGO) the victims
    they support. Prosecutors, supervisors and the court's staff set, move, adjourn and close
    them."""

    queryset = Hearing.objects.select_related("case", "court", "courtroom", "judge", "prosecutor", "adjourned_from")
    filterset_class = HearingFilter
    # The video link opens the hearing: for its participants (those who may see its witnesses).
    policy_annotations = ("view_witnesses",)
    policy_action_for = {"adjourn": "change", "close": "change"}

    def get_serializer_class(self):
        return {"adjourn": AdjournSerializer, "close": CloseSerializer}.get(self.action, HearingSerializer)

    def create(self, request, *args, **kwargs):
        if not access.may_use(request.user, Hearing, "change"):
            raise exceptions.PermissionDenied(_("Prosecutors, supervisors and court staff set hearings."))
        return super().create(request, *args, **kwargs)

    def _answer(self, hearing):
        hearing = self.get_queryset().get(pk=hearing.pk)
        return Response(HearingSerializer(hearing, context=self.get_serializer_context()).data)

    @extend_schema(request=AdjournSerializer, responses={200: HearingSerializer, 400: WarningsAnswerSerializer})
    @action(detail=True, methods=["post"])
    def adjourn(self, request, pk=None):
        """Adjourn the hearing, saying why and who asked; with new_starts_at it continues then
        (the answer's adjourned_to is the new hearing)."""
        hearing = self.get_object()
        form = AdjournSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with schedule_errors():
            adjourned, _follow_up = services.adjourn(
                hearing, actor=request.user, version=data["version"], reason=data["reason"],
                requested_by=data["requested_by"], new_starts_at=data["new_starts_at"],
                confirmed=data["confirm_warnings"])
        return self._answer(adjourned)

    @extend_schema(request=CloseSerializer, responses=HearingSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Record that the hearing was held, or cancel or vacate it (with a reason)."""
        hearing = self.get_object()
        form = CloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with schedule_errors():
            closed = services.close(hearing, actor=request.user, **form.validated_data)
        return self._answer(closed)


# --- Witnesses and special measures --------------------------------------------------------------

class ServiceWriteMixin:
    """ModelRulesSerializer writing through a hearings service (with the confirmed warnings)."""

    def create(self, validated_data):
        self.confirmed = validated_data.pop("confirm_warnings", [])
        return super().create(validated_data)

    def update(self, instance, validated_data):
        self.confirmed = validated_data.pop("confirm_warnings", [])
        return super().update(instance, validated_data)

    def save_instance(self, instance):
        with schedule_errors():
            return self.write(instance, actor=self.context["request"].user)


class HearingWitnessSerializer(ServiceWriteMixin, ModelRulesSerializer):
    parent_field = "hearing"
    hearing = PolicyParentField(Hearing, "change")
    case = serializers.IntegerField(source="hearing.case_id", read_only=True)
    victim = PolicyRelatedField(Victim, allow_null=True, required=False,
                                help_text=_("A victim linked to the hearing's case (by id; never their identity)."))
    victim_code = serializers.CharField(source="victim.code", read_only=True, allow_null=True, default=None)
    confirm_warnings = confirm_field()

    class Meta:
        model = HearingWitness
        fields = ["id", "hearing", "case", "victim", "victim_code", "role", "appearance", "interpreter_language",
                  "interpreter_booked", "early_testimony", "leaves_country_on", "testifies_from",
                  "confirm_warnings"]

    def write(self, witness, actor):
        return services.save_witness(witness, actor=actor, confirmed=self.confirmed)


class SpecialMeasureSerializer(ServiceWriteMixin, ModelRulesSerializer):
    parent_field = "witness"
    witness = PolicyParentField(HearingWitness, "change")
    hearing = serializers.IntegerField(source="witness.hearing_id", read_only=True)
    is_in_force = serializers.BooleanField(read_only=True,
                                           help_text=_("Granted and not overturned, or refused and overturned."))

    class Meta:
        model = SpecialMeasure
        fields = ["id", "witness", "hearing", "measure", "requested_by", "requested_on", "defence_heard", "decision",
                  "decided_on", "decision_notes", "appeal", "appeal_notes", "is_in_force"]

    def write(self, measure, actor):
        return services.save_measure(measure, actor=actor)


class WitnessFilter(django_filters.FilterSet):
    case = django_filters.NumberFilter(field_name="hearing__case", label=_("Case"))

    class Meta:
        model = HearingWitness
        fields = ["hearing", "victim", "appearance"]


class MeasureFilter(django_filters.FilterSet):
    hearing = django_filters.NumberFilter(field_name="witness__hearing", label=_("Hearing"))
    case = django_filters.NumberFilter(field_name="witness__hearing__case", label=_("Case"))

    class Meta:
        model = SpecialMeasure
        fields = ["witness", "measure", "decision"]


class WritableViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    pass


class HearingWitnessViewSet(WritableViewSet):
    """Witnesses at hearings: the people of the proceedings see them all, an NGO the rows of
    the victims it supports. Adding or changing one checks the hearing again."""

    serializer_class = HearingWitnessSerializer
    queryset = HearingWitness.objects.select_related("hearing", "victim")
    filterset_class = WitnessFilter


class SpecialMeasureViewSet(WritableViewSet):
    """Special measures as court records: who asked and when, whether the defence was heard,
    the decision and any appeal."""

    serializer_class = SpecialMeasureSerializer
    queryset = SpecialMeasure.objects.select_related("witness")
    filterset_class = MeasureFilter


# --- Courtrooms ------------------------------------------------------------------------------------

class CourtroomSerializer(serializers.ModelSerializer):
    court_name = serializers.CharField(source="court.name", read_only=True)

    class Meta:
        model = Courtroom
        fields = ["id", "court", "court_name", "name", "has_video_link", "has_screen", "has_safe_waiting_room",
                  "has_separate_entrance", "is_active"]


class CourtroomViewSet(viewsets.ReadOnlyModelViewSet):
    """Courts' rooms and what they offer witnesses: no case or victim data, so any signed-in
    user may read them; administrators keep them."""

    serializer_class = CourtroomSerializer
    queryset = Courtroom.objects.select_related("court")
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [ListFilterBackend]
    filterset_fields = ["court", "is_active", "has_safe_waiting_room"]


ROUTES = {
    "hearings": HearingViewSet,
    "hearing-witnesses": HearingWitnessViewSet,
    "special-measures": SpecialMeasureViewSet,
    "courtrooms": CourtroomViewSet,
}

