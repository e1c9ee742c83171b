"""Changes to victims. Views, API, commands and tasks call these; each runs in one
transaction, locks the victim row (concurrent changes queue up) and keeps the access grants
in step with the facts that give access (supporting agency, case links, consent)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

import access
from accounts.audit import log_access
from accounts.functions import AgencyKind
from accounts.models import AccessLog
from accounts.versioning import STALE_MESSAGE
from cases import services as case_services
from cases.models import Case

from .grants import sync_victim_grants
from .models import (
    IDENTITY_FIELDS, SHELTER_FIELDS, AssistanceService, Indicator, Consent, ReflectionPeriod, ResidencePermit, Return,
    StatusDecision, Victim, VictimCaseLink, VictimIdentity, VictimSupport,
)
from .models.vocabularies import DecidingOrganisation

LADDER = [Victim.Status.POTENTIAL, Victim.Status.PRESUMED, Victim.Status.IDENTIFIED]
# The statuses support starts at [WG 34, VS 24].
SUPPORTED = (Victim.Status.PRESUMED, Victim.Status.IDENTIFIED)
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


@transaction.atomic
def record_victim(*, actor, identity=None, supporting_agencies=(), **fields):
    """Record a victim at first contact. The identity goes into its own protected record
    [SPEC 2.3], validated like any edit of it (e-mail, phone numbers)."""
    if not access.may(actor, "record_victim"):
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


def next_statuses(current):
    """The statuses a later decision may give: the rungs above `current` on the ladder; after
    "not a victim", presumed or identified (a review, an appeal, new facts)."""
    if current == Victim.Status.NOT_A_VICTIM:
        return list(SUPPORTED)
    return LADDER[LADDER.index(current) + 1:]


@transaction.atomic
def set_status(victim, status, *, actor, authority, criteria, channel="", decided_on=None, deciding_organisation=""):
    """One step up the ladder potential -> presumed -> identified, with who decided, when and
    why [SPEC 2.3]. Status never waits on a perpetrator [PR 1.2.2] and does not go back down; a
    victim decided "not a victim" is moved to presumed or identified by a later decision. The
    kind of deciding organisation defaults to that of the actor's agency."""
    victim = lock(victim)
    if status == Victim.Status.NOT_A_VICTIM:
        raise ValidationError(_("“Not a victim of trafficking” is a decision with reasons of its own, not a step "
                                "of the ladder: record it as such."))
    if status not in next_statuses(victim.status):
        if victim.status == Victim.Status.NOT_A_VICTIM:
            raise ValidationError(_("The victim is “%(current)s”: a later decision moves them to presumed or "
                                    "identified.") % {"current": victim.get_status_display()})
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


# --- "Not a victim of trafficking" ----------------------------------------------------------

@dataclass
class Protection:
    """Something in force for the victim that its status opened, which a "not a victim"
    decision may end: `key` names it in the decision's `end_protections`."""

    key: str
    label: str
    record: object
    # Only the supporting agency itself ends its support (end_support).
    only_agency: object = None

    @property
    def starts_on(self):
        record = self.record
        return record.issued_on if isinstance(record, ResidencePermit) else record.started_on

    def may_end(self, actor):
        return self.only_agency is None or actor.agency_id == self.only_agency.pk


def protections_in_force(victim, *, services=None, periods=None, supports=None, permits=None, today=None):
    """What the status opened and is still in force [WG 34, VS 23, VS 24, NA IV fn 12]: open
    assistance services, reflection periods not over, open supporting-agency supports and
    granted residence permits for victims of trafficking not yet expired. Each list may be given
    already fetched (the victim page has them), else it is read here."""
    today = today or timezone.localdate()
    if services is None:
        services = victim.services.select_related("provider")
    if periods is None:
        periods = victim.reflection_periods.select_related("jurisdiction")
    if supports is None:
        supports = victim.supports.filter(ended_on__isnull=True).select_related("agency")
    if permits is None:
        permits = victim.residence_permits.all()
    found = []
    for service in services:
        if service.ended_on is None or service.ended_on > today:
            found.append(Protection(f"service:{service.pk}", _("%(service)s by %(provider)s, since %(since)s") % {
                "service": service.get_kind_display(), "provider": service.provider, "since": service.started_on},
                service))
    for period in periods:
        if period.ended_on is None and period.ends_on >= today:
            found.append(Protection(f"reflection:{period.pk}", _("Reflection and recovery period %(start)s – %(end)s")
                                    % {"start": period.started_on, "end": period.ends_on}, period))
    for support in supports:
        if support.ended_on is None:
            found.append(Protection(f"support:{support.pk}", _("Support by %(agency)s, since %(since)s") % {
                "agency": support.agency, "since": support.started_on}, support, only_agency=support.agency))
    for permit in permits:
        if (permit.kind == ResidencePermit.Kind.VICTIM and permit.status == ResidencePermit.Status.GRANTED
                and permit.expires_on and permit.expires_on >= today):
            found.append(Protection(f"permit:{permit.pk}", _("%(permit)s, issued %(issued)s, expires %(expires)s") % {
                "permit": permit.get_kind_display(), "issued": permit.issued_on, "expires": permit.expires_on},
                permit))
    return found


REASONS_REQUIRED = gettext_lazy("Give the reasons for deciding “not a victim of trafficking”: they are recorded "
                                "with the decision.")


@transaction.atomic
def decide_not_a_victim(victim, *, actor, authority, reasons, decided_on=None, deciding_organisation="",
                        end_protections=(), version=None):
    """Record that the person is not a victim of trafficking (HTCDS NotAVictimOfTrafficking)
    [SPEC 2.3, WG 17(e), NA IV.D.1]. Not a step down the ladder: a decision of its own, taken
    by whoever may set the status, from any rung, kept as a StatusDecision whose `criteria`
    holds the reasons (one text for "why", as for every decision, so exports and histories read
    one field; `reasons` is its name on the page and in the API) and whose `protections_ended`
    lists what it ended.

    What the status opened (protections_in_force) ends only by this explicit choice: the keys
    in `end_protections` end on the decision date, through the same saves as elsewhere, each
    history row naming the decision; everything else stays in force [WG 34, VS 24]. Support is
    ended only by the supporting agency itself (end_support). While "not a victim", services
    and reflection periods are refused; set_status moves the person back to presumed or
    identified on a later decision. Refused input writes nothing."""
    victim = lock_version(victim, version)
    if victim.status == Victim.Status.NOT_A_VICTIM:
        raise ValidationError(_("This person is already decided not to be a victim of trafficking."))
    today = timezone.localdate()
    decided_on = decided_on or today
    errors = {}
    if not (reasons or "").strip():
        errors["reasons"] = REASONS_REQUIRED
    if not (authority or "").strip():
        errors["authority"] = _("Name the authority that decided.")
    if decided_on > today:
        errors["decided_on"] = _("A decision is recorded once it is taken: its date cannot be in the future.")
    in_force = {protection.key: protection for protection in protections_in_force(victim, today=decided_on)}
    chosen = list(dict.fromkeys(end_protections))
    problems = []
    for key in chosen:
        protection = in_force.get(key)
        if protection is None:
            problems.append(_("“%(key)s” is not in force for this victim.") % {"key": key})
        elif not protection.may_end(actor):
            problems.append(_("Only %(agency)s can end its own support.") % {"agency": protection.only_agency})
        elif protection.starts_on and protection.starts_on > decided_on:
            problems.append(_("%(what)s starts after the decision date, so the decision cannot end it.")
                            % {"what": protection.label})
        elif isinstance(protection.record, ResidencePermit) and protection.starts_on == decided_on:
            problems.append(_("%(what)s was issued on the decision date: record it as ended on the permit itself.")
                            % {"what": protection.label})
    if problems:
        errors["end_protections"] = problems
    if errors:
        raise ValidationError(errors)
    ended = [in_force[key] for key in chosen]
    decision = _save(StatusDecision(
        victim=victim, status=Victim.Status.NOT_A_VICTIM, authority=authority.strip(), criteria=reasons.strip(),
        deciding_organisation=deciding_organisation or deciding_organisation_of(actor), decided_on=decided_on,
        recorded_by=actor, protections_ended="\n".join(str(protection.label) for protection in ended)))
    # History keeps at most 100 characters of a reason: the decision's number and date lead to it.
    note = _("Ended by decision %(id)s “not a victim of trafficking” of %(date)s.") % {
        "id": decision.pk, "date": decided_on}
    for protection in ended:
        _end_protection(protection, actor=actor, ended_on=decided_on, note=note)
    victim.status = Victim.Status.NOT_A_VICTIM
    _save(victim)
    return decision


def _end_protection(protection, *, actor, ended_on, note):
    record = protection.record
    if isinstance(record, VictimSupport):
        end_support(record, actor=actor, ended_on=ended_on, note=note)
        return
    if isinstance(record, AssistanceService):
        record.ended_on = ended_on
    elif isinstance(record, ReflectionPeriod):
        record.ended_on = ended_on  # its deadline is met (deadlines.services.for_reflection_period)
    elif isinstance(record, ResidencePermit):
        record.status, record.expires_on = ResidencePermit.Status.EXPIRED, ended_on
    record._change_reason = note  # simple-history keeps it on the row this save writes
    _save(record)


def _refuse_while_not_a_victim(victim, what):
    if victim.status == Victim.Status.NOT_A_VICTIM:
        raise ValidationError(_("%(what)s: this person was decided not to be a victim of trafficking. A later "
                                "decision recording them as presumed or identified opens it again.") % {"what": what})


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
def end_support(support, *, actor=None, ended_on=None, note=""):
    """Only the supporting agency itself ends its support (and with it the access it had):
    nobody else can cut a victim off from their NGO. `note` says why, in the history."""
    victim = lock(support.victim)
    support = VictimSupport.objects.select_for_update().get(pk=support.pk)
    if actor is not None and actor.agency_id != support.agency_id:
        raise PermissionDenied(_("Only %(agency)s can end its own support.") % {"agency": support.agency})
    if support.ended_on is not None:
        raise ValidationError(_("This support has ended already."))
    support.ended_on = ended_on or timezone.localdate()
    if note:
        support._change_reason = note
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
        if not access.can(actor, "view_identity", victim):
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
    VS 24], and never depend on cooperation with the authorities [WG 58]. None opens while the
    person is decided not to be a victim."""
    victim = lock(victim)
    _refuse_while_not_a_victim(victim, _("No new service"))
    if victim.status == Victim.Status.POTENTIAL:
        raise ValidationError(_("Record the victim as presumed first: services start at “presumed”, without "
                                "waiting for formal identification."))
    return _save(AssistanceService(victim=victim, **fields))


@transaction.atomic
def start_reflection_period(victim, *, jurisdiction, started_on=None, granted_by=""):
    """Its length is the jurisdiction's setting; it runs whether or not the victim cooperates.
    None starts while the person is decided not to be a victim [NA IV fn 12]."""
    victim = lock(victim)
    _refuse_while_not_a_victim(victim, _("No reflection period"))
    period = ReflectionPeriod(victim=victim, jurisdiction=jurisdiction, started_on=started_on or timezone.localdate(),
                              granted_by=granted_by)
    period.ends_on = period.compute_ends_on()
    return _save(period)


def open_linked_cases(victim):
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
