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

The condition is shaped for the planner [SPEC 3]: `pk IN (grant ids UNION owned ids UNION
reached ids) AND pk NOT IN (excluded ids)`. Each part is a small index-driven set (a grant
by permission id and the user's groups, never by name joins), so the user's share, not the
national total, decides the cost, and a nested rule (a hearing's case) is a semi-join.

A reach is not small: a coordination office reaches every case of its country. As an id set
it would be tens of thousands of ids, which PostgreSQL, estimating a union's distinct values
at 200, drives the query from (tens of thousands of index probes into hearings or deadlines
for the period's few hundred). So where a rule tests another's objects (`through`), the reach
is tested on the row the path joins (`case.jurisdiction.country`), OR'ed with the grant ids.

A rule's condition is built once per user state and kept on the user object (so for one
request): a deadline's rule asks the case, victim, referral and order rules, and a page asks
several rules, which would otherwise build the same nested conditions again and again. The
conditions hold no data (grants are subqueries run with the query), only what the user
object says (functions, agency), which is part of the key.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from accounts.models import User

from .functions import functions_of

_PERMISSION_IDS = {}


@receiver(post_migrate)
def _forget_permission_ids(**kwargs):
    # migrate and flush (tests) may give permissions new ids.
    _PERMISSION_IDS.clear()


def permission_id(model, codename):
    """The id of `codename` on `model`'s permissions, looked up once per process."""
    key = (model._meta.app_label, model._meta.model_name, codename)
    if key not in _PERMISSION_IDS:
        _PERMISSION_IDS[key] = Permission.objects.values_list("pk", flat=True).get(
            content_type__app_label=key[0], content_type__model=key[1], codename=codename)
    return _PERMISSION_IDS[key]


def user_groups(user):
    """The ids of the groups the user belongs to (their agency, their case teams), as a subquery."""
    return User.groups.through.objects.filter(user_id=user.pk).values("group_id")


def ids(model, condition):
    """The pks of `model` rows matching `condition`, as a subquery for `field__in`."""
    return model._default_manager.filter(condition).order_by().values("pk")


def any_of(*id_sets):
    """One id subquery from several (None ones left out), or None."""
    id_sets = [id_set for id_set in id_sets if id_set is not None]
    if not id_sets:
        return None
    return id_sets[0] if len(id_sets) == 1 else id_sets[0].union(*id_sets[1:], all=True)


def either(*conditions):
    """The OR of the conditions that are not None (a path the user has), or None when none is:
    the one way rules combine their paths."""
    conditions = [condition for condition in conditions if condition is not None]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def on_path(condition, path):
    """`condition`, a Q on a model's own fields, as a Q on rows that lead to it through `path`
    ("pk": the model's own rows)."""
    if path == "pk":
        return condition
    moved = Q()
    moved.connector, moved.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            moved.children.append(on_path(child, path))
        else:
            lookup, value = child
            moved.children.append((path + lookup[2:] if lookup == "pk" or lookup.startswith("pk__")
                                   else f"{path}__{lookup}", value))
    return moved


@dataclass(frozen=True)
class Paths:
    """A rule's paths for one user and action: `ids` all of them as one id subquery; `held`
    the grant and ownership ones (None if none), `reach` the reach's own Q (None if none) and
    `excluded` the ids the user is kept from (None if none), for `through`."""
    ids: object
    held: object
    reach: Q | None
    excluded: object


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


def _user_state(user):
    agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
    return (getattr(user, "pk", None), bool(getattr(user, "is_authenticated", False)),
            getattr(user, "is_active", False), tuple(sorted(getattr(user, "functions", ()) or ())),
            getattr(user, "agency_id", None), agency and (agency.is_active, agency.kind, str(agency.country),
                                                          agency.jurisdiction_id))


def _kept_per_user(condition):
    def kept(self, user, action):
        if user is None or not getattr(user, "is_authenticated", False):
            return condition(self, user, action)
        memo = user.__dict__.setdefault("_policy_conditions", {})
        key = (id(self), action, _user_state(user))
        if key not in memo:
            memo[key] = condition(self, user, action)
        return memo[key]

    kept.__doc__, kept.__wrapped__ = condition.__doc__, condition
    return kept


class ObjectRule:
    """Subclasses declare: model, actions, and either grant_model (guardian direct
    group-permission model: the grant, ownership and reach paths) or paths() of their own."""

    model = None
    grant_model = None
    actions: dict = {}
    grant_labels: dict = {}  # permission codename -> what holding it lets a group do

    def excluded_ids(self, user):
        """The pks of the objects `user` is personally excluded from, as a subquery, or None."""
        return None

    def exclusion(self, user):
        """A Q matching the objects `user` is personally excluded from, or None."""
        excluded = self.excluded_ids(user)
        return None if excluded is None else Q(pk__in=excluded)

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
        """The SQL condition for `action` by `user`, or None when the user can never do it.
        The opening check is made here once for every rule (the action exists, the user may
        act at all, a function of theirs allows the action); then the rule's paths decide."""
        if action not in self.actions:
            raise KeyError(f"{self.model.__name__} has no action {action!r}")
        if not may_act_at_all(user) or not functions_of(user) & self.functions_for(action):
            return None
        return self.paths(user, action) if self._has_own_paths() else self.through(user, action, "pk")

    def paths(self, user, action):
        """The ways the user reaches objects for `action`, as one Q (engine.either of them), or
        None when there is none; called once the opening check has passed. By default the
        grant, ownership and reach paths; a rule whose objects follow another's (a hearing its
        case) says so here."""
        return self.through(user, action, "pk")

    def visible_ids(self, user, action):
        """The pks of the objects the user may `action`, as one subquery (None when none may
        qualify): the union of the grant, ownership and reach paths, each less the user's
        exclusions. A grant path never reads the object's own table, so a rule that tests
        another's objects (a hearing's case) semi-joins straight onto the grants. Rules with
        paths of their own answer with the rows that match their condition."""
        if self._has_own_paths():
            condition = self.condition(user, action)
            return None if condition is None else ids(self.model, condition)
        paths = self._paths(user, action)
        return None if paths is None else paths.ids

    def through(self, user, action, path):
        """A Q matching the rows whose `path` leads to an object the user may `action` ("pk":
        the objects themselves), or None when none may qualify: `path IN visible ids`. A reach
        is the exception (see the module doc): as wide as a country, it is tested on the row
        `path` joins, beside the grant and ownership ids."""
        if self._has_own_paths():
            visible = self.visible_ids(user, action)
            return None if visible is None else Q(**{f"{path}__in": visible})
        paths = self._paths(user, action)
        if paths is None:
            return None
        if paths.reach is None:
            return Q(**{f"{path}__in": paths.ids})
        reached = on_path(paths.reach, path)
        if paths.excluded is not None:
            reached &= ~Q(**{f"{path}__in": paths.excluded})
        return reached if paths.held is None else Q(**{f"{path}__in": paths.held}) | reached

    def _has_own_paths(self):
        return type(self).paths is not ObjectRule.paths

    def _paths(self, user, action):
        if action not in self.actions:
            raise KeyError(f"{self.model.__name__} has no action {action!r}")
        if not may_act_at_all(user):
            return None
        a = self.actions[action]
        functions = functions_of(user)
        grant = a.permission if a.permission and functions & a.functions else None
        owner = a.owner_field if a.owner_field and functions & a.owner_functions else None
        reach = action if functions & a.reach_functions else None
        if not (grant or owner or reach):
            return None
        # Actions that come down to the same paths get the very same subquery (the same
        # object): a rule asking for several of them can tell, and test once.
        memo = user.__dict__.setdefault("_policy_paths", {})
        key = (id(self), grant, owner, reach, _user_state(user))
        if key not in memo:
            memo[key] = self._build_paths(user, action, grant, owner, reach)
        return memo[key]

    def _build_paths(self, user, action, grant, owner, reach):
        excluded = self.excluded_ids(user)
        held = []
        if grant:
            granted = self.grant_model.objects.filter(
                permission_id=permission_id(self.model, grant), group_id__in=user_groups(user))
            if excluded is not None:
                granted = granted.exclude(content_object_id__in=excluded)
            held.append(granted.values("content_object_id"))
        owned = self.ownership(user, action) if owner else None
        if owned is not None:
            held.append(ids(self.model, owned if excluded is None else owned & ~Q(pk__in=excluded)))
        reached = self.reach(user, action) if reach else None
        all_ids = held + ([] if reached is None else [
            ids(self.model, reached if excluded is None else reached & ~Q(pk__in=excluded))])
        if not all_ids:
            return None
        return Paths(ids=any_of(*all_ids), held=any_of(*held), reach=reached, excluded=excluded)

    def filter(self, user, queryset, action):
        condition = self.condition(user, action)
        return queryset.none() if condition is None else queryset.filter(condition)

    def condition_within(self, user, action, within):
        """The condition for `action` on rows already known to pass `within` (a list filtered
        on "view"): a rule may drop what `within` already ensures. By default, the condition."""
        return self.condition(user, action)

    def annotate(self, user, queryset, actions, within=None):
        annotations = {}
        for action in actions:
            condition = self.condition(user, action) if within is None else self.condition_within(user, action, within)
            annotations[f"may_{action}"] = (
                Value(False) if condition is None else ExpressionWrapper(condition, output_field=BooleanField())
            )
        return queryset.annotate(**annotations)


ObjectRule.condition = _kept_per_user(ObjectRule.condition)
