"""Which groups hold which guardian grants on an object, derived from the domain facts.

Every change to those facts (an agency's part in a case, a team assignment, a restriction,
a victim linked to a case, a supporting agency) calls the matching sync function in the
same transaction, so grants are always a function of the data and can be rebuilt at will
(`manage.py rebuild_grants`).
"""

from django.contrib.auth.models import Group
from django.db.models import Q
from guardian.shortcuts import assign_perm, remove_perm

from cases.models import Case, CaseAgency, CaseGroupObjectPermission
from referrals.models import Referral
from victims.models import Consent, Victim, VictimGroupObjectPermission


def _reconcile(obj, grant_model, desired):
    """Make the group grants on obj exactly `desired` ({codename: set of group ids})."""
    app_label = obj._meta.app_label
    existing = set(grant_model.objects.filter(content_object=obj).values_list("permission__codename", "group_id"))
    wanted = {(codename, group_id) for codename, group_ids in desired.items() for group_id in group_ids}
    changes = existing ^ wanted
    groups = Group.objects.in_bulk({group_id for _, group_id in changes})
    for codename, group_id in existing - wanted:
        remove_perm(f"{app_label}.{codename}", groups[group_id], obj)
    for codename, group_id in wanted - existing:
        assign_perm(f"{app_label}.{codename}", groups[group_id], obj)


EDITING_ROLES = {CaseAgency.Role.INVESTIGATING, CaseAgency.Role.PROSECUTING}


def sync_case_team(case):
    """The case-team group holds exactly the people with a current assignment."""
    case.team_group.user_set.set(
        case.assignments.filter(ended_on__isnull=True).values_list("user_id", flat=True).distinct()
    )


def sync_case_grants(case):
    roles = list(case.agency_roles.values_list("agency__group_id", "role"))
    view, change = {case.team_group_id}, {case.team_group_id}
    if not case.is_restricted:
        view |= {group_id for group_id, _ in roles}
        change |= {group_id for group_id, role in roles if role in EDITING_ROLES}
    _reconcile(case, CaseGroupObjectPermission, {"view_case": view, "change_case": change})
    for victim in Victim.objects.filter(case_links__case=case):
        sync_victim_grants(victim)


def sync_victim_grants(victim):
    supporters = set(victim.supports.filter(ended_on__isnull=True).values_list("agency__group_id", flat=True))
    # Consent to share with a named agency is a source of access of its own; withdrawing it
    # removes what it gave (access the agency holds for another reason stays) [NA VII.D.9].
    consents = victim.consents.filter(withdrawn_on__isnull=True, agency__isnull=False)
    shared = set(consents.filter(purpose__in=[Consent.Purpose.SHARE_RECORD, Consent.Purpose.SHARE_IDENTITY])
                 .values_list("agency__group_id", flat=True))
    shared_identity = set(consents.filter(purpose=Consent.Purpose.SHARE_IDENTITY)
                          .values_list("agency__group_id", flat=True))
    # A referral gives the receiving agency the victim's referral summary (never the victim's
    # file or the case file; identity only through a consent to share it) while it works on it,
    # and only while the consent it was sent with stands; one sent by override stands on it.
    referred = set(victim.referrals.filter(status__in=Referral.GIVES_ACCESS)
                   .filter(Q(consent__withdrawn_on__isnull=True, consent__isnull=False)
                           | Q(consent__isnull=True) & ~Q(consent_override_reason=""))
                   .values_list("to_agency__group_id", flat=True))
    case_grants = CaseGroupObjectPermission.objects.filter(content_object__victim_links__victim=victim)
    case_view = set(case_grants.filter(permission__codename="view_case").values_list("group_id", flat=True))
    case_change = set(case_grants.filter(permission__codename="change_case").values_list("group_id", flat=True))
    teams = set(Case.objects.filter(victim_links__victim=victim).values_list("team_group_id", flat=True))
    _reconcile(
        victim,
        VictimGroupObjectPermission,
        {
            "view_victim": supporters | case_view | shared,
            "change_victim": supporters | case_change,
            # Identity: the supporting NGO and the people on the case team, not whole agencies,
            # unless the victim consented to share it with an agency.
            "view_victim_identity": supporters | teams | shared_identity,
            "view_shelter_location": supporters,
            "view_counselling_notes": supporters,
            "view_victim_referral": referred,
        },
    )


def rebuild_all():
    from accounts.models import User
    from accounts.services import sync_agency_membership

    for user in User.objects.all():
        sync_agency_membership(user)
    for case in Case.objects.all():
        sync_case_team(case)
        sync_case_grants(case)
    for victim in Victim.objects.filter(case_links__isnull=True):
        sync_victim_grants(victim)
