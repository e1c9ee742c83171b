"""Who sees and changes hearings, witnesses, special measures and judges' absences [SPEC 2.5,
SPEC 3]. Registered in HearingsConfig.ready().

They follow the case and the victims they belong to (cases.access, victims.access), with two
additions of their own: court staff see the hearings of their own court, and an NGO sees the
hearings of the victims it supports, not others'.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

import access
from access.engine import Action, ObjectRule, either, may_act_at_all, user_groups
from access.functions import (
    CASE_READERS, COORDINATORS, COURT_STAFF, PROCEEDINGS, functions_of, is_court_staff,
)
from accounts.functions import Function as F
from cases.access import CASE_RULE, excluded_cases
from cases.models import Case, CaseExclusion
from victims.access import supported_victims
from victims.models import VictimCaseLink

from .models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure

# Who sets hearing dates: the prosecution asks, the court lists [SPEC 2.5].
SCHEDULERS = frozenset({F.PROSECUTOR, F.SUPERVISOR}) | COURT_STAFF


def _on_team(user, team_group_path):
    return Q(**{f"{team_group_path}__in": user_groups(user)})


def _case_excluded(user, path="case"):
    return Q(**{f"{path}__in": excluded_cases(user)})


class HearingRule(ObjectRule):
    model = Hearing
    actions = {
        "view": Action("view", _("see the hearing"), CASE_READERS),
        "change": Action("change", _("schedule, move, adjourn or cancel the hearing"), SCHEDULERS),
        "view_witnesses": Action("view_witnesses", _("see the witnesses and their special measures"),
                                 PROCEEDINGS | {F.CASEWORKER}),
        # Hearings that need coordination, in the report, with their case [SPEC 2.8].
        "coordinate": Action("coordinate", _("list the hearing in a coordination report"), COORDINATORS),
    }

    def _court_path(self, user):
        # Court staff list the hearings of their court (a restricted case only through its team).
        if not is_court_staff(user):
            return None
        return Q(court=user.agency_id, case__is_restricted=False) & ~_case_excluded(user)

    def _ngo_path(self, user):
        """Caseworkers: the hearings of the victims their agency supports, and of the cases
        they are personally on the team of (a victim's representative)."""
        if F.CASEWORKER not in functions_of(user):
            return None
        on_team = _on_team(user, "case__team_group_id")
        victims = supported_victims(user)
        if victims is not None:
            # A restricted case's hearings stay with its team, whoever supports its victims.
            supported = Q(case__in=VictimCaseLink.objects.filter(victim__in=victims).values("case_id"))
            on_team |= supported & Q(case__is_restricted=False)
        return on_team & ~_case_excluded(user)

    def paths(self, user, action):
        functions = functions_of(user)
        if action == "coordinate":
            return CASE_RULE.through(user, "coordinate", "case")
        if action == "view":
            case_path = None
            if functions & (CASE_READERS - {F.CASEWORKER}):
                cases = CASE_RULE.visible_ids(user, "view")
                case_path = None if cases is None else Q(case__in=cases)
            return either(case_path, self._court_path(user), self._ngo_path(user))
        if action == "change":
            case_path = None
            if functions & {F.PROSECUTOR, F.SUPERVISOR}:
                cases = CASE_RULE.visible_ids(user, "change")
                case_path = None if cases is None else Q(case__in=cases)
            return either(case_path, self._court_path(user))
        # view_witnesses: the proceedings' people; an NGO only its own victims' rows (HearingWitnessRule).
        cases = CASE_RULE.visible_ids(user, "view_proceedings")
        return either(None if cases is None else Q(case__in=cases), self._court_path(user), self._ngo_path(user))

    def may_schedule(self, user, case, court):
        """Whether the user may set a hearing in `case` before `court`: the prosecution of the
        case, or the staff of that court where they see the case."""
        functions = functions_of(user)
        if not may_act_at_all(user):
            return False
        if functions & {F.PROSECUTOR, F.SUPERVISOR} and access.can(user, "change", case):
            return True
        # Court staff list hearings at their own court, for the cases before it or that they see.
        return bool(is_court_staff(user) and court is not None and user.agency_id == court.pk
                    and (access.can(user, "view", case) or (case.court_id == court.pk and not case.is_restricted))
                    and not CaseExclusion.objects.filter(case=case, user=user).exists())

    def schedulable_cases(self, user):
        """The cases the user may set hearings in (for choosing one)."""
        functions = functions_of(user)
        paths = []
        if functions & {F.PROSECUTOR, F.SUPERVISOR}:
            paths.append(CASE_RULE.condition(user, "change"))
        if is_court_staff(user):
            paths.append(Q(court=user.agency_id, is_restricted=False) & ~CASE_RULE.exclusion(user))
            paths.append(CASE_RULE.condition(user, "view"))
        condition = either(*paths)
        return Case.objects.none() if condition is None else Case.objects.filter(condition)


HEARING_RULE = HearingRule()


class HearingWitnessRule(ObjectRule):
    """Witnesses and their measures: the people of the proceedings see all; an NGO sees the
    rows of the victims it supports."""

    model = HearingWitness
    path = "hearing"
    actions = {
        "view": HEARING_RULE.actions["view_witnesses"],
        "change": Action("change", _("record witnesses and special measures"), SCHEDULERS),
        "coordinate": HEARING_RULE.actions["coordinate"],
    }

    def paths(self, user, action):
        functions = functions_of(user)
        prefix = f"{self.path}__" if self.path != "hearing" else ""
        hearing_field = f"{prefix}hearing"
        if action in ("change", "coordinate"):
            hearings = HEARING_RULE.condition(user, action)
            return None if hearings is None else Q(**{f"{hearing_field}__in": Hearing.objects.filter(hearings).values("pk")})
        paths = []
        if functions & (PROCEEDINGS | COURT_STAFF):
            cases = CASE_RULE.visible_ids(user, "view_proceedings")
            if cases is not None:
                paths.append(Q(**{f"{hearing_field}__case__in": cases}))
            court = HEARING_RULE._court_path(user)
            if court is not None:
                paths.append(Q(**{f"{hearing_field}__in": Hearing.objects.filter(court).values("pk")}))
        if F.CASEWORKER in functions:
            victims = supported_victims(user)
            if victims is not None:
                paths.append(Q(**{f"{prefix}victim__in": victims})
                             & (Q(**{f"{hearing_field}__case__is_restricted": False})
                                | _on_team(user, f"{hearing_field}__case__team_group_id"))
                             & ~_case_excluded(user, f"{hearing_field}__case"))
        return either(*paths)


class SpecialMeasureRule(HearingWitnessRule):
    model = SpecialMeasure
    path = "witness"


class JudgeUnavailabilityRule(ObjectRule):
    """A judge's absences: seen by the staff of the judge's court; recorded by its clerks and
    by the judge for themself (not by one judge for another)."""

    model = JudgeUnavailability
    actions = {
        "view": Action("view", _("see judges' non-availability"), COURT_STAFF),
        "change": Action("change", _("record judges' non-availability"), COURT_STAFF),
    }

    def paths(self, user, action):
        if not is_court_staff(user):
            return None
        if action == "view":
            return Q(judge__agency=user.agency_id) | Q(judge=user)
        clerk = Q(judge__agency=user.agency_id) if F.COURT_CLERK in functions_of(user) else Q(pk__in=[])
        return clerk | Q(judge=user)


RULES = (HEARING_RULE, HearingWitnessRule(), SpecialMeasureRule(), JudgeUnavailabilityRule())
