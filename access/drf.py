"""The access policy as DRF's permission and filter backends (settings.REST_FRAMEWORK),
plus expiring tokens and one answer for every missing or hidden object."""

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.serializers import CountryFieldMixin
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.filters import BaseFilterBackend

import access

NOT_FOUND = _("No such record, or you are not allowed to see it.")


def policy_action(request, view):
    """The policy action a request needs: per viewset action (`policy_action_for`), per
    method (`policy_actions`), else view for reads and change for writes."""
    by_action = getattr(view, "policy_action_for", {})
    if getattr(view, "action", None) in by_action:
        return by_action[view.action]
    actions = getattr(view, "policy_actions", {})
    if request.method in actions:
        return actions[request.method]
    return "view" if request.method in permissions.SAFE_METHODS else "change"


def is_detail(view):
    return (getattr(view, "lookup_url_kwarg", None) or view.lookup_field) in view.kwargs


class PolicyFilterBackend(BaseFilterBackend):
    """Lists are the policy's queryset, annotated with the per-row rights the serializer needs.

    Single-object requests are not filtered here but annotated with every right (and locked
    when they will write): then PolicyPermission decides and logs, so a refusal is recorded
    instead of looking like a missing row.
    """

    def filter_queryset(self, request, queryset, view):
        if is_detail(view):
            queryset = access.with_all_rights(request.user, queryset)
            if request.method not in permissions.SAFE_METHODS:
                queryset = queryset.select_for_update(of=("self",))
            return queryset
        return access.with_permissions(
            request.user, queryset, *getattr(view, "policy_annotations", ()), action=policy_action(request, view)
        )


class ListFilterBackend(DjangoFilterBackend):
    """Field filters narrow lists only: on a single object they would let anyone test the
    attributes of a record they may not see (?stage=... answering 200 or 404)."""

    def filter_queryset(self, request, queryset, view):
        return queryset if is_detail(view) else super().filter_queryset(request, queryset, view)


class PolicyPermission(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        try:
            access.require(request.user, policy_action(request, view), obj, purpose="api")
        except Http404:
            raise exceptions.NotFound(NOT_FOUND) from None
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        return True


class PolicyViewSetMixin:
    """Rows the policy watches (restricted cases) are logged when a list shows them."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        access.record_shown(self.request.user, page if page is not None else queryset, purpose="api")
        return page


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        lifetime = datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)
        if token.created < timezone.now() - lifetime:
            raise exceptions.AuthenticationFailed(_("Token expired: obtain a new one at /api/token/."))
        return user, token


def exception_handler(exc, context):
    # Imported here: this module is loaded while rest_framework.views is still importing.
    from rest_framework.views import exception_handler as drf_exception_handler

    # A missing object and a hidden one must be indistinguishable.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    return drf_exception_handler(exc, context)


@contextmanager
def model_errors():
    """Business rules raise Django's ValidationError; the API answers them as a 400 with the
    same messages the pages show."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        if "__all__" in detail:
            detail["non_field_errors"] = detail.pop("__all__")
        raise serializers.ValidationError(detail) from None


def primary_key(field, data):
    """The id a related field was sent, or the field's own "incorrect type" message."""
    if isinstance(data, bool) or not str(data).isdigit():
        field.fail("incorrect_type", data_type=type(data).__name__)
    return int(data)


class PolicyParentField(serializers.PrimaryKeyRelatedField):
    """The case (or part of a case file) a new record is added to.

    Looked up through the access policy and locked for the rest of the request: one the caller
    may not see is refused exactly like one that does not exist (and the attempt logged); one
    they see but may not add to answers 403. `action` is what adding needs on the parent (a
    tuple: each of them, so nobody adds to a part of a file they may not read).
    """

    default_error_messages = {"hidden": NOT_FOUND}

    def __init__(self, model, action, **kwargs):
        self.model = model
        self.actions = (action,) if isinstance(action, str) else tuple(action)
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def to_internal_value(self, data):
        user = self.context["request"].user
        parent = access.get_object(user, self.model, for_update=True, pk=primary_key(self, data))
        if parent is None:
            self.fail("hidden")
        try:
            for action in self.actions:
                access.require(user, action, parent, purpose="api")
        except Http404:
            self.fail("hidden")
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        return parent


class PolicyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to another record (a defendant, a case, an assessment): only to one the
    caller may see, and one that does not exist answers exactly like one they may not see.
    Whether it fits the record being written (the same victim, a linked case) is the model's
    clean() to say."""

    default_error_messages = {"hidden": NOT_FOUND}

    def __init__(self, model, *, action="view", **kwargs):
        self.model, self.action = model, action
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def to_internal_value(self, data):
        user = self.context["request"].user
        record = access.visible(user, self.model, self.action).filter(pk=primary_key(self, data)).first()
        if record is None:
            self.fail("hidden")
        return record


class ModelRulesSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """Saves through the model's own validation (full_clean: field rules, clean() and the
    database constraints' messages) or through the service named by `save_instance`, so the
    API refuses exactly what the forms refuse. The parent field is fixed once created."""

    parent_field = None

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and self.parent_field in fields:
            fields[self.parent_field].read_only = True
        return fields

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if getattr(model_field, "multiple", False) and model_field.blank:  # several countries, or none
            kwargs.update(required=False, allow_empty=True)
        return field_class, kwargs

    def save_instance(self, instance):
        instance.full_clean()
        instance.save()
        return instance

    def _write(self, instance, validated_data):
        many = {name: validated_data.pop(name) for name in list(validated_data)
                if isinstance(self.fields.get(name), serializers.ManyRelatedField)}
        for name, value in validated_data.items():
            setattr(instance, name, value)
        with model_errors():
            instance = self.save_instance(instance)
        for name, value in many.items():
            getattr(instance, name).set(value)
        return instance

    def create(self, validated_data):
        return self._write(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._write(instance, validated_data)


class ValueToReviewSerializer(serializers.Serializer):
    """A retired code kept for review on a record (accounts.review)."""

    field = serializers.CharField(read_only=True)
    retired_code = serializers.CharField(read_only=True, help_text=_("The code of the earlier vocabulary."))
    was = serializers.CharField(read_only=True, help_text=_("What the retired code meant."))
    choose_from = serializers.ListField(child=serializers.CharField(), read_only=True, source="codes",
                                        help_text=_("The codes of today's values it may stand for."))


def values_reviewed_field():
    return serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_("You have chosen the values that replace the recoded ones: they are no longer to review."))
