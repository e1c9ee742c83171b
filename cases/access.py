"""Who may do what to each kind of object. The one place that decides visibility.

Functions say what a person's job lets them do at all; guardian grants (held by agency and
case-team groups, see grants.py) say on which objects; exclusions take a named person out.
Referrals, hearings and protection orders plug in by declaring a rule here.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.functions import AgencyKind, Function as F
from accounts.models import Agency
from referrals.models import Referral
from cases.models import (
    Appeal, Asset, Case, CaseAssignment, CaseExclusion, CaseGroupObjectPermission, CaseNote, CaseStageChange,
    Charge, CompensationClaim, CooperationRequest, CoordinationMeeting, Defendant, Verdict,
)
from victims.models import (
    AssistanceService, AsylumClaim, Consent, CooperationWithAuthorities, CounsellingNote, DataSubjectRequest,
    Detention, IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative, ReflectionPeriod,
    ResidencePermit, Return, RiskAssessment, SafetyPlan, StatusDecision, Victim, VictimCaseLink,
    VictimGroupObjectPermission, VictimSupport,
)

from .engine import Action, ObjectRule, may_act_at_all, user_groups

# Everyone who works on cases, as opposed to auditors and administrators, who see
# no case content [SPEC 1].
CASE_READERS = frozenset({
    F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR, F.COURT_CLERK, F.JUDGE, F.CASEWORKER, F.FOCAL_POINT,
})
# Investigative detail is for police, prosecution and their supervisors: never NGOs, courts
# or the focal point.
INVESTIGATIVE = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.SUPERVISOR})
# Who may ever see a victim's identity; the grant then says for which victims.
IDENTITY_READERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER})
# Who may record a victim, and so see and correct what they recorded.
RECORDERS = frozenset({F.FRONTLINE, F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER})
# Defendants, charges, verdicts and assets: police, prosecution and the court; never NGOs
# (no suspect intelligence) nor the focal point (works on pseudonymised, aggregated data).
PROCEEDINGS = INVESTIGATIVE | {F.COURT_CLERK, F.JUDGE}
# Who builds the case file.
CASE_BUILDERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR})
# Who works with the victim directly: police, prosecution and the supporting NGO.
VICTIM_WORKERS = frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER})
# Who reads coordination reports [SPEC 2.8]: the focal point for the country its office
# coordinates [GP 14], a supervisor for their office.
COORDINATORS = frozenset({F.FOCAL_POINT, F.SUPERVISOR})
# Who may count every case and victim of a jurisdiction for national statistics [SPEC 2.8]:
# the same people, for the same jurisdictions, but over restricted cases as well, because
# they only ever receive counts (aggregated_jurisdictions).
AGGREGATORS = COORDINATORS


def coordinated_country(user):
    """The country a national coordination office's focal point coordinates, or None: the
    coordination report covers its cases whichever agencies handle them [GP 14, NA I.B]."""
    agency = getattr(user, "agency", None)
    if (may_act_at_all(user) and F.FOCAL_POINT in (user.functions or ()) and agency is not None
            and agency.kind == AgencyKind.COORDINATION):
        return agency.country.code
    return None


def coordinated_agencies(user):
    """The agencies whose referrals, and whose orders and deadlines that belong to no case, a
    coordination report covers: every agency of a focal point's country; a supervisor's own
    office. None when the user reads no coordination report."""
    if not may_act_at_all(user) or not set(user.functions or ()) & COORDINATORS or not user.agency_id:
        return None
    country = coordinated_country(user)
    if country is not None:
        return Agency.objects.filter(country=country).values("pk")
    if F.SUPERVISOR in user.functions:
        return Agency.objects.filter(pk=user.agency_id).values("pk")
    return None


def coordinated_jurisdictions(user):
    """The jurisdictions a user may run a coordination report for: those of the focal point's
    country, a supervisor's own."""
    return _office_jurisdictions(user, COORDINATORS)


def _office_jurisdictions(user, functions):
    """For a user with one of `functions`: the focal point's country's jurisdictions, a
    supervisor's own office's; otherwise none."""
    from accounts.models import Jurisdiction

    if not set(getattr(user, "functions", ()) or ()) & functions or not may_act_at_all(user):
        return Jurisdiction.objects.none()
    country = coordinated_country(user)
    if country is not None:
        return Jurisdiction.objects.filter(country=country)
    if F.SUPERVISOR in user.functions and user.agency_id and user.agency.jurisdiction_id:
        return Jurisdiction.objects.filter(pk=user.agency.jurisdiction_id)
    return Jurisdiction.objects.none()


def aggregated_jurisdictions(user):
    """The jurisdictions whose every case and victim the user may count for national
    reporting [SPEC 2.8, NA III.C.1, VS 18(e)]: a national coordination office's focal point
    every jurisdiction of its country, a supervisor their own office's; nobody else any.
    Restricted cases and cases the user may not open are counted too: statistics are the
    focal point's job. The right yields counts only (policy.aggregate_scope), never rows."""
    return _office_jurisdictions(user, AGGREGATORS)


def reads_classified_statistics(user):
    """Whether the user may see statistics with their small counts, marked "do not publish":
    the national coordination office's focal point, who compiles what is published [SPEC 2.8,
    NA I.B]. Everyone else who counts (a supervisor) gets the public version only."""
    return coordinated_country(user) is not None


def coordinated_agency_choices(user):
    """The agencies a coordination report can be narrowed to: those of the user's jurisdictions
    and those it covers."""
    agencies = coordinated_agencies(user)
    condition = Q(jurisdiction__in=coordinated_jurisdictions(user))
    if agencies is not None:
        condition |= Q(pk__in=agencies)
    return Agency.objects.filter(condition)


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

    def access_is_logged(self, case):
        # Restricted cases (a public official involved) are watched closely [PR 1.2.7].
        return case.is_restricted


class VictimRule(ObjectRule):
    model = Victim
    grant_model = VictimGroupObjectPermission
    grant_labels = {
        "view_victim": _("See the pseudonymous victim record"),
        "change_victim": _("Edit the victim record (investigators, prosecutors and caseworkers only)"),
        "view_victim_identity": _("See the identity (investigators, prosecutors and caseworkers only)"),
        "view_shelter_location": _("See address and shelter location (caseworkers only)"),
        "view_counselling_notes": _("Read and write counselling notes and export the victim's data "
                                    "(caseworkers only)"),
        "view_victim_referral": _("See the victim's referral summary: code, age group, sex, nationality, "
                                  "languages (an agency a referral was sent to)"),
    }
    actions = {
        "view": Action("view", _("see the victim record"), CASE_READERS, "view_victim", "recorded_by", RECORDERS),
        "change": Action(
            "change", _("edit the victim record"), frozenset({F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER}),
            "change_victim", "recorded_by", RECORDERS,
        ),
        "view_identity": Action(
            "view_identity", _("see the victim's identity"), IDENTITY_READERS, "view_victim_identity",
            "recorded_by", RECORDERS,
        ),
        # Address and shelter: the supporting NGO only [SPEC 2.3].
        "view_shelter": Action(
            "view_shelter", _("see address and shelter location"), frozenset({F.CASEWORKER}), "view_shelter_location"
        ),
        # Whether the victim cooperates: for those who ask (police, prosecution) and the NGO that
        # advises them; never a court, the focal point or a service provider's decision.
        # Held by those who work with the victim (supporting NGO, the case's police and
        # prosecution), not by an agency the record was merely shared with.
        "view_cooperation": Action(
            "view_cooperation", _("see cooperation with the authorities"), VICTIM_WORKERS, "change_victim"
        ),
        # Threats, safety plans and relatives under protection.
        "view_safety": Action("view_safety", _("see risk assessments and safety plans"), VICTIM_WORKERS,
                              "change_victim"),
        "change_safety": Action("change_safety", _("record risk assessments and safety plans"), VICTIM_WORKERS,
                                "change_victim"),
        # Counselling notes and the export of the victim's own data: the supporting NGO only.
        "view_counselling": Action(
            "view_counselling", _("read and write counselling notes"), frozenset({F.CASEWORKER}),
            "view_counselling_notes",
        ),
        "export": Action("export", _("export the victim's own data"), frozenset({F.CASEWORKER}),
                         "view_counselling_notes"),
        # What an agency a referral was sent to sees of the victim: the referral summary, never
        # the victim's file or the case file [SPEC 2.4]. Those who see the record see it too.
        "view_referral": Action("view_referral", _("see the victim's referral summary"), RECORDERS,
                                "view_victim_referral"),
        # Referring the victim to another agency (consent is checked by referrals.services).
        "refer": Action("refer", _("refer the victim to another agency"), RECORDERS, "view_victim", "recorded_by",
                        RECORDERS),
        # Whether to punish a victim for an offence tied to their trafficking is for police and
        # prosecution to record [PR 1.2.2].
        "record_non_punishment": Action(
            "record_non_punishment", _("record a non-punishment decision"), CASE_BUILDERS, "change_victim"
        ),
    }

    def ownership(self, user, action):
        # Who recorded a victim at first contact keeps it only for a while, and only while in
        # the recording agency: afterwards access comes from grants (supporting NGO, case team).
        since = timezone.now() - datetime.timedelta(days=settings.VICTIM_RECORDER_ACCESS_DAYS)
        return Q(recorded_by=user, recording_agency_id=user.agency_id, created_at__gte=since)

    def excluded_ids(self, user):
        # Someone excluded from a case is kept away from that case's victims too.
        return VictimCaseLink.objects.filter(case__in=excluded_cases(user)).values("victim_id")

    def exclusion(self, user, victim="pk"):
        # (`victim` leads from the row to its victim, for rules of records about a victim)
        return Q(**{f"{victim}__in": self.excluded_ids(user)})


class CaseSectionRule(ObjectRule):
    """Objects that belong to a case part of its file: who may see or change them is who may
    see or change that part of the case (`path` leads from the object to its case)."""

    def __init__(self, model, path, view, change=None, coordinate=False):
        self.model, self.path = model, path
        self.case_actions = {"view": view, "change": change or view}
        if coordinate:  # listed in coordination reports with its case
            self.case_actions["coordinate"] = "coordinate"
        self.actions = {name: CASE_RULE.actions[action] for name, action in self.case_actions.items()}

    def condition(self, user, action):
        return CASE_RULE.through(user, self.case_actions[action], self.path)


class CaseNoteRule(ObjectRule):
    """Notes are read by the audience their author chose, among those who may see the case:
    the case team, the author's agency, or the NGOs taking part."""

    model = CaseNote
    actions = {"view": Action("view", _("read the note"), CASE_READERS)}

    def condition(self, user, action):
        cases = CASE_RULE.visible_ids(user, "view")
        if cases is None or not set(user.functions) & self.actions[action].functions:
            return None
        on_team = Q(case__team_group_id__in=user_groups(user))
        audience = (Q(scope=CaseNote.Scope.TEAM) & on_team) | Q(scope=CaseNote.Scope.AGENCY, author_agency=user.agency_id)
        if user.agency_id and user.has_function(F.CASEWORKER) and user.agency.kind == "ngo":
            audience |= Q(scope=CaseNote.Scope.NGO)
        # Authors read their own notes, but only while they may still see the case.
        return (Q(author=user) | audience) & Q(case__in=cases)


class VictimSectionRule(ObjectRule):
    """Records that belong to a victim: who may see or change them is who may do the victim
    action named for that part of the victim's file."""

    def __init__(self, model, view, change="change", path="victim"):
        self.model, self.path = model, path
        self.victim_actions = {"view": view, "change": change}
        self.actions = {name: VICTIM_RULE.actions[action] for name, action in self.victim_actions.items()}

    def condition(self, user, action):
        victims = VICTIM_RULE.visible_ids(user, self.victim_actions[action])
        if victims is None:
            return None
        condition = Q(**{f"{self.path}__in": victims})
        if action != "view":
            # Nobody changes what they may not read.
            seeing = VICTIM_RULE.visible_ids(user, self.victim_actions["view"])
            condition = None if seeing is None else condition & Q(**{f"{self.path}__in": seeing})
        return condition


class CounsellingNoteRule(VictimSectionRule):
    """Counselling notes: the supporting NGO's own, read by its caseworkers only."""

    def __init__(self):
        super().__init__(CounsellingNote, "view_counselling", "view_counselling")

    def condition(self, user, action):
        condition = super().condition(user, action)
        if condition is None or not user.agency_id:
            return None
        return condition & Q(agency_id=user.agency_id)


class ReferralRule(ObjectRule):
    """A referral is seen by the two agencies it joins; the receiving side answers and works on
    it, the sending side may withdraw it. People excluded from a case of the victim stay out."""

    model = Referral
    actions = {
        "view": Action("view", _("see the referral"), RECORDERS),
        "respond": Action("respond", _("answer and work on the referral"), RECORDERS),
        "withdraw": Action("withdraw", _("withdraw the referral"), RECORDERS),
        # Referrals between agencies and their timings, by victim code [SPEC 2.8].
        "coordinate": Action("coordinate", _("list the referral in a coordination report"), COORDINATORS),
    }

    def condition(self, user, action):
        if not may_act_at_all(user) or not user.agency_id or not set(user.functions) & self.actions[action].functions:
            return None
        if action == "coordinate":
            agencies = coordinated_agencies(user)
            return None if agencies is None else (
                (Q(from_agency__in=agencies) | Q(to_agency__in=agencies))
                & ~VICTIM_RULE.exclusion(user, victim="victim_id"))
        side = {
            "view": Q(from_agency=user.agency_id) | Q(to_agency=user.agency_id),
            "respond": Q(to_agency=user.agency_id),
            "withdraw": Q(from_agency=user.agency_id),
        }[action]
        return side & ~VICTIM_RULE.exclusion(user, victim="victim_id")


CASE_RULE = CaseRule()
VICTIM_RULE = VictimRule()
VICTIM_SECTION_RULES = [
    VictimSectionRule(StatusDecision, "view"),
    VictimSectionRule(IdentityDocument, "view_identity"),
    VictimSectionRule(VictimSupport, "view"),
    VictimSectionRule(VictimCaseLink, "view"),
    VictimSectionRule(Consent, "view"),
    VictimSectionRule(AssistanceService, "view"),
    VictimSectionRule(CooperationWithAuthorities, "view_cooperation"),
    VictimSectionRule(ReflectionPeriod, "view"),
    VictimSectionRule(ResidencePermit, "view"),
    VictimSectionRule(AsylumClaim, "view"),
    VictimSectionRule(Return, "view"),
    VictimSectionRule(RiskAssessment, "view_safety", "change_safety"),
    VictimSectionRule(SafetyPlan, "view_safety", "change_safety"),
    # A relative's name is as identifying as the victim's own.
    VictimSectionRule(ProtectedRelative, "view_identity", "change_safety"),
    VictimSectionRule(NonPunishmentDecision, "view", "record_non_punishment"),
    VictimSectionRule(Detention, "view"),
    VictimSectionRule(ParticipationEntry, "view"),
    VictimSectionRule(DataSubjectRequest, "view_safety", "change"),
    CounsellingNoteRule(),
]
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
RULES = {rule.model: rule for rule in (CASE_RULE, VICTIM_RULE, CaseNoteRule(), ReferralRule(), *SECTION_RULES,
                                       *VICTIM_SECTION_RULES)}
