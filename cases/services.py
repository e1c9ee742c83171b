"""Changes to cases that affect who may see them. Views, API, commands and tasks call these;
each runs in one transaction, locks the case row so concurrent changes queue up instead of
overwriting each other, bumps the case's version (an edit form loaded before is then
refused), and keeps the access grants in step with the data."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.functions import Function
from accounts.models import User

from .grants import sync_case_grants, sync_case_team
from .models import Case, CaseAgency, CaseAssignment, CaseExclusion
from .signals import case_team_changed


def eligible_team_members(case):
    """Who may be put on the case team: active people of the agencies taking part."""
    return User.objects.filter(is_active=True, agency__case_roles__case=case).distinct()


def lock(case):
    """Lock the case row for this transaction and bump its version; returns the fresh row."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    fresh.version += 1
    fresh.save()
    return fresh


@transaction.atomic
def open_case(*, actor, agencies=(), **fields):
    """Open a case; `agencies` is a list of (agency, CaseAgency.Role). The actor's own agency
    takes part as investigating or prosecuting agency unless listed otherwise."""
    case = Case(created_by=actor, **fields)
    case.full_clean()
    case.save()
    roles = list(agencies)
    if actor is not None and actor.agency_id and not any(agency == actor.agency for agency, _r in roles):
        default = CaseAgency.Role.PROSECUTING if actor.agency.kind == "prosecution" else CaseAgency.Role.INVESTIGATING
        roles.append((actor.agency, default))
    bulk_create_with_history([CaseAgency(case=case, agency=a, role=r) for a, r in roles], CaseAgency)
    sync_case_grants(case)
    # Whoever opens the case holds it from inception: continuity starts on day one [GP 15].
    if actor is not None and actor.has_function(Function.PROSECUTOR):
        assign(case, actor, CaseAssignment.TeamRole.PROSECUTOR)
    elif actor is not None and actor.has_function(Function.INVESTIGATOR):
        assign(case, actor, CaseAssignment.TeamRole.LEAD_INVESTIGATOR)
    return case


@transaction.atomic
def add_agency(case, agency, role):
    case = lock(case)
    CaseAgency.objects.get_or_create(case=case, agency=agency, role=role)
    sync_case_grants(case)


@transaction.atomic
def remove_agency(case, agency, role):
    case = lock(case)
    for part in CaseAgency.objects.filter(case=case, agency=agency, role=role):
        part.delete()
    if not case.agency_roles.filter(agency=agency).exists():
        # Its people leave the team too: only people of agencies taking part hold a function.
        leaving = list(case.assignments.filter(user__agency=agency, ended_on__isnull=True).select_related("user"))
        if leaving:
            _end_assignments(case, leaving, reason=_("%(agency)s no longer takes part in the case.") % {"agency": agency})
    sync_case_grants(case)


@transaction.atomic
def assign(case, user, team_role, *, started_on=None, reason=""):
    """Put `user` on the case team; a current holder of the same function is handed over."""
    case = lock(case)
    today = timezone.localdate()
    started_on = started_on or today
    if started_on > today:
        raise ValidationError(_("An assignment starts today or earlier; record a planned handover when it happens."))
    current = list(case.assignments.filter(team_role=team_role, ended_on__isnull=True).select_related("user"))
    if any(held.user_id == user.pk for held in current):
        return next(held for held in current if held.user_id == user.pk)  # already holds it
    if current and not reason.strip():
        raise ValidationError(_("A change of %(role)s needs a reason.") % {
            "role": CaseAssignment.TeamRole(team_role).label})
    for previous in current:
        previous.ended_on = started_on
        previous.reason = reason
        previous.save()
    assignment = CaseAssignment(case=case, user=user, team_role=team_role, started_on=started_on)
    assignment.full_clean()
    assignment.save()
    sync_case_team(case)
    sync_case_grants(case)
    case_team_changed.send(Case, case=case, handed_over={previous.user: user for previous in current})
    return assignment


@transaction.atomic
def end_assignment(assignment, *, reason, ended_on=None):
    _end_assignments(assignment.case, [assignment], reason=reason, ended_on=ended_on)


def _end_assignments(case, assignments, *, reason, ended_on=None):
    """End `assignments` of one case together: one lock, one team sync, and one
    case_team_changed naming whoever holds each function afterwards."""
    if not reason.strip():
        raise ValidationError(_("Ending an assignment needs a reason."))
    case = lock(case)
    for assignment in assignments:
        assignment.ended_on = ended_on or timezone.localdate()
        assignment.reason = reason
        assignment.full_clean()
        assignment.save()
    sync_case_team(case)
    handed_over = {}
    for assignment in assignments:  # someone leaving two functions hands over to a holder of either
        if handed_over.get(assignment.user) is None:
            handed_over[assignment.user] = case.holder(assignment.team_role)
    case_team_changed.send(Case, case=case, handed_over=handed_over)


@transaction.atomic
def end_assignments_of(user, *, reason, case=None):
    """End every current assignment of `user` (on `case` only, when given): the person moved to
    another agency or was excluded. Returns how many ended."""
    assignments = CaseAssignment.objects.filter(user=user, ended_on__isnull=True).select_related("case", "user")
    if case is not None:
        assignments = assignments.filter(case=case)
    by_case = {}
    for assignment in assignments:
        by_case.setdefault(assignment.case_id, []).append(assignment)
    for held in by_case.values():
        _end_assignments(held[0].case, held, reason=reason)
    return sum(len(held) for held in by_case.values())


@transaction.atomic
def set_restricted(case, restricted):
    case = lock(case)
    case.is_restricted = restricted
    case.save()
    sync_case_grants(case)
    return case


@transaction.atomic
def save_defendant(defendant, *, values_reviewed=False):
    """Save a defendant; a public official among them makes the case restricted [PR 1.2.7].
    Removing the flag later does not lift the restriction: that stays a deliberate decision.
    `values_reviewed`: the retired codes kept for review (accounts.review) have been replaced."""
    if values_reviewed:
        defendant.values_to_review = []
    defendant.full_clean()
    defendant.save()
    if defendant.is_public_official and not Case.objects.filter(pk=defendant.case_id, is_restricted=True).exists():
        set_restricted(defendant.case, True)
    return defendant


@transaction.atomic
def exclude_from_case(case, user, *, reason, actor):
    if not reason.strip():
        raise ValidationError(_("An exclusion needs a reason."))
    case = lock(case)
    exclusion, _created = CaseExclusion.objects.get_or_create(
        case=case, user=user, defaults={"reason": reason, "excluded_by": actor}
    )
    # Whoever is kept out of a case holds no function in it. The team history shows the plain
    # fact; the exclusion's own reason stays with the exclusion.
    end_assignments_of(user, case=case, reason=_("Excluded from the case."))
    return exclusion
