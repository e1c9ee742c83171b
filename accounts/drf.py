"""The access policy as DRF's permission and filter backends (settings.REST_FRAMEWORK),
plus expiring tokens and one answer for every missing or hidden object."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication
from rest_framework.filters import BaseFilterBackend

from . import policy

NOT_FOUND = _("No such record, or you are not allowed to see it.")


def policy_action(request, view):
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
            queryset = policy.with_all_rights(request.user, queryset)
            if request.method not in permissions.SAFE_METHODS:
                queryset = queryset.select_for_update(of=("self",))
            return queryset
        return policy.with_permissions(
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
            policy.require(request.user, policy_action(request, view), obj, purpose="api")
        except Http404:
            raise exceptions.NotFound(NOT_FOUND) from None
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from None
        return True


class PolicyViewSetMixin:
    """Rows the policy watches (restricted cases) are logged when a list shows them."""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        policy.record_shown(self.request.user, page if page is not None else queryset, purpose="api")
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
