"""The machinery of the access policy: rules per kind of object, evaluated in SQL.

A user may do an action on an object when
  * one of the user's functions is allowed to do that action at all, and
  * a group the user belongs to (their agency, a case team) holds the guardian grant the
    action needs on that object, or the user is the object's owner where the action admits
    ownership (a front-line officer and the victim they recorded), and
  * no exclusion names the user for that object.

An action may also declare a *reach*: a path of its own for some functions, such as the
national coordination office's reach over the cases of its country in a coordination report
(`ObjectRule.reach`). Exclusions apply to it as to every other path.

Each rule turns this into one SQL condition, so "which objects may this user see" is a
single filtered query and "may this user do X to this object" is the same condition
applied to one row: both questions always get the same answer.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value


def may_act_at_all(user):
    """An active, signed-in user whose agency (if any) is open: a closed agency's people keep
    no access."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    agency = getattr(user, "agency", None)
    return agency is None or agency.is_active


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    functions: frozenset
    permission: str | None = None
    owner_field: str | None = None
    owner_functions: frozenset = field(default_factory=frozenset)
    # Functions for which the rule's reach(user, action) is one more path (see the module doc).
    reach_functions: frozenset = field(default_factory=frozenset)


class ObjectRule:
    """Subclasses declare: model, grant_model (guardian direct group-permission model), actions."""

    model = None
    grant_model = None
    actions: dict = {}
    grant_labels: dict = {}  # permission codename -> what holding it lets a group do

    def exclusion(self, user):
        """A Q matching the objects `user` is personally excluded from, or None."""
        return None

    def ownership(self, user, action):
        """The Q by which the user owns an object for `action` (its owner_field is the user)."""
        return Q(**{self.actions[action].owner_field: user})

    def reach(self, user, action):
        """A Q of the objects the user reaches for `action` beyond grants and ownership, or None."""
        return None

    def access_is_logged(self, obj):
        """Whether every granted access to obj goes into the access log, not only denials."""
        return False

    def functions_for(self, action):
        a = self.actions[action]
        return a.functions | a.owner_functions | a.reach_functions

    def condition(self, user, action):
        """The SQL condition for `action` by `user`, or None when the user can never do it."""
        if action not in self.actions:
            raise KeyError(f"{self.model.__name__} has no action {action!r}")
        if not may_act_at_all(user):
            return None
        a = self.actions[action]
        functions = set(getattr(user, "functions", ()) or ())
        paths = []
        if a.permission and functions & a.functions:
            meta = self.model._meta
            grants = self.grant_model.objects.filter(
                content_object=OuterRef("pk"),
                permission__codename=a.permission,
                permission__content_type__app_label=meta.app_label,
                permission__content_type__model=meta.model_name,
                group__user=user,
            )
            paths.append(Q(Exists(grants)))
        if a.owner_field and functions & a.owner_functions:
            paths.append(self.ownership(user, action))
        if functions & a.reach_functions:
            reach = self.reach(user, action)
            if reach is not None:
                paths.append(reach)
        if not paths:
            return None
        condition = reduce(or_, paths)
        excluded = self.exclusion(user)
        if excluded is not None:
            condition &= ~excluded
        return condition

    def filter(self, user, queryset, action):
        condition = self.condition(user, action)
        return queryset.none() if condition is None else queryset.filter(condition)

    def annotate(self, user, queryset, actions):
        annotations = {}
        for action in actions:
            condition = self.condition(user, action)
            annotations[f"may_{action}"] = (
                Value(False) if condition is None else ExpressionWrapper(condition, output_field=BooleanField())
            )
        return queryset.annotate(**annotations)
