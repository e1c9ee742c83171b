"""Who may see and change a case and the parts of its file [SPEC 3]: the case's own rule, its
file's sections (defendants, charges, verdicts, assets, cooperation requests, compensation,
meetings, the team, stage history) and its notes. Registered in CasesConfig.ready().

Functions say what a person's job lets them do at all (access.functions); guardian grants,
held by agency and case-team groups (cases.grants), say on which cases; exclusions take a
named person out.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.engine import Action, ObjectRule, user_groups
from access.registry import Capability, works_for_an_open_agency
from access.functions import CASE_BUILDERS, CASE_READERS, COORDINATORS, INVESTIGATIVE, PROCEEDINGS
from access.offices import coordinated_country
from accounts.functions import AgencyKind, Function as F

from .models import (
    Appeal, Asset, Case, CaseAssignment, CaseExclusion, CaseGroupObjectPermission, CaseNote, CaseStageChange,
    Charge, CompensationClaim, CooperationRequest, CoordinationMeeting, Defendant, Verdict,
)


def excluded_cases(user):
    """The cases the user is personally kept away from, as a subquery (a handful of rows)."""
    return CaseExclusion.objects.filter(user=user).values("case_id")


class CaseRule(ObjectRule):
    model = Case
    grant_model = CaseGroupObjectPermission
    grant_labels = {
        "view_case": _("See the case (investigative details: police, prosecution and supervisors only)"),
        "change_case": _("Edit the case (investigators, prosecutors and supervisors only)"),
    }
    actions = {
        "view": Action("view", _("see the case"), CASE_READERS, "view_case"),
        "change": Action("change", _("edit the case"), INVESTIGATIVE, "change_case"),
        "view_investigation": Action(
            "view_investigation", _("see investigative details"), INVESTIGATIVE, "view_case"
        ),
        "view_proceedings": Action(
            "view_proceedings", _("see defendants, charges, verdicts and assets"), PROCEEDINGS, "view_case"
        ),
        "change_proceedings": Action(
            "change_proceedings", _("record defendants, charges, verdicts and assets"), CASE_BUILDERS, "change_case"
        ),
        "view_cooperation": Action(
            "view_cooperation", _("see international cooperation requests"), INVESTIGATIVE | {F.FOCAL_POINT},
            "view_case",
        ),
        "change_cooperation": Action(
            "change_cooperation", _("record international cooperation requests"), CASE_BUILDERS, "change_case"
        ),
        # Compensation concerns the victim: their NGO follows and may file claims.
        "view_compensation": Action(
            "view_compensation", _("see compensation claims"), PROCEEDINGS | {F.CASEWORKER}, "view_case"
        ),
        "change_compensation": Action(
            "change_compensation", _("record compensation claims"), CASE_BUILDERS | {F.CASEWORKER}, "view_case"
        ),
        # Anyone taking part may minute a coordination meeting or write a note.
        "add_meeting": Action("add_meeting", _("record a coordination meeting"), CASE_READERS - {F.FOCAL_POINT},
                              "view_case"),
        "add_note": Action("add_note", _("write a case note"), CASE_READERS, "view_case"),
        "manage_team": Action(
            "manage_team", _("assign the case team and exclude people"), frozenset({F.PROSECUTOR, F.SUPERVISOR}),
            "change_case",
        ),
        # What a coordination report lists [SPEC 2.8]: a supervisor the cases they see; a national
        # coordination office's focal point also every case of its country (reach), except
        # restricted ones, which stay with their team. Opening a listed case still needs "view".
        "coordinate": Action(
            "coordinate", _("list the case in a coordination report"), COORDINATORS, "view_case",
            reach_functions=frozenset({F.FOCAL_POINT}),
        ),
    }

    def excluded_ids(self, user):
        return excluded_cases(user)

    def reach(self, user, action):
        country = coordinated_country(user) if action == "coordinate" else None
        return None if country is None else Q(jurisdiction__country=country, is_restricted=False)

    def in_jurisdictions(self, jurisdictions, path=""):
        """Rows whose case (at `path`) belongs to one of `jurisdictions` (an id subquery): the
        aggregate right's place for a case [SPEC 2.8]."""
        return Q(**{f"{path}__jurisdiction__in" if path else "jurisdiction__in": jurisdictions})

    def access_is_logged(self, case):
        # Restricted cases (a public official involved) are watched closely [PR 1.2.7].
        return case.is_restricted


CASE_RULE = CaseRule()


class CaseSectionRule(ObjectRule):
    """Objects that belong to a case part of its file: who may see or change them is who may
    see or change that part of the case (`path` leads from the object to its case)."""

    def __init__(self, model, path, view, change=None, coordinate=False):
        self.model, self.path = model, path
        self.case_actions = {"view": view, "change": change or view}
        if coordinate:  # listed in coordination reports with its case
            self.case_actions["coordinate"] = "coordinate"
        self.actions = {name: CASE_RULE.actions[action] for name, action in self.case_actions.items()}

    def paths(self, user, action):
        return CASE_RULE.through(user, self.case_actions[action], self.path)


class CaseNoteRule(ObjectRule):
    """Notes are read by the audience their author chose, among those who may see the case:
    the case team, the author's agency, or the NGOs taking part."""

    model = CaseNote
    actions = {"view": Action("view", _("read the note"), CASE_READERS)}

    def paths(self, user, action):
        cases = CASE_RULE.visible_ids(user, "view")
        if cases is None:
            return None
        on_team = Q(case__team_group_id__in=user_groups(user))
        audience = (Q(scope=CaseNote.Scope.TEAM) & on_team) | Q(scope=CaseNote.Scope.AGENCY, author_agency=user.agency_id)
        if user.agency_id and user.has_function(F.CASEWORKER) and user.agency.kind == AgencyKind.NGO:
            audience |= Q(scope=CaseNote.Scope.NGO)
        # Authors read their own notes, but only while they may still see the case.
        return (Q(author=user) | audience) & Q(case__in=cases)


SECTION_RULES = [
    CaseSectionRule(Defendant, "case", "view_proceedings", "change_proceedings"),
    CaseSectionRule(Charge, "defendant__case", "view_proceedings", "change_proceedings"),
    CaseSectionRule(Verdict, "charge__defendant__case", "view_proceedings", "change_proceedings"),
    CaseSectionRule(Appeal, "verdict__charge__defendant__case", "view_proceedings", "change_proceedings"),
    CaseSectionRule(Asset, "case", "view_proceedings", "change_proceedings"),
    CaseSectionRule(CooperationRequest, "case", "view_cooperation", "change_cooperation", coordinate=True),
    CaseSectionRule(CompensationClaim, "case", "view_compensation", "change_compensation"),
    CaseSectionRule(CoordinationMeeting, "case", "view", "add_meeting", coordinate=True),
    CaseSectionRule(CaseAssignment, "case", "view", "manage_team"),
    CaseSectionRule(CaseStageChange, "case", "view", "change"),
]
RULES = (CASE_RULE, CaseNoteRule(), *SECTION_RULES)
CAPABILITIES = (
    Capability("open_case", _("open a case"), CASE_BUILDERS, also=works_for_an_open_agency),
    # The stage moves of cases.lifecycle: police and prosecution investigate; charging, the
    # trial and what follows are the prosecution's [SPEC 2.2].
    Capability("move_investigation", _("move a case through intake and investigation"), CASE_BUILDERS),
    Capability("move_prosecution", _("move a case through charging, trial and judgment"), {F.PROSECUTOR}),
)
