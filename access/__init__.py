"""The access policy: the only code that decides who sees and does what.

    visible(user, Case)                    -> the cases the user may see (one SQL query)
    visible(user, qs, "change")            -> narrowed to what the user may edit
    with_permissions(user, qs, "change")   -> each row annotated may_change (same query)
    get_object(user, Case, pk=1)           -> the case annotated with every right (one query)
    can(user, "view_identity", victim)     -> bool
    require(user, "change", case)          -> raises Http404 / PermissionDenied, logging the denial
    may_use(user, Case, "view")            -> whether any object could ever qualify (no query)
    aggregate_scope(user)                  -> what national statistics may count: conditions, no rows
    may_aggregate(user, jurisdiction)      -> bool

Pages, API, exports, calendars, feeds and search all call these; none filters on its own.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .engine import Action, ObjectRule  # noqa: F401

__all__ = [
    "visible", "with_permissions", "with_all_rights", "get_object", "can", "require", "may_use", "rule_for",
    "record_shown", "audience", "coordinated_jurisdictions", "coordinated_agency_choices",
    "aggregated_jurisdictions", "aggregate_scope", "may_aggregate", "may_compile_statistics",
    "reads_classified_statistics",
]


def _rules():
    from .report_rules import RULES  # rules.py's, with the court calendar's, orders' and exports' added

    return RULES


def coordinated_jurisdictions(user):
    """The jurisdictions the user may run a coordination report for (a queryset)."""
    from .rules import coordinated_jurisdictions

    return coordinated_jurisdictions(user)


def aggregated_jurisdictions(user):
    """The jurisdictions whose every case and victim the user may count (a queryset):
    a national coordination office's focal point, its country's; a supervisor, their own
    [SPEC 2.8]. Counting them includes what the user may not open."""
    from .rules import aggregated_jurisdictions

    return aggregated_jurisdictions(user)


def aggregate_scope(user, *, jurisdiction=None):
    """The aggregate right as something to count over: an AggregateScope of SQL conditions
    (cases(path), victims(path)) for the user's aggregate jurisdictions, or the one named
    (PermissionDenied if not one of them). It yields no rows: statistics aggregate with it."""
    from .aggregates import aggregate_scope

    return aggregate_scope(user, jurisdiction=jurisdiction)


def may_compile_statistics(user):
    """Whether the user holds the aggregate right anywhere: the statistics page, its exports,
    the anonymised release and their API [SPEC 2.8]."""
    return aggregated_jurisdictions(user).exists()


def reads_classified_statistics(user):
    """Whether the user may see statistics unsuppressed, marked "do not publish" [SPEC 2.8]."""
    from .rules import reads_classified_statistics

    return reads_classified_statistics(user)


def may_aggregate(user, jurisdiction):
    """Whether the user may count every case and victim of `jurisdiction` [SPEC 2.8]."""
    from .aggregates import may_aggregate

    return may_aggregate(user, jurisdiction)


def coordinated_agency_choices(user):
    """The agencies a coordination report can be narrowed to (a queryset)."""
    from .rules import coordinated_agency_choices

    return coordinated_agency_choices(user)


def rule_for(model) -> ObjectRule:
    if isinstance(model, QuerySet):
        model = model.model
    elif isinstance(model, Model):
        model = type(model)
    try:
        return _rules()[model]
    except KeyError:
        raise LookupError(f"The access policy has no rule for {model.__name__}") from None


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


def with_all_rights(user, queryset):
    """`queryset` unfiltered, each row annotated with the user's right to every action."""
    rule = rule_for(queryset)
    return rule.annotate(user, queryset, tuple(rule.actions))


def require(user, action, obj, *, purpose=""):
    """Let the caller go on only if the user may do `action`; otherwise log and refuse.

    Someone who may not even see the object gets 404, so its existence is not revealed.
    Granted access to objects the rule watches (restricted cases) is logged too.
    """
    from accounts.audit import log_access
    from accounts.models import AccessLog

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
    from accounts.audit import log_access
    from accounts.models import AccessLog

    watched = [obj for obj in objects if rule_for(obj).access_is_logged(obj)]
    if watched:
        log_access(user, AccessLog.Action.VIEW, watched, requested="list", purpose=purpose)


def audience(obj, user):
    """Who holds grants on obj, for the "who can see this" panel: [(what, [holders])].

    A case team is named only if `user` may see that case: a restricted case's reference
    must not leak through the victims linked to it."""
    from cases.models import Case

    rule = rule_for(obj)
    rows = list(
        rule.grant_model.objects.filter(content_object=obj)
        .select_related("permission", "group__agency", "group__case_team")
        .order_by("group__name")
    )
    team_cases = [row.group.case_team for row in rows if hasattr(row.group, "case_team")]
    visible_cases = set()
    if team_cases:
        candidates = Case.objects.filter(pk__in=[case.pk for case in team_cases])
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
