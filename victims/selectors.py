"""What pages and other apps read about victims [SPEC 2.3, SPEC 3]."""

from django.utils.translation import gettext as _

import access
from cases.models import Case, Charge

from . import services
from .flags import with_flags
from .identity import reveal_identity
from .models import CooperationWithAuthorities, CounsellingNote, Victim
from .models.justice import RELATED_OFFENCES
from .panels import VICTIM_PAGE


def case_victims(user, case, may):
    """The case page's victims: those the user may see, with their flags. One query."""
    return {"victims": with_flags(access.visible(user, Victim.objects.filter(case_links__case=case)))}


def victim_file(user, victim):
    """Everything the victim's page shows of `victim` (loaded with every right of the user on
    it, its flags annotated), each part only where the policy lets the user see it, and the
    panels the apps above add (victims.panels) [SPEC 2.3, SPEC 3]. A constant number of
    queries whatever the file holds; reading the identity is logged."""
    may = {action: access.can(user, action, victim) for action in access.rule_for(Victim).actions}
    file = {"may": may}
    linked = Case.objects.filter(victim_links__victim=victim).select_related("jurisdiction")
    cases = list(access.with_permissions(user, linked, "change"))
    links = {link.case_id: link for link in victim.case_links.all()}
    for case in cases:
        case.victim_link = links[case.pk]
    access.record_shown(user, cases, purpose="victim page")
    file["cases"] = cases
    file["supports"] = list(victim.supports.filter(ended_on__isnull=True).select_related("agency"))
    file["audience"] = access.audience(victim, user)
    file["status_decisions"] = victim.status_decisions.select_related("recorded_by")
    file["next_status"] = bool(services.next_statuses(victim.status))
    file["consents"] = victim.consents.select_related("agency", "recorded_by")
    file["services"] = list(victim.services.select_related("provider"))
    file["reflection_periods"] = list(victim.reflection_periods.select_related("jurisdiction"))
    file["permits"] = list(victim.residence_permits.all())
    if victim.status == Victim.Status.NOT_A_VICTIM:
        # From the rows the page shows anyway: the notice costs no query.
        file["still_in_force"] = services.protections_in_force(
            victim, services=file["services"], periods=file["reflection_periods"],
            supports=file["supports"], permits=file["permits"])
    file["asylum_claims"] = victim.asylum_claims.all()
    file["returns"] = victim.returns.select_related("risk_assessment")
    file["open_cases"] = services.open_linked_cases(victim).count()
    file["non_punishment_decisions"] = victim.non_punishment_decisions.all()
    file["detentions"] = victim.detentions.all()
    case_labels = {case.pk: case.reference for case in cases}
    participation = list(victim.participation.select_related("recorded_by"))
    for entry in participation:
        # A case the reader may not see (a restricted one) is not named.
        entry.case_label = case_labels.get(entry.case_id, _("a case you cannot see")) if entry.case_id else ""
    file["participation"] = participation
    if may["view_identity"]:
        file["identity"] = reveal_identity(user, victim, purpose="victim page")
        file["documents"] = victim.identity_documents.all()
        file["relatives"] = victim.protected_relatives.all()
    if may["view_cooperation"]:
        file["cooperation"] = CooperationWithAuthorities.objects.filter(victim=victim).first()
    if may["view_safety"]:
        file["risk_assessments"] = victim.risk_assessments.select_related("assessed_by", "agency")
        file["safety_plans"] = victim.safety_plans.select_related("risk_assessment")
        file["data_requests"] = victim.data_requests.select_related("handled_by")
    if may["view_counselling"]:
        file["counselling_notes"] = access.visible(
            user, CounsellingNote.objects.filter(victim=victim)).select_related("author", "agency")
    file["pending_charges"] = pending_charges(user, victim)
    file["record_non_punishment"] = may["record_non_punishment"] and bool(file["pending_charges"])
    # Referrals, protection orders and deadlines: the panels the apps above add.
    file.update(VICTIM_PAGE.context(user, victim, may))
    return file


def pending_charges(user, victim):
    """Charges of a related offence against this victim still awaiting a non-punishment
    decision, in the cases whose proceedings the reader may see."""
    if not victim.non_criminalisation_flag:
        return []
    cases = access.visible(user, Case, "view_proceedings").values("pk")
    return list(Charge.objects.filter(
        offence__in=RELATED_OFFENCES, defendant__victim=victim, defendant__non_punishment_decision__isnull=True,
        defendant__case__in=cases,
    ).select_related("defendant__case"))
