"""Who may see and change a victim's record and each part of their file [SPEC 2.3, SPEC 3]:
the pseudonymous record, its identity, shelter, counselling and safety, and the records
about the victim (decisions, services, consents, documents...). Registered in
VictimsConfig.ready().

Grants (victims.grants) come from the victim's cases, the supporting NGO, consents and
referrals; who recorded the victim owns the record for a while; someone excluded from one
of the victim's cases is kept away from the victim too.
"""

import datetime

from django.conf import settings
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.engine import Action, ObjectRule
from access.registry import Capability, works_for_an_open_agency
from access.functions import CASE_BUILDERS, CASE_READERS, IDENTITY_READERS, RECORDERS, VICTIM_WORKERS
from accounts.functions import Function as F
from cases.access import excluded_cases

from .models import (
    AssistanceService, AsylumClaim, Consent, CooperationWithAuthorities, CounsellingNote, DataSubjectRequest,
    Detention, IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative, ReflectionPeriod,
    ResidencePermit, Return, RiskAssessment, SafetyPlan, StatusDecision, Victim, VictimCaseLink,
    VictimGroupObjectPermission, VictimSupport,
)


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

    def in_jurisdictions(self, jurisdictions, path=""):
        """Rows whose victim (at `path`) belongs to one of `jurisdictions` (an id subquery):
        recorded by an agency of it, or linked to one of its cases. The aggregate right's place
        for a victim [SPEC 2.8, VS 18(e)]; a victim can so belong to two.

        Only a victim the recording agency does not place reaches the link arm (the OR stops
        at its first), and it reads that victim's own links: the IN is correlated, which
        PostgreSQL cannot turn into a hash of every link of the jurisdictions (as it does an
        uncorrelated IN or an EXISTS), built whole by each statistic as soon as a single
        victim was recorded elsewhere [SPEC 3: performance at national scale]."""
        prefix = f"{path}__" if path else ""
        linked = VictimCaseLink.objects.filter(victim=OuterRef(f"{prefix}pk"),
                                               case__jurisdiction__in=jurisdictions).values("victim_id")
        return (Q(**{f"{prefix}recording_agency__jurisdiction__in": jurisdictions})
                | Q(**{f"{prefix}pk__in": linked}))

    def exclusion(self, user, victim="pk"):
        # (`victim` leads from the row to its victim, for rules of records about a victim)
        return Q(**{f"{victim}__in": self.excluded_ids(user)})


VICTIM_RULE = VictimRule()


def supported_victims(user):
    """The victims the user's agency supports (the shelter-location grant is the supporters'
    alone), as an id subquery, or None."""
    return VICTIM_RULE.visible_ids(user, "view_shelter")


class VictimSectionRule(ObjectRule):
    """Records that belong to a victim: who may see or change them is who may do the victim
    action named for that part of the victim's file."""

    def __init__(self, model, view, change="change", path="victim"):
        self.model, self.path = model, path
        self.victim_actions = {"view": view, "change": change}
        self.actions = {name: VICTIM_RULE.actions[action] for name, action in self.victim_actions.items()}

    def paths(self, user, action):
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

    def paths(self, user, action):
        condition = super().paths(user, action)
        if condition is None or not user.agency_id:
            return None
        return condition & Q(agency_id=user.agency_id)


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
RULES = (VICTIM_RULE, *VICTIM_SECTION_RULES)
CAPABILITIES = (
    # Front-line officers, investigators, prosecutors and caseworkers record victims, on behalf
    # of the open agency they belong to [SPEC 2.3].
    Capability("record_victim", _("record a victim"), RECORDERS, also=works_for_an_open_agency),
)
