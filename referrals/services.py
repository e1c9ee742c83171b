"""Referrals: sending (with the victim's consent, or a recorded and logged override), the
lifecycle sent -> accepted or declined -> in progress -> completed, withdrawal by the sender,
and the receiving agency's access to the victim, kept in step by victims.grants (referrals.grants adds the referral's part).

Each step is one function that checks the current status and the actor's side of the
referral through the access policy, stamps the time and the actor, and refuses anything
else with a message that says why.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from accounts.audit import log_access
from accounts.functions import AgencyKind
from accounts.models import AccessLog
from victims.grants import sync_victim_grants
from victims import services as victim_services
from victims.models import Consent

from .models import Referral, ReferralEvent, ReferralNotice
from .timings import IDENTIFIED

S = Referral.Status


def consent_for(victim, agency):
    """The victim's consent, in force, to be referred to `agency`, or None."""
    return Consent.objects.filter(victim=victim, agency=agency, purpose=Consent.Purpose.REFERRAL,
                                  withdrawn_on__isnull=True).first()


def is_international(from_agency, to_agency):
    return to_agency.country != from_agency.country or to_agency.kind in (AgencyKind.CONSULAR,
                                                                            AgencyKind.INTERNATIONAL)


@transaction.atomic
def send_referral(victim, *, actor, to_agency, services=(), urgency=Referral.Urgency.ROUTINE, note="",
                  override_reason="", reason=Referral.Reason.ADDITIONAL_SERVICES):
    """Refer the victim to `to_agency`. Consent is a hard rule: without it only the functions in
    the functions the access policy lets override consent (police and prosecution) may send, with a reason that is kept and logged."""
    victim = victim_services.lock(victim)
    access.require(actor, "refer", victim)
    if not actor.agency_id:
        raise ValidationError(_("Referrals are sent on behalf of an agency."))
    consent = consent_for(victim, to_agency)
    override_reason = override_reason.strip()
    if consent is None:
        if not override_reason:
            raise ValidationError(_("%(victim)s has not consented to a referral to %(agency)s. Record the "
                                    "victim's consent first.") % {"victim": victim.code, "agency": to_agency})
        if not access.may(actor, "override_consent"):
            raise PermissionDenied(_("Only investigators and prosecutors may refer without the victim's consent."))
        log_access(actor, AccessLog.Action.OVERRIDE, [victim], requested="refer",
                   purpose=f"referral without consent to {to_agency}")
    now = timezone.now()
    referral = Referral(
        victim=victim, from_agency=actor.agency, to_agency=to_agency, services=list(services), urgency=urgency,
        reason=reason, note=note, consent=consent, consent_override_reason="" if consent else override_reason, sent_by=actor,
        sent_at=now, response_due_at=now + datetime.timedelta(hours=settings.REFERRAL_RESPONSE_HOURS[urgency]),
        is_international=is_international(actor.agency, to_agency),
    )
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(referral=referral, to_status=S.SENT, at=now, by=actor,
                                 reason=override_reason if consent is None else "")
    ReferralNotice.objects.create(referral=referral, agency=to_agency)
    sync_victim_grants(victim)
    return referral


# Each step: the statuses it starts from, where it goes, which side makes it (a policy action on
# the referral), whether it needs a reason, and the time it stamps.
STEPS = {
    "accept": ((S.SENT,), S.ACCEPTED, "respond", False, "accepted_at"),
    "decline": ((S.SENT,), S.DECLINED, "respond", True, "declined_at"),
    "start": ((S.ACCEPTED,), S.IN_PROGRESS, "respond", False, "first_service_at"),
    "complete": ((S.IN_PROGRESS,), S.COMPLETED, "respond", False, "completed_at"),
    "withdraw": ((S.SENT, S.ACCEPTED, S.IN_PROGRESS), S.WITHDRAWN, "withdraw", True, "withdrawn_at"),
}
REASON_FIELDS = {"decline": "decline_reason", "withdraw": "withdraw_reason"}


def available_steps(referral, user):
    """The steps `user` may take on the referral now (its status allows them and the policy
    puts the user on the side that takes them), "assign" included: for pages and API alike."""
    steps = [name for name, (sources, _target, action, _reason, _stamp) in STEPS.items()
             if referral.status in sources and access.can(user, action, referral)]
    if referral.status in Referral.OPEN and access.can(user, "respond", referral):
        steps.append("assign")
    return steps


def may_see_victim_summary(user, victim):
    """The referral's summary of the victim: for whoever sees the victim's record, and for the
    receiving agency while the referral gives it the summary."""
    return access.can(user, "view", victim) or access.can(user, "view_referral", victim)


def referral_consents(victim):
    """The victim's consents to be referred, in force, by agency id (one query)."""
    return {consent.agency_id: consent for consent in Consent.objects.filter(
        victim=victim, purpose=Consent.Purpose.REFERRAL, withdrawn_on__isnull=True, agency__isnull=False)}


@transaction.atomic
def move(referral, step, *, actor, reason="", assigned_to=None):
    sources, target, action, needs_reason, stamp = STEPS[step]
    victim_services.lock(referral.victim)
    referral = access.load_or_404(actor, Referral.objects.select_related("victim"), action, for_update=True,
                                  pk=referral.pk)
    if referral.status not in sources:
        raise ValidationError(_("A referral that is “%(status)s” cannot be moved to “%(target)s”.") % {
            "status": referral.get_status_display(), "target": S(target).label})
    if needs_reason and not reason.strip():
        raise ValidationError(_("“%(target)s” needs a reason.") % {"target": S(target).label})
    now = timezone.now()
    event = ReferralEvent(referral=referral, from_status=referral.status, to_status=target, at=now, by=actor,
                          reason=reason.strip())
    referral.status = target
    setattr(referral, stamp, now)
    if step in REASON_FIELDS:
        setattr(referral, REASON_FIELDS[step], reason.strip())
    if step == "accept":
        _assign(referral, assigned_to or actor, now)
    referral.full_clean()
    referral.save()
    event.save()
    sync_victim_grants(referral.victim)
    return referral


def _assign(referral, user, now):
    if user.agency_id != referral.to_agency_id:
        raise ValidationError({"assigned_to": _("Assign the referral to someone of %(agency)s.") % {
            "agency": referral.to_agency}})
    referral.assigned_to, referral.assigned_at = user, now


@transaction.atomic
def assign(referral, user, *, actor):
    """The receiving agency hands the referral to one of its people (kept in its history)."""
    referral = access.load_or_404(actor, Referral, "respond", for_update=True, pk=referral.pk)
    if referral.status not in Referral.OPEN:
        raise ValidationError(_("Only an open referral is assigned."))
    now = timezone.now()
    _assign(referral, user, now)
    referral.save()
    ReferralEvent.objects.create(referral=referral, from_status=referral.status, to_status=referral.status, at=now,
                                 by=actor, reason=_("Assigned to %(person)s.") % {"person": user})
    return referral


def mark_notice_read(referral, user):
    """The receiving agency has opened the referral: its notice leaves the inbox's "new"."""
    if user.agency_id != referral.to_agency_id:
        return
    for notice in ReferralNotice.objects.filter(referral=referral, agency=user.agency_id, read_at__isnull=True):
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])


# --- The directory ---------------------------------------------------------------------------

def may_keep_directory_entry(user):
    """An agency's own caseworkers and officers keep its entry in the referral directory."""
    return bool(user.is_authenticated and user.agency_id) and access.may_use(user, Referral, "respond")


@transaction.atomic
def save_directory_entry(entry, *, actor):
    """Save `entry` (a ServiceProvider) for the actor's own agency only."""
    if not may_keep_directory_entry(actor):
        raise PermissionDenied(_("An agency's caseworkers and officers keep its directory entry."))
    entry.agency = actor.agency
    entry.full_clean()
    entry.save()
    return entry


# --- Inbox and timings ---------------------------------------------------------------------

RECENT_DAYS = 14


def inbox(user, now=None):
    """The referral inbox of the user's agency: incoming and outgoing open referrals, those
    overdue for an answer, and those recently assigned to the user."""
    now = now or timezone.now()
    visible = access.visible(user, Referral).select_related("victim", "from_agency", "to_agency", "assigned_to")
    agency = user.agency_id
    return {
        "incoming": visible.filter(to_agency=agency, status__in=Referral.OPEN),
        "outgoing": visible.filter(from_agency=agency, status__in=Referral.OPEN),
        "overdue": visible.filter(Q(to_agency=agency) | Q(from_agency=agency), status=S.SENT,
                                  response_due_at__lt=now),
        "assigned_to_me": visible.filter(assigned_to=user, assigned_at__gte=now - datetime.timedelta(days=RECENT_DAYS)),
    }


def timings(referral):
    """How long each step took: identification -> referral, referral -> acceptance, acceptance
    -> first service. Identification is the first time the victim was presumed or identified
    (a "not a victim" decision is none), as in referrals.timings."""
    first = referral.victim.status_decisions.filter(status__in=IDENTIFIED).order_by("decided_on", "id").first()
    return {
        "identification_to_referral": (referral.sent_at.date() - first.decided_on) if first else None,
        "referral_to_acceptance": referral.time_to_acceptance,
        "acceptance_to_first_service": referral.time_to_first_service,
    }
