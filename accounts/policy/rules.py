"""Who may do what to each kind of object. The one place that decides visibility.

Functions say what a person's job lets them do at all; guardian grants (held by agency and
case-team groups, see grants.py) say on which objects; exclusions take a named person out.
Referrals, hearings and protection orders plug in by declaring a rule here.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.functions import Function as F
from cases.models import Case, CaseExclusion, CaseGroupObjectPermission
from victims.models import Victim, VictimGroupObjectPermission

from .engine import Action, ObjectRule

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
    }

    def exclusion(self, user):
        return Q(Exists(CaseExclusion.objects.filter(case=OuterRef("pk"), user=user)))

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
    }

    def ownership(self, user, action):
        # Who recorded a victim at first contact keeps it only for a while, and only while in
        # the recording agency: afterwards access comes from grants (supporting NGO, case team).
        since = timezone.now() - datetime.timedelta(days=settings.VICTIM_RECORDER_ACCESS_DAYS)
        return Q(recorded_by=user, recording_agency_id=user.agency_id, created_at__gte=since)

    def exclusion(self, user):
        # Someone excluded from a case is kept away from that case's victims too.
        return Q(Exists(CaseExclusion.objects.filter(case__victim_links__victim=OuterRef("pk"), user=user)))


RULES = {rule.model: rule for rule in (CaseRule(), VictimRule())}
