"""Changes to victims. Views, API, commands and tasks call these; each runs in one
transaction, locks the victim row (concurrent changes queue up) and keeps the access grants
in step with the facts that give access (supporting agency, case links, consent)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts import policy
from accounts.audit import log_access
from accounts.functions import AgencyKind
from accounts.models import AccessLog
from accounts.policy.grants import sync_victim_grants
from accounts.versioning import STALE_MESSAGE

from .models import (
    IDENTITY_FIELDS, SHELTER_FIELDS, AssistanceService, Indicator, Consent, ReflectionPeriod, Return, StatusDecision,
    Victim, VictimCaseLink, VictimIdentity, VictimSupport,
)
from .models.vocabularies import DecidingOrganisation

LADDER = [Victim.Status.POTENTIAL, Victim.Status.PRESUMED, Victim.Status.IDENTIFIED]
OPEN_STAGES_EXCLUDED = ("closed", "closed_no_charge")


def lock(victim):
    return Victim.objects.select_for_update().get(pk=victim.pk)


def _derive_age_group(victim, identity):
    """A known date of birth decides the age group, unless the age is recorded as in doubt
    (documents may be false): then the victim stays treated as a child [VS 14]."""
    if identity.date_of_birth and victim.age_group != Victim.AgeGroup.IN_DOUBT:
        victim.age_group = Victim.age_group_for(identity.date_of_birth)


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


def may_record_victims(user):
    """Front-line officers, investigators, prosecutors and caseworkers record victims, on
    behalf of the (active) agency they belong to."""
    return bool(policy.may_use(user, Victim, "change") and user.agency_id and user.agency.is_active)


@transaction.atomic
def record_victim(*, actor, identity=None, supporting_agencies=(), **fields):
    """Record a victim at first contact. The identity goes into its own protected record
    [SPEC 2.3], validated like any edit of it (e-mail, phone numbers)."""
    if not may_record_victims(actor):
        raise PermissionDenied(_("Front-line officers, investigators, prosecutors and caseworkers of an agency "
                                 "record victims."))
    victim = Victim(recorded_by=actor, recording_agency=actor.agency, **fields)
    identity = VictimIdentity(**(identity or {}))
    _derive_age_group(victim, identity)
    _save(victim)
    identity.victim = victim
    _save(identity)
    bulk_create_with_history([VictimSupport(victim=victim, agency=a) for a in supporting_agencies], VictimSupport)
    if victim.status != Victim.Status.POTENTIAL:
        # Recorded straight as presumed (or identified): the step is on the ladder's record too.
        indicators = ", ".join(str(Indicator(i).label) for i in victim.indicators)
        _save(StatusDecision(
            victim=victim, status=victim.status, decided_on=timezone.localdate(), recorded_by=actor,
            authority=str(actor.agency) if actor.agency_id else actor.get_username(),
            deciding_organisation=deciding_organisation_of(actor),
            criteria=_("Recorded at first contact. Indicators: %(list)s") % {"list": indicators or _("none listed")},
            channel=victim.identification_channel,
        ))
    sync_victim_grants(victim)
    return victim


def lock_version(victim, version):
    """Lock the victim row and refuse the edit if the record changed since `version` was read
    (None: a change not made from a form, such as a task). Bumps the version."""
    locked = lock(victim)
    if version is not None and int(version) != locked.version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    locked.version += 1
    return locked


@transaction.atomic
def update_identity(victim, *, version=None, **fields):
    """Change the victim's identity record (names, contact, mailing address, shelter location
    [SPEC 2.3]), through the model's own validation: a malformed e-mail or phone number is
    refused and nothing is written. Who may change which field is the caller's check (the
    address parts and the shelter location need "view_shelter"); the history keeps each change."""
    unknown = set(fields) - {*IDENTITY_FIELDS, *SHELTER_FIELDS}
    if unknown:
        # setattr would take any name and save nothing: a renamed field would be lost silently.
        raise TypeError(f"Not fields of the identity: {', '.join(sorted(unknown))}")
    victim = lock_version(victim, version)
    identity, _created = VictimIdentity.objects.get_or_create(victim=victim)
    for name, value in fields.items():
        setattr(identity, name, value)
    _save(identity)
    _derive_age_group(victim, identity)
    _save(victim)
    _raise_child_priority(victim)
    return identity


@transaction.atomic
def update_victim(victim, *, version=None, values_reviewed=False, **fields):
    """Edit the pseudonymous record; a victim who becomes treated as a child raises the
    priority of their cases. `values_reviewed`: the editor has chosen the values that replace
    the retired codes kept for review (accounts.review), which are then let go."""
    locked = lock_version(victim, version)
    for name, value in fields.items():
        setattr(locked, name, value)
    if values_reviewed:
        locked.values_to_review = []
    _save(locked)
    _raise_child_priority(locked)
    return locked


# The kind of organisation a status decision comes from, by the deciding agency's kind (HTCDS).
DECIDING_ORGANISATION = {
    AgencyKind.POLICE: DecidingOrganisation.POLICE,
    AgencyKind.PROSECUTION: DecidingOrganisation.COURT_OR_PROSECUTION,
    AgencyKind.COURT: DecidingOrganisation.COURT_OR_PROSECUTION,
    AgencyKind.NGO: DecidingOrganisation.NGO,
    **{kind: DecidingOrganisation.NON_POLICE_GOVERNMENTAL for kind in (
        AgencyKind.LABOUR_INSPECTORATE, AgencyKind.IMMIGRATION, AgencyKind.HEALTH, AgencyKind.SOCIAL_SERVICES,
        AgencyKind.COORDINATION, AgencyKind.CONSULAR, AgencyKind.OVERSIGHT)},
}


def deciding_organisation_of(user):
    """What a decision recorded by `user` defaults to: their agency's kind of organisation."""
    return DECIDING_ORGANISATION.get(user.agency.kind if user.agency_id else None, DecidingOrganisation.OTHER)


@transaction.atomic
def set_status(victim, status, *, actor, authority, criteria, channel="", decided_on=None, deciding_organisation=""):
    """One step up the ladder potential -> presumed -> identified, with who decided, when and
    why. Status never waits on a perpetrator [PR 1.2.2] and does not go back down. The kind of
    deciding organisation defaults to that of the actor's agency."""
    victim = lock(victim)
    if LADDER.index(status) <= LADDER.index(victim.status):
        raise ValidationError(_("The victim is already “%(current)s”: the status only moves up the ladder "
                                "(potential, presumed, identified).") % {"current": victim.get_status_display()})
    victim.version += 1
    decision = _save(StatusDecision(
        victim=victim, status=status, authority=authority, criteria=criteria, channel=channel,
        deciding_organisation=deciding_organisation or deciding_organisation_of(actor),
        decided_on=decided_on or timezone.localdate(), recorded_by=actor))
    victim.status = status
    if channel:
        victim.identification_channel = channel
    _save(victim)
    return decision


@transaction.atomic
def verify_accompanying_adult(victim, *, verified_on=None):
    victim = lock(victim)
    if not victim.has_accompanying_adult:
        raise ValidationError(_("No accompanying adult is recorded."))
    victim.accompanying_adult_verified_on = verified_on or timezone.localdate()
    victim.version += 1
    return _save(victim)


def _raise_child_priority(victim):
    """A child victim (or one whose age is in doubt) makes each linked case a child case [GP 19]."""
    if not victim.is_treated_as_child:
        return
    from cases import services as case_services
    from cases.models import Case

    for case in Case.objects.filter(victim_links__victim=victim).exclude(priority=Case.Priority.CHILD):
        locked = case_services.lock(case)
        locked.priority = Case.Priority.CHILD
        locked.save()


@transaction.atomic
def link_to_case(victim, case, role):
    victim = lock(victim)
    link, _created = VictimCaseLink.objects.get_or_create(victim=victim, case=case, defaults={"role": role})
    _raise_child_priority(victim)
    sync_victim_grants(victim)
    return link


@transaction.atomic
def unlink_from_case(link):
    victim = lock(link.victim)
    link.delete()
    sync_victim_grants(victim)


@transaction.atomic
def add_supporting_agency(victim, agency):
    victim = lock(victim)
    support, _created = VictimSupport.objects.get_or_create(victim=victim, agency=agency, ended_on=None)
    sync_victim_grants(victim)
    return support


@transaction.atomic
def end_support(support, *, actor=None, ended_on=None):
    """Only the supporting agency itself ends its support (and with it the access it had):
    nobody else can cut a victim off from their NGO."""
    victim = lock(support.victim)
    support = VictimSupport.objects.select_for_update().get(pk=support.pk)
    if actor is not None and actor.agency_id != support.agency_id:
        raise PermissionDenied(_("Only %(agency)s can end its own support.") % {"agency": support.agency})
    if support.ended_on is not None:
        raise ValidationError(_("This support has ended already."))
    support.ended_on = ended_on or timezone.localdate()
    _save(support)
    sync_victim_grants(victim)
    return support


# --- Consent --------------------------------------------------------------------------------

@transaction.atomic
def give_consent(victim, *, actor, purpose, agency=None, informed, given_on=None):
    """Record the victim's consent. A consent that names an agency opens the victim's file to
    it, so it is recorded only by those the victim's identity is already entrusted to (the
    supporting NGO, the case team), never for the recorder's own agency, and it is logged."""
    victim = lock(victim)
    if purpose in Consent.AGENCY_PURPOSES and agency is not None:
        if not policy.can(actor, "view_identity", victim):
            raise PermissionDenied(_("Consent to share or refer is recorded by those who already know the victim "
                                     "(the supporting NGO, the case team)."))
        if agency.pk == actor.agency_id:
            raise ValidationError({"agency": _("An agency does not record consent to share with itself.")})
    consent = _save(Consent(victim=victim, purpose=purpose, agency=agency, informed=informed, recorded_by=actor,
                            given_on=given_on or timezone.localdate()))
    if agency is not None:
        log_access(actor, AccessLog.Action.GRANT, [victim], requested=purpose, purpose=f"consent for {agency}")
    sync_victim_grants(victim)
    return consent


@transaction.atomic
def withdraw_consent(consent, *, note="", withdrawn_on=None):
    """Withdrawal takes effect everywhere: access that came from this consent is revoked now."""
    victim = lock(consent.victim)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was withdrawn already."))
    consent.withdrawn_on = withdrawn_on or timezone.localdate()
    consent.withdrawal_note = note
    _save(consent)
    sync_victim_grants(victim)
    return consent


# --- Assistance, reflection, return -----------------------------------------------------------

@transaction.atomic
def add_service(victim, **fields):
    """Services open from “presumed” on: they never wait for formal identification [WG 34,
    VS 24], and never depend on cooperation with the authorities [WG 58]."""
    victim = lock(victim)
    if victim.status == Victim.Status.POTENTIAL:
        raise ValidationError(_("Record the victim as presumed first: services start at “presumed”, without "
                                "waiting for formal identification."))
    return _save(AssistanceService(victim=victim, **fields))


@transaction.atomic
def start_reflection_period(victim, *, jurisdiction, started_on=None, granted_by=""):
    """Its length is the jurisdiction's setting; it runs whether or not the victim cooperates."""
    victim = lock(victim)
    period = ReflectionPeriod(victim=victim, jurisdiction=jurisdiction, started_on=started_on or timezone.localdate(),
                              granted_by=granted_by)
    period.ends_on = period.compute_ends_on()
    return _save(period)


def open_linked_cases(victim):
    from cases.models import Case

    return Case.objects.filter(victim_links__victim=victim).exclude(stage__in=OPEN_STAGES_EXCLUDED)


@transaction.atomic
def record_return(victim, *, actor, risk_assessment, **fields):
    """A return only after a completed risk assessment and non-refoulement check, and never
    while proceedings in a linked case are pending (the repatriation hold) [PR 1.2.3, NA VII.D.6-8]."""
    victim = lock(victim)
    pending = open_linked_cases(victim).count()
    if pending:
        raise ValidationError(_("Repatriation hold: %(count)d linked case(s) still open. A return can be "
                                "recorded once the proceedings are closed.") % {"count": pending})
    if risk_assessment is None or risk_assessment.victim_id != victim.pk or not risk_assessment.completed:
        raise ValidationError({"risk_assessment": _("A return needs a completed risk assessment of this victim.")})
    return _save(Return(victim=victim, risk_assessment=risk_assessment, recorded_by=actor, **fields))
