"""Deadlines and the notification inbox through the API [SPEC 2.5, 2.7].

Deadlines follow the access policy's DeadlineRule (a deadline is seen by whoever may see what
it is about); entering one (statutory or procedural kinds), marking it met and extending it go
through deadlines.services, as the pages do. Victims appear by pseudonymous code only, and a
case's reference only to those who may see the case.

Notifications are personal: each person reads and marks only their own.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import access
from access.drf import ListFilterBackend, PolicyParentField, PolicyRelatedField, PolicyViewSetMixin, model_errors
from accounts.models import Agency, User
from cases.models import Case, Defendant
from victims.models import Victim

from . import services as deadlines
from .filters import DeadlineFilter, NotificationFilter
from .models import Deadline, Notification

# --- Deadlines ------------------------------------------------------------------------------


class DeadlineSerializer(serializers.ModelSerializer):
    category = serializers.CharField(read_only=True, help_text=_("Statutory, procedural or generated."))
    case_reference = serializers.SerializerMethodField(
        help_text=_("Only when you may see the case: a deadline seen through a victim's order need not open it."))
    victim_code = serializers.CharField(source="victim.code", read_only=True, default=None)
    responsible_user_name = serializers.StringRelatedField(source="responsible_user")
    responsible_agency_name = serializers.StringRelatedField(source="responsible_agency")
    is_generated = serializers.BooleanField(read_only=True, help_text=_("Follows another record; not entered."))
    is_overdue = serializers.BooleanField(read_only=True, help_text=_("Pending and past its due date."))
    may_change = serializers.SerializerMethodField(help_text=_("You may mark it met or extend it."))

    class Meta:
        model = Deadline
        fields = ["id", "kind", "category", "title", "due_at", "status", "original_due_at", "extension_reason",
                  "closed_at", "responsible_user", "responsible_user_name", "responsible_agency",
                  "responsible_agency_name", "case", "case_reference", "victim", "victim_code", "defendant",
                  "referral", "cooperation_request", "protection_order", "is_generated", "is_overdue", "notes",
                  "created_at", "may_change"]
        read_only_fields = fields

    def get_may_change(self, deadline) -> bool:
        return bool(getattr(deadline, "may_change", False))

    def to_representation(self, deadline):
        data = super().to_representation(deadline)
        if not getattr(deadline, "case_visible", False):
            # Not even the case's id (nor its defendant's or request's) to someone who cannot see it.
            data.update(case=None, defendant=None, cooperation_request=None)
        return data

    def get_case_reference(self, deadline) -> str | None:
        if deadline.case_id and getattr(deadline, "case_visible", False):
            return deadline.case.reference
        return None


class DeadlineCreateSerializer(serializers.ModelSerializer):
    """A statutory or procedural deadline about a case (and, for a pre-trial detention limit, a
    defendant of it) or about a victim: exactly one of case and victim."""

    case = PolicyParentField(Case, "change", required=False, allow_null=True,
                             help_text=_("A case you may edit."))
    victim = PolicyParentField(Victim, "change", required=False, allow_null=True,
                               help_text=_("A victim whose record you may edit (instead of a case)."))
    defendant = PolicyRelatedField(Defendant, required=False, allow_null=True,
                                   help_text=_("A defendant of the case: needed for a pre-trial detention limit."))
    responsible_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True),
                                                          required=False, allow_null=True)
    responsible_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.filter(is_active=True),
                                                            required=False, allow_null=True)

    class Meta:
        model = Deadline
        fields = ["kind", "title", "due_at", "case", "victim", "defendant", "responsible_user", "responsible_agency",
                  "notes"]
        validators = []  # the service and the model's constraints decide, with their own messages
        extra_kwargs = {"kind": {"help_text": _("Statutory (pre_trial_detention, indictment, disclosure, "
                                                "appeal_window) or procedural; the other kinds are generated.")}}

    def create(self, validated_data):
        try:
            with model_errors():
                return deadlines.add(Deadline(**validated_data), actor=self.context["request"].user)
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None


class ExtendSerializer(serializers.Serializer):
    new_due_at = serializers.DateTimeField(help_text=_("Later than the current due date."))
    reason = serializers.CharField(allow_blank=True, help_text=_("Why: kept with the deadline."))


class DeadlineViewSet(PolicyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Deadlines you may see, soonest first: ?mine=true for yours, ?status=pending|overdue|open|met|missed|
    extended|any, ?case=, ?victim=, ?kind=. Enter a statutory or procedural one with POST; POST
    /{id}/met/ or /{id}/extend/ (new date and reason; the first due date is kept)."""

    queryset = Deadline.objects.select_related(*deadlines.LISTED)
    serializer_class = DeadlineSerializer
    policy_annotations = ("change",)
    filterset_class = DeadlineFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return deadlines.with_case_visible(self.request.user, queryset)

    def get_serializer_class(self):
        if self.action == "create":
            return DeadlineCreateSerializer
        if self.action == "extend":
            return ExtendSerializer
        return DeadlineSerializer

    def detail_response(self, deadline, code=status.HTTP_200_OK):
        fresh = deadlines.with_case_visible(self.request.user, access.with_all_rights(
            self.request.user, Deadline.objects.select_related(*deadlines.LISTED).filter(pk=deadline.pk))).get()
        return Response(DeadlineSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=DeadlineCreateSerializer, responses={201: DeadlineSerializer})
    def create(self, request, *args, **kwargs):
        form = DeadlineCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        return self.detail_response(form.save(), status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DeadlineSerializer)
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        """Mark a pending deadline met."""
        deadline = self.get_object()
        with model_errors():
            deadlines.mark_met(deadline, actor=request.user)
        return self.detail_response(deadline)

    @extend_schema(request=ExtendSerializer, responses=DeadlineSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        """Move a pending deadline later, with the reason; its first due date is kept."""
        deadline = self.get_object()
        form = ExtendSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with model_errors():
            deadlines.extend(deadline, actor=request.user, **form.validated_data)
        return self.detail_response(deadline)


# --- Notifications --------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "deadline", "violation", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text=_("How many of your notifications are unread."))


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own notifications, newest first (?unread=true for the unread ones). POST /{id}/read/ marks one
    read, /read-all/ all of them; /unread/ counts the unread ones. Someone else's notification
    answers 404."""

    serializer_class = NotificationSerializer
    # Personal rows, not records under the access policy: the recipient alone reads them.
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [ListFilterBackend]
    filterset_class = NotificationFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return deadlines.inbox(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of your notifications read."""
        if not str(pk).isdigit():
            raise exceptions.NotFound()
        notification = deadlines.mark_read(request.user, int(pk))
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=UnreadSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        """Mark all your notifications read; answers how many are still unread (0)."""
        deadlines.mark_all_read(request.user)
        return Response({"unread": deadlines.unread_count(request.user)})

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"])
    def unread(self, request):
        """How many of your notifications are unread (one query)."""
        return Response({"unread": deadlines.unread_count(request.user)})


# Route prefix -> viewset, registered in config/api_urls.py.
ROUTES = {"deadlines": DeadlineViewSet, "notifications": NotificationViewSet}
