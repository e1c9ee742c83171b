"""The access policy as DRF's permission and filter backends (settings.REST_FRAMEWORK)."""

from rest_framework import permissions
from rest_framework.filters import BaseFilterBackend

from . import policy


def policy_action(request, view):
    actions = getattr(view, "policy_actions", {})
    if request.method in actions:
        return actions[request.method]
    return "view" if request.method in permissions.SAFE_METHODS else "change"


class PolicyFilterBackend(BaseFilterBackend):
    """Lists are the policy's queryset, annotated with the per-row rights the serializer needs.

    Single-object requests are not filtered here but annotated with every right: then
    PolicyPermission decides and logs, so a refusal is recorded instead of looking like a
    missing row.
    """

    def filter_queryset(self, request, queryset, view):
        if (getattr(view, "lookup_url_kwarg", None) or view.lookup_field) in view.kwargs:
            return policy.with_all_rights(request.user, queryset)
        return policy.with_permissions(
            request.user, queryset, *getattr(view, "policy_annotations", ()), action=policy_action(request, view)
        )


class PolicyPermission(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        policy.require(request.user, policy_action(request, view), obj, purpose="api")
        return True
