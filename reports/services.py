"""Figures for the prosecutor continuity dashboard and the supervisor view [SPEC 2.8].

Every function starts from access.visible(user, Case), so a figure never counts a case the
reader may not see (restricted cases, exclusions). Per-case facts are SQL annotations and the
time standards are read once, so a page costs the same number of queries for 3 cases as for 300.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case as DbCase
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

import access
from accounts.functions import Function
from accounts.models import User
from cases import lifecycle
from cases.models import Case, CaseAgency, CaseAssignment, CaseStageChange, Defendant, StageTimeStandard
from deadlines import services as deadlines
from hearings import services as hearings
from hearings.models import Hearing, SpecialMeasure
from victims.children import case_is_child
from protection.flags import case_needs_risk_reassessment
from victims.flags import case_needs_non_punishment_decision

PROSECUTOR = CaseAssignment.TeamRole.PROSECUTOR
CLOSED_STAGES = (Case.Stage.CLOSED, Case.Stage.CLOSED_NO_CHARGE)


def _count(queryset, outer, field="pk", distinct=False):
    """A correlated COUNT over `queryset` (filtered on OuterRef by its field `outer`), 0 when
    there are no rows: a subquery, so no join multiplies the outer rows."""
    counted = queryset.order_by().values(outer).annotate(n=Count(field, distinct=distinct)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def annotate_continuity(cases):
    """Add to each case: handovers, prosecutors (distinct people), is_child, has_official,
    non_criminalisation (a victim charged with an offence tied to their trafficking awaits a
    non-punishment decision [PR 1.2.2]) and risk_reassessment (an order protecting a victim of
    the case was violated after their last completed risk assessment [SPEC 2.6])."""
    prosecutor_assignments = CaseAssignment.objects.filter(case=OuterRef("pk"), team_role=PROSECUTOR)
    if "is_child" not in cases.query.annotations:
        cases = cases.annotate(is_child=case_is_child())
    return cases.annotate(
        handovers=Greatest(_count(prosecutor_assignments, "case") - 1, 0),
        prosecutors=_count(prosecutor_assignments, "case", "user", distinct=True),
        has_official=Exists(Defendant.objects.filter(case=OuterRef("pk"), is_public_official=True)),
        is_closed=Q(stage__in=CLOSED_STAGES),
        non_criminalisation=case_needs_non_punishment_decision(),
        risk_reassessment=case_needs_risk_reassessment(),
    )


def with_stage_times(cases, today=None):
    """Evaluate `cases` and set days_in_stage, standard_days (None when closed) and days_over
    (None when within the standard) on each; the standards are read in one query."""
    cases = list(cases)
    table = lifecycle.standards_table({case.jurisdiction_id for case in cases})
    for case in cases:
        case.days_in_stage = lifecycle.days_in_stage(case, today)
        case.standard_days = lifecycle.stage_standard_days(case, case.is_child, table)
        over = None if case.standard_days is None else case.days_in_stage - case.standard_days
        case.days_over = over if over and over > 0 else None
    return cases


# --- Prosecutor ---------------------------------------------------------------------------

def my_cases_queryset(user):
    """Cases the user may see and currently prosecutes: open ones first, child cases first
    among them [GP 19], then the longest in their stage. Each carries its next hearing, its
    adjournments (one query with the cases); `decorate` adds the time in stage, the deadlines
    and the special measures to the rows shown."""
    current = CaseAssignment.objects.filter(case=OuterRef("pk"), team_role=PROSECUTOR, user=user,
                                            ended_on__isnull=True)
    cases = annotate_continuity(access.visible(user, Case).filter(Exists(current)))
    # Hearings and adjournments are counted per case: whoever sees a case sees all its hearings
    # (HearingRule).
    cases = hearings.adjournments(hearings.next_hearings(cases))
    return cases.select_related("jurisdiction").order_by("is_closed", F("is_child").desc(), "stage_entered_at", "pk")


def decorate(user, cases, today=None):
    """Evaluate `cases` (of my_cases_queryset) with their time in stage, their open and overdue
    deadlines as the user sees them (one can follow a record of the case the user is kept
    from: deadlines.services.open_counts) and the special measures of their victim-witnesses
    at coming hearings: two more queries."""
    cases = with_stage_times(cases, today)
    deadlines.open_counts(cases, user=user)
    _attach_special_measures(user, cases)
    return cases


def my_cases(user, today=None):
    """All of my_cases_queryset, decorated."""
    return decorate(user, my_cases_queryset(user), today)


def _attach_special_measures(user, cases):
    """Set `special_measures` on each case: the measures asked for its victim-witnesses at its
    scheduled hearings still to come, as the user may see them, by victim code. One query."""
    by_case = {case.pk: [] for case in cases}
    if by_case:
        measures = access.visible(user, SpecialMeasure).filter(
            witness__hearing__case__in=list(by_case), witness__hearing__status=Hearing.Status.SCHEDULED,
            witness__hearing__starts_at__gte=timezone.now(), witness__victim__isnull=False,
        ).select_related("witness__victim", "witness__hearing").order_by(
            "witness__hearing__starts_at", "witness__victim__code", "measure")
        for measure in measures:
            by_case[measure.witness.hearing.case_id].append(measure)
    for case in cases:
        case.special_measures = by_case[case.pk]


# --- Supervisor ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Continuity:
    continuous: int  # reached judgment with one prosecutor since inception
    judged: int  # reached judgment

    @property
    def rate(self):
        return round(100 * self.continuous / self.judged, 1) if self.judged else None


def office_cases(user):
    """Cases the supervisor may see in which their agency is the prosecuting office."""
    if user.agency_id is None:
        return Case.objects.none()
    prosecuting = CaseAgency.objects.filter(case=OuterRef("pk"), agency_id=user.agency_id,
                                            role=CaseAgency.Role.PROSECUTING)
    return access.visible(user, Case).filter(Exists(prosecuting))


def continuity(user):
    judged = CaseStageChange.objects.filter(case=OuterRef("pk"), to_stage=Case.Stage.JUDGMENT)
    assignments = CaseAssignment.objects.filter(case=OuterRef("pk"), team_role=PROSECUTOR)
    cases = office_cases(user).filter(Exists(judged)).annotate(
        prosecutors=_count(assignments, "case", "user", distinct=True))
    figures = cases.aggregate(judged=Count("pk"), continuous=Count("pk", filter=Q(prosecutors=1)))
    return Continuity(continuous=figures["continuous"], judged=figures["judged"])


def caseload(user):
    """The office's prosecutors with their current prosecutor assignments on open cases the
    supervisor may see. Inactive accounts appear only while they still hold cases."""
    if user.agency_id is None:
        return []
    open_cases = access.visible(user, Case).exclude(stage__in=CLOSED_STAGES).values("pk")
    people = list(User.objects.filter(agency_id=user.agency_id, functions__contains=[Function.PROSECUTOR]))
    # One grouped count for the whole office (a correlated count per person made the planner
    # reckon the page costly enough to compile it).
    held = dict(CaseAssignment.objects.filter(
        user__in=[person.pk for person in people], team_role=PROSECUTOR, ended_on__isnull=True, case__in=open_cases,
    ).order_by().values("user").annotate(n=Count("pk")).values_list("user", "n")) if people else {}
    for person in people:
        person.open_cases = held.get(person.pk, 0)
    shown = [person for person in people if person.is_active or person.open_cases]
    return sorted(shown, key=lambda person: (-person.open_cases, person.last_name, person.first_name,
                                             person.username))


def _standard_days():
    """SQL: the days a case may stay in its stage, as lifecycle.stage_standard_days reckons
    them (the jurisdiction's standard, else the settings'; the child standard for child cases).
    Needs the is_child annotation."""
    standards = StageTimeStandard.objects.filter(jurisdiction=OuterRef("jurisdiction_id"), stage=OuterRef("stage"))

    def reckoned(column, index):
        defaults = [When(stage=stage, then=Value(days[index]))
                    for stage, days in settings.CASE_STAGE_STANDARD_DAYS.items()]
        return Coalesce(Subquery(standards.values(column)[:1]), DbCase(*defaults, default=None),
                        output_field=IntegerField())

    return DbCase(When(is_child=True, then=reckoned("child_days", 1)), default=reckoned("days", 0),
                  output_field=IntegerField())


def _days_in_stage(today):
    """SQL: whole days since the case entered its stage, in local dates (lifecycle.days_in_stage)."""
    entered = TruncDate("stage_entered_at", tzinfo=timezone.get_current_timezone())
    return Func(Value(today), entered, template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


def over_standard(user, today=None):
    """The office's open cases longer in their stage than the standard, most overdue first: the
    first settings.SUPERVISOR_LATE_ROWS of them, found and ordered in SQL (an office holds
    thousands of open cases), and how many there are in all."""
    today = today or timezone.localdate()
    current = CaseAssignment.objects.filter(team_role=PROSECUTOR, ended_on__isnull=True).select_related("user")
    # Which cases are late needs only the standard; the rest is worked out for those shown.
    late = (office_cases(user).exclude(stage__in=CLOSED_STAGES).annotate(is_child=case_is_child())
            .annotate(standard=_standard_days(), in_stage=_days_in_stage(today))
            .filter(standard__isnull=False, in_stage__gt=F("standard")))
    shown = (annotate_continuity(late.annotate(over=F("in_stage") - F("standard")).order_by("-over", "reference"))
             .select_related("jurisdiction")
             .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_prosecutors")))
    return with_stage_times(shown[:settings.SUPERVISOR_LATE_ROWS], today), late.count()

