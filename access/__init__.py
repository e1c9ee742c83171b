"""The access policy: the only code that decides who sees and does what [SPEC 3].

    visible(user, Case)                    -> the cases the user may see (one SQL query)
    visible(user, qs, "change")            -> narrowed to what the user may edit
    with_permissions(user, qs, "change")   -> each row annotated may_change (same query)
    get_object(user, Case, pk=1)           -> the case annotated with every right (one query)
    load_or_404(user, qs, "change", pk=1)  -> that object if the user may, else 404/403 (logged)
    can(user, "view_identity", victim)     -> bool
    require(user, "change", case)          -> raises Http404 / PermissionDenied, logging the denial
    may_use(user, Case, "view")            -> whether any object could ever qualify (no query)
    may(user, "open_case")                 -> a declared capability: no object concerned (no query)
    aggregate_scope(user)                  -> what national statistics may count: conditions, no rows
    may_aggregate(user, jurisdiction)      -> bool

Pages, API, exports, calendars, feeds and search all call these; none filters on its own.
The rules themselves live beside their models, in each app's access.py, registered in its
AppConfig.ready() (registry.py); this package imports no domain app.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessLog

from .aggregates import aggregate_scope, may_aggregate
from .engine import Action, ObjectRule, may_act_at_all  # noqa: F401
from .functions import functions_of
from .offices import (
    aggregated_jurisdictions, coordinated_agency_choices, coordinated_jurisdictions, reads_classified_statistics,
)
from .registry import capability, declare, register, rule_for

__all__ = [
    "visible", "with_permissions", "with_all_rights", "get_object", "load_or_404", "can", "require", "may_use",
    "may", "rule_for", "register", "declare", "record_shown", "audience", "coordinated_jurisdictions",
    "coordinated_agency_choices", "aggregated_jurisdictions", "aggregate_scope", "may_aggregate",
    "may_compile_statistics", "reads_classified_statistics", "may_act_at_all",
]


def may_compile_statistics(user):
    """Whether the user holds the aggregate right anywhere: the statistics page, its exports,
    the anonymised release and their API [SPEC 2.8]."""
    return aggregated_jurisdictions(user).exists()


def may(user, name):
    """Whether the user may do the declared capability `name` (registry.declare): a function
    of theirs allows it, and its further test, if any, passes. No query beyond the user's
    agency, which the user object carries."""
    declared = capability(name)
    if not may_act_at_all(user) or not functions_of(user) & declared.functions:
        return False
    return declared.also is None or bool(declared.also(user))


def _queryset(model_or_queryset):
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def visible(user, model_or_queryset, action="view"):
    queryset = _queryset(model_or_queryset)
    return rule_for(queryset).filter(user, queryset, action)


def with_permissions(user, model_or_queryset, *actions, action="view"):
    """Rows the user may `action`, each annotated `may_<a>` for every a in actions."""
    queryset = visible(user, model_or_queryset, action)
    return rule_for(queryset).annotate(user, queryset, actions, within=action) if actions else queryset


def may_use(user, model, action="view"):
    """True if the user's functions allow `action` on some object of this kind."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(set(user.functions) & rule_for(model).functions_for(action))


def can(user, action, obj):
    """Whether `user` may do `action` on `obj`. Objects loaded through with_permissions or
    get_object carry the answers already; anything else costs one query."""
    annotated = getattr(obj, f"may_{action}", None)
    if annotated is not None:
        return bool(annotated)
    rule = rule_for(obj)
    return rule.filter(user, type(obj)._default_manager.filter(pk=obj.pk), action).exists()


def get_object(user, model_or_queryset, *, for_update=False, **lookup):
    """The object matching `lookup`, whether or not the user may see it (None if it does not
    exist), annotated with the user's right to every action on it: one query. Pass it to
    require() to decide, and to can() for the page's further questions. `for_update` locks
    the row until the transaction ends, so an edit saves what it read."""
    queryset = with_all_rights(user, _queryset(model_or_queryset).filter(**lookup))
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.first()


def load_or_404(user, model_or_queryset, *actions, for_update=False, purpose="", **lookup):
    """The object matching `lookup`, annotated with every right of the user on it, once the
    user may do each of `actions` ("view" when none is named) on it: otherwise 404 for a
    missing object and for one the user may not see, 403 for one they see but may not act on,
    each refusal logged (require). The one way pages and API load a single record."""
    obj = get_object(user, model_or_queryset, for_update=for_update, **lookup)
    if obj is None:
        raise Http404(_("No such record, or you are not allowed to see it."))
    for action in actions or ("view",):
        require(user, action, obj, purpose=purpose)
    return obj


def with_all_rights(user, queryset):
    """`queryset` unfiltered, each row annotated with the user's right to every action."""
    rule = rule_for(queryset)
    return rule.annotate(user, queryset, tuple(rule.actions))


def require(user, action, obj, *, purpose=""):
    """Let the caller go on only if the user may do `action`; otherwise log and refuse.

    Someone who may not even see the object gets 404, so its existence is not revealed.
    Granted access to objects the rule watches (restricted cases) is logged too.
    """
    if can(user, action, obj):
        if rule_for(obj).access_is_logged(obj):
            log_access(user, AccessLog.Action.VIEW, [obj], requested=action, purpose=purpose)
        return

    log_access(user, AccessLog.Action.DENIED, [obj], requested=action, purpose=purpose)
    if action == "view" or not can(user, "view", obj):
        raise Http404(_("No such record, or you are not allowed to see it."))
    rule = rule_for(obj)
    raise PermissionDenied(_("You are not allowed to %(action)s.") % {"action": rule.actions[action].label})


def record_shown(user, objects, *, purpose=""):
    """Log the objects in a list that their rule watches (restricted cases): lists show them
    as surely as detail pages do. No query; one buffered insert."""
    watched = [obj for obj in objects if rule_for(obj).access_is_logged(obj)]
    if watched:
        log_access(user, AccessLog.Action.VIEW, watched, requested="list", purpose=purpose)


def audience(obj, user):
    """Who holds grants on obj, for the "who can see this" panel: [(what, [holders])].

    A case team is named only if `user` may see that case: a restricted case's reference
    must not leak through the victims linked to it."""
    rule = rule_for(obj)
    rows = list(
        rule.grant_model.objects.filter(content_object=obj)
        .select_related("permission", "group__agency", "group__case_team")
        .order_by("group__name")
    )
    team_cases = [row.group.case_team for row in rows if hasattr(row.group, "case_team")]
    visible_cases = set()
    if team_cases:
        candidates = type(team_cases[0])._default_manager.filter(pk__in=[case.pk for case in team_cases])
        visible_cases = set(visible(user, candidates).values_list("pk", flat=True))
    holders = {}
    for row in rows:
        group = row.group
        if hasattr(group, "agency"):
            label = str(group.agency)
        elif hasattr(group, "case_team"):
            if group.case_team.pk in visible_cases:
                label = _("the case team of %(case)s") % {"case": group.case_team}
            else:
                label = _("the team of a case you cannot see")
        else:
            label = group.name
        holders.setdefault(row.permission.codename, []).append(label)
    return [(text, sorted(set(holders[codename]))) for codename, text in rule.grant_labels.items() if codename in holders]
