"""Protection orders and their violations through the API [SPEC 2.6], with the same services
and access policy as the pages.

An order is created through protection.services.record_order (where the policy lets the
caller record one) and changes only through its actions, each sending the version it read:
POST /api/protection-orders/{id}/vary/, /review/ and /revoke/. A violation is reported through
report_violation (the risk re-assessment deadline and the notifications follow) and its action
and escalation are updated through update_violation. What an order shows follows what the
caller may see around it: the restrained defendant only to those who see the case's
proceedings, the protected relatives only to those who see the victim's identity (their names
identify), the case only to those who see it.
"""

from contextlib import contextmanager

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import PolicyParentField, PolicyRelatedField, PolicyViewSetMixin, model_errors
from accounts.functions import AgencyKind
from accounts.models import Agency
from accounts.versioning import STALE_MESSAGE
from cases.models import Case, Defendant
from victims.models import ProtectedRelative, Victim

from . import services
from .models import OrderEvent, ProtectionOrder, Violation


@contextmanager
def service_errors():
    """A service refusing: its messages as a 400 (a stale version under "version"), a right
    the caller lacks as a 403 (one on a record they may not see is a 404 already)."""
    try:
        yield
    except DjangoPermissionDenied as refusal:
        raise exceptions.PermissionDenied(str(refusal)) from None
    except DjangoValidationError as error:
        if getattr(error, "code", None) == "stale":
            raise serializers.ValidationError({"version": [str(STALE_MESSAGE)]}) from None
        with model_errors():
            raise error


# --- Orders -------------------------------------------------------------------------------

class OrderEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(help_text=_("Empty when the system expired the order."))

    class Meta:
        model = OrderEvent
        fields = ["kind", "on", "by", "details", "recorded_at"]
        read_only_fields = fields


class RelativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProtectedRelative
        fields = ["id", "name", "relationship"]
        read_only_fields = fields


class ProtectionOrderSerializer(serializers.ModelSerializer):
    """An order as the caller may see it."""

    victim_code = serializers.CharField(source="victim.code", read_only=True)
    case_reference = serializers.SerializerMethodField(
        help_text=_("Null when the order has no case or the case is one you may not see."))
    issuing_court_name = serializers.CharField(source="issuing_court.name", read_only=True)
    restrained_defendant = serializers.SerializerMethodField(
        help_text=_("The defendant's id; null unless you may see the case's defendants."))
    restrained_defendant_name = serializers.SerializerMethodField(
        help_text=_("Null unless you may see the case's defendants."))
    protected_relatives = serializers.SerializerMethodField(
        help_text=_("Null unless you may see the victim's identity: a relative's name identifies the victim."))
    relatives_count = serializers.IntegerField(read_only=True,
                                               help_text=_("How many relatives the order protects."))
    is_in_force = serializers.BooleanField(read_only=True)
    may_change = serializers.BooleanField(read_only=True, default=False,
                                          help_text=_("You may vary, review or revoke it (while in force)."))
    may_report_violation = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = ProtectionOrder
        fields = ["id", "victim", "victim_code", "case", "case_reference", "kind", "status", "is_in_force",
                  "issuing_court", "issuing_court_name", "court_reference", "issued_on", "effective_from",
                  "expires_on", "next_review_on", "conditions", "restrained_defendant", "restrained_defendant_name",
                  "protected_relatives", "relatives_count", "recorded_by", "created_at", "version", "may_change",
                  "may_report_violation"]
        read_only_fields = fields

    def to_representation(self, order):
        data = super().to_representation(order)
        if not getattr(order, "case_visible", False):
            data["case"] = None
        return data

    def get_case_reference(self, order) -> str | None:
        return order.case.reference if order.case_id and getattr(order, "case_visible", False) else None

    def get_restrained_defendant(self, order) -> int | None:
        return order.restrained_defendant_id if getattr(order, "proceedings_visible", False) else None

    def get_restrained_defendant_name(self, order) -> str | None:
        if order.restrained_defendant_id and getattr(order, "proceedings_visible", False):
            return order.restrained_defendant.name
        return None

    @extend_schema_field(RelativeSerializer(many=True, allow_null=True))
    def get_protected_relatives(self, order):
        if not getattr(order, "identity_visible", False):
            return None
        return RelativeSerializer(order.protected_relatives.all(), many=True).data


class ProtectionOrderDetailSerializer(ProtectionOrderSerializer):
    events = OrderEventSerializer(many=True, read_only=True)

    class Meta(ProtectionOrderSerializer.Meta):
        fields = ProtectionOrderSerializer.Meta.fields + ["events"]
        read_only_fields = fields


class ProtectionOrderCreateSerializer(serializers.ModelSerializer):
    victim = PolicyParentField(Victim, "view", help_text=_("The protected victim."))
    case = PolicyRelatedField(Case, allow_null=True, required=False,
                              help_text=_("A case the victim is linked to, if the order was made in one."))
    restrained_defendant = PolicyRelatedField(Defendant, allow_null=True, required=False,
                                              help_text=_("A defendant of the order's case."))
    issuing_court = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(kind=AgencyKind.COURT,
                                                                                      is_active=True))
    protected_relatives = PolicyRelatedField(
        ProtectedRelative, many=True, required=False,
        help_text=_("Relatives of the victim the order protects too (only if you may see the victim's identity)."))

    class Meta:
        model = ProtectionOrder
        fields = ["victim", "case", "restrained_defendant", "kind", "issuing_court", "court_reference", "issued_on",
                  "effective_from", "expires_on", "next_review_on", "conditions", "protected_relatives"]
        validators = []  # the model's constraints and the service decide, with their own messages

    def create(self, validated_data):
        relatives = validated_data.pop("protected_relatives", [])
        with service_errors():
            return services.record_order(ProtectionOrder(**validated_data), actor=self.context["request"].user,
                                         relatives=relatives)


class DecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=_("The version of the order you read; a change made against an "
                                                   "older version is refused."))
    on = serializers.DateField(help_text=_("The date of the court's decision."))


class VarySerializer(DecisionSerializer):
    reason = serializers.CharField(help_text=_("What the court changed and why."))
    conditions = serializers.CharField(required=False, help_text=_("The new conditions; unchanged when left out."))
    expires_on = serializers.DateField(required=False, allow_null=True,
                                       help_text=_("The new expiry date; unchanged when left out."))
    next_review_on = serializers.DateField(required=False, allow_null=True,
                                           help_text=_("The new review date; unchanged when left out."))
    protected_relatives = PolicyRelatedField(
        ProtectedRelative, many=True, required=False,
        help_text=_("The relatives protected from now on (only if you may see the victim's identity); unchanged "
                    "when left out."))

    def service_kwargs(self):
        data = dict(self.validated_data)
        if "protected_relatives" in data:
            data["relatives"] = list(data.pop("protected_relatives"))
        return data


class ReviewSerializer(DecisionSerializer):
    outcome = serializers.CharField(help_text=_("What the review found."))
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None,
                                           help_text=_("The next review, if one is set."))

    def service_kwargs(self):
        return dict(self.validated_data)


class RevokeSerializer(DecisionSerializer):
    reason = serializers.CharField(help_text=_("Why the court revoked the order."))

    def service_kwargs(self):
        return dict(self.validated_data)


class ProtectionOrderFilter(django_filters.FilterSet):
    victim = django_filters.NumberFilter(field_name="victim", label=_("Victim"))
    # Only a case the caller may see: otherwise the filter would tell which hidden case a row is about.
    case = django_filters.NumberFilter(method="of_visible_case", label=_("Case"))

    class Meta:
        model = ProtectionOrder
        fields = ["status", "kind"]

    def of_visible_case(self, rows, name, value):
        return rows.filter(case=value, case_visible=True)


def change(name, form_class, doc):
    """The action POST /api/protection-orders/{id}/<name>/, answered by the service."""

    def view(self, request, pk=None):
        return self.take(form_class, getattr(services, name))

    view.__name__ = view.__qualname__ = name
    view = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(request=form_class, responses=ProtectionOrderDetailSerializer, description=doc)(view)


class ProtectionOrderViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Protection orders you may see: those of the victims whose safety file you work with, those
    of the cases whose proceedings you see, and (court staff) your court's. Police, prosecution
    and the court record them and record the court's variations, reviews and revocations; an
    expired or revoked order no longer changes. Filter with ?victim=, ?case=, ?status=."""

    queryset = ProtectionOrder.objects.select_related("victim", "case", "issuing_court", "restrained_defendant")
    policy_annotations = ("change", "report_violation")
    policy_action_for = {"vary": "change", "review": "change", "revoke": "change"}
    filterset_class = ProtectionOrderFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        through = ProtectionOrder.protected_relatives.through
        relatives = (through.objects.filter(protectionorder=OuterRef("pk")).order_by().values("protectionorder")
                     .annotate(n=Count("pk")).values("n"))
        queryset = services.with_visibility(self.request.user, queryset).annotate(
            relatives_count=Coalesce(Subquery(relatives, output_field=IntegerField()), 0))
        if self.action == "list":
            return queryset.prefetch_related("protected_relatives")
        return queryset.prefetch_related("protected_relatives", "events__by")

    def get_serializer_class(self):
        if self.action == "create":
            return ProtectionOrderCreateSerializer
        return ProtectionOrderDetailSerializer if self.action != "list" else ProtectionOrderSerializer

    def detail_response(self, order, code=status.HTTP_200_OK):
        order = access.get_object(self.request.user, self.get_queryset(), pk=order.pk)
        return Response(ProtectionOrderDetailSerializer(order, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ProtectionOrderCreateSerializer, responses={201: ProtectionOrderDetailSerializer})
    def create(self, request, *args, **kwargs):
        form = ProtectionOrderCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        return self.detail_response(form.save(), status.HTTP_201_CREATED)

    def take(self, form_class, service):
        order = self.get_object()
        form = form_class(data=self.request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        with service_errors():
            order = service(order, actor=self.request.user, **form.service_kwargs())
        return self.detail_response(order)

    vary = change("vary", VarySerializer, _("The court changed the order's terms: it stays in force, as varied."))
    review = change("review", ReviewSerializer, _("A review held: the review deadline is met and the next set."))
    revoke = change("revoke", RevokeSerializer, _("The court revoked the order: it is no longer in force."))


# --- Violations -----------------------------------------------------------------------------

class ViolationSerializer(serializers.ModelSerializer):
    order = PolicyParentField(ProtectionOrder, "report_violation",
                              help_text=_("The order violated (one you may report a violation of)."))
    victim_code = serializers.CharField(source="order.victim.code", read_only=True)
    reported_by = serializers.StringRelatedField()

    class Meta:
        model = Violation
        fields = ["id", "order", "victim_code", "occurred_at", "description", "reported_by", "reported_at",
                  "action_taken", "action_details", "escalation"]
        read_only_fields = ["id", "victim_code", "reported_by", "reported_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # once reported, only what was done about it changes
            for name in ("order", "occurred_at", "description"):
                fields[name].read_only = True
        return fields

    def create(self, validated_data):
        with service_errors():
            return services.report_violation(Violation(**validated_data), actor=self.context["request"].user)

    def update(self, violation, validated_data):
        for name, value in validated_data.items():
            setattr(violation, name, value)
        with service_errors():
            return services.update_violation(violation, actor=self.context["request"].user)


class ViolationFilter(django_filters.FilterSet):
    order = django_filters.NumberFilter(field_name="order", label=_("Order"))
    victim = django_filters.NumberFilter(field_name="order__victim", label=_("Victim"))
    case = django_filters.NumberFilter(field_name="order__case", label=_("Case"))

    class Meta:
        model = Violation
        fields = ["action_taken", "escalation"]


class ViolationViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Violations of the orders you may see. Reporting one (who may report a violation of the
    order) flags the victim for a risk re-assessment and tells the case's prosecutor and the
    organisations supporting the victim, once each. Afterwards only the action taken and the
    escalation change (PATCH)."""

    queryset = Violation.objects.select_related("order__victim", "reported_by")
    filterset_class = ViolationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = ViolationSerializer


# Route prefix -> viewset, registered in config/api_urls.py.
ROUTES = {"protection-orders": ProtectionOrderViewSet, "violations": ViolationViewSet}
