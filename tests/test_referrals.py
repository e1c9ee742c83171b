"""Referrals: consent as a hard rule and its logged override, every step by the right and by a
wrong party, the receiving agency's access appearing and disappearing, timings on known data,
international referrals, the inbox and the e-mail notice sent once."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

import access
from accounts.models import AccessLog
from referrals import services
from referrals.models import Referral, ReferralEvent, ReferralNotice
from referrals.tasks import email_referral_notices
from victims import services as victim_services
from victims.models import Consent, StatusDecision, VictimCaseLink

from . import factories

S = Referral.Status


@pytest.fixture
def world(db):
    class World:
        police = factories.agency("police")
        ngo = factories.agency("ngo")
        shelter = factories.agency("ngo", name="Shelter House")
        elsewhere = factories.agency("ngo")
    w = World()
    w.investigator = factories.user(w.police, "investigator")
    w.caseworker = factories.user(w.ngo, "caseworker")
    w.receiver = factories.user(w.shelter, "caseworker")
    w.colleague = factories.user(w.shelter, "caseworker")
    w.outsider = factories.user(w.elsewhere, "caseworker")
    w.victim = factories.victim(w.caseworker, supporting_agencies=[w.ngo], status="presumed")
    return w


def consent(world, agency=None):
    return victim_services.give_consent(world.victim, actor=world.caseworker, purpose=Consent.Purpose.REFERRAL,
                                        agency=agency or world.shelter, informed=True)


def send(world, **fields):
    fields.setdefault("to_agency", world.shelter)
    fields.setdefault("services", ["shelter"])
    return services.send_referral(world.victim, actor=fields.pop("actor", world.caseworker), **fields)


def counts():
    return Referral.objects.count(), ReferralEvent.objects.count(), ReferralNotice.objects.count()


# --- Consent ---------------------------------------------------------------------------------

def test_a_referral_without_consent_is_refused_and_writes_nothing(world):
    before = counts()
    with pytest.raises(ValidationError, match="has not consented to a referral to Shelter House"):
        send(world)
    assert counts() == before
    # Consent to another agency does not cover this one.
    consent(world, agency=world.elsewhere)
    with pytest.raises(ValidationError, match="has not consented"):
        send(world)
    assert counts() == before


def test_consent_override_only_by_permitted_functions_with_a_reason_and_logged(world):
    victim_services.add_supporting_agency(world.victim, world.police)  # so the investigator sees the victim
    with pytest.raises(PermissionDenied, match="Only investigators and prosecutors"):
        send(world, override_reason="Child in immediate danger")
    with pytest.raises(ValidationError, match="has not consented"):
        send(world, actor=world.investigator, override_reason="   ")
    referral = send(world, actor=world.investigator, override_reason="Child in immediate danger")
    assert referral.consent is None and referral.consent_override_reason == "Child in immediate danger"
    logged = AccessLog.objects.get(action=AccessLog.Action.OVERRIDE)
    assert (logged.user, logged.object_id) == (world.investigator, str(world.victim.pk))
    assert referral.events.get().reason == "Child in immediate danger"
    assert access.can(world.receiver, "view_referral", world.victim)  # the override stands in for consent


def test_sending_with_consent(world):
    given = consent(world)
    referral = send(world, urgency="urgent", note="Needs a safe place tonight")
    assert (referral.status, referral.consent, referral.from_agency, referral.sent_by) == (
        S.SENT, given, world.ngo, world.caseworker)
    assert referral.response_due_at == referral.sent_at + datetime.timedelta(hours=24)
    assert not referral.is_international
    assert ReferralNotice.objects.filter(referral=referral, agency=world.shelter).count() == 1
    with pytest.raises(ValidationError, match="already has an open referral"):
        send(world)


def test_only_those_who_may_refer_the_victim_send(world):
    consent(world)
    before = counts()
    with pytest.raises(Http404):
        send(world, actor=world.outsider)  # cannot see the victim
    assert counts() == before


# --- Every step by the right and by a wrong party -------------------------------------------

STEPS = [  # (step, status before, who may, reason)
    ("accept", S.SENT, "receiver", ""),
    ("decline", S.SENT, "receiver", "No place for men"),
    ("start", S.ACCEPTED, "receiver", ""),
    ("complete", S.IN_PROGRESS, "receiver", ""),
    ("withdraw", S.SENT, "caseworker", "Victim moved abroad"),
    ("withdraw", S.IN_PROGRESS, "caseworker", "Victim asked to stop"),
]


def at_status(world, status):
    consent(world)
    referral = send(world)
    path = {S.SENT: [], S.ACCEPTED: ["accept"], S.IN_PROGRESS: ["accept", "start"]}[status]
    for step in path:
        referral = services.move(referral, step, actor=world.receiver)
    return referral


@pytest.mark.parametrize("step,status,right,reason", STEPS)
def test_each_step_by_the_right_party(world, step, status, right, reason):
    referral = at_status(world, status)
    actor = getattr(world, right)
    moved = services.move(referral, step, actor=actor, reason=reason)
    target = services.STEPS[step][1]
    assert moved.status == target
    event = moved.events.last()
    assert (event.from_status, event.to_status, event.by, event.reason) == (status, target, actor, reason)
    assert getattr(moved, services.STEPS[step][4]) is not None


@pytest.mark.parametrize("step,status,right,reason", STEPS)
def test_each_step_refused_to_a_wrong_party(world, step, status, right, reason):
    referral = at_status(world, status)
    other_side = world.caseworker if right == "receiver" else world.receiver
    with pytest.raises(PermissionDenied):
        services.move(referral, step, actor=other_side, reason=reason)
    with pytest.raises(Http404):
        services.move(referral, step, actor=world.outsider, reason=reason)
    assert Referral.objects.get(pk=referral.pk).status == status


def test_steps_out_of_order_and_missing_reasons_are_refused(world):
    referral = at_status(world, S.SENT)
    with pytest.raises(ValidationError, match="cannot be moved to “Completed”"):
        services.move(referral, "complete", actor=world.receiver)
    with pytest.raises(ValidationError, match="needs a reason"):
        services.move(referral, "decline", actor=world.receiver, reason=" ")
    with pytest.raises(ValidationError, match="needs a reason"):
        services.move(referral, "withdraw", actor=world.caseworker)
    assert Referral.objects.get(pk=referral.pk).status == S.SENT
    done = services.move(services.move(services.move(referral, "accept", actor=world.receiver), "start",
                                       actor=world.receiver), "complete", actor=world.receiver)
    with pytest.raises(ValidationError):
        services.move(done, "withdraw", actor=world.caseworker, reason="late")


def test_accepting_assigns_someone_of_the_receiving_agency(world):
    referral = at_status(world, S.SENT)
    with pytest.raises(ValidationError):
        services.move(referral, "accept", actor=world.receiver, assigned_to=world.caseworker)
    accepted = services.move(referral, "accept", actor=world.receiver, assigned_to=world.colleague)
    assert accepted.assigned_to == world.colleague
    assert services.assign(accepted, world.receiver, actor=world.colleague).assigned_to == world.receiver


# --- Access appears and disappears -----------------------------------------------------------

def test_the_receiving_agency_sees_the_record_while_it_works_on_the_referral(world):
    case = factories.case(world.investigator)
    victim_services.link_to_case(world.victim, case, VictimCaseLink.Role.COMPLAINANT)
    assert not access.can(world.receiver, "view_referral", world.victim)
    referral = at_status(world, S.SENT)
    assert access.can(world.receiver, "view_referral", world.victim)
    # The referral summary only: not the victim's file, its identity or shelter, nor the case file.
    for action in ("view", "view_identity", "view_shelter", "view_cooperation", "view_safety", "refer"):
        assert not access.can(world.receiver, action, world.victim), action
    assert not access.can(world.receiver, "view", case)
    done = services.move(services.move(services.move(referral, "accept", actor=world.receiver), "start",
                                       actor=world.receiver), "complete", actor=world.receiver)
    assert done.status == S.COMPLETED and access.can(world.receiver, "view_referral", world.victim)


def test_identity_travels_only_where_consent_covers_it(world):
    at_status(world, S.SENT)
    victim_services.give_consent(world.victim, actor=world.caseworker, purpose=Consent.Purpose.SHARE_IDENTITY,
                                 agency=world.shelter, informed=True)
    assert access.can(world.receiver, "view_identity", world.victim)
    assert access.can(world.receiver, "view", world.victim)  # consent to share opens the record


@pytest.mark.parametrize("ending", ["decline", "withdraw", "consent"])
def test_access_ends_when_declined_withdrawn_or_consent_is_withdrawn(world, ending):
    referral = at_status(world, S.SENT)
    assert access.can(world.receiver, "view_referral", world.victim)
    if ending == "decline":
        services.move(referral, "decline", actor=world.receiver, reason="Full")
    elif ending == "withdraw":
        services.move(referral, "withdraw", actor=world.caseworker, reason="Moved")
    else:
        victim_services.withdraw_consent(referral.consent, note="Victim changed their mind")
    assert not access.can(world.receiver, "view_referral", world.victim)
    assert access.can(world.caseworker, "view", world.victim)


# --- Timings, international, inbox, notices ---------------------------------------------------

def test_timings_on_known_data(world):
    StatusDecision.objects.filter(victim=world.victim).update(decided_on=datetime.date(2026, 3, 1))
    referral = at_status(world, S.SENT)
    sent = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 0))
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent, accepted_at=sent + datetime.timedelta(hours=6),
        first_service_at=sent + datetime.timedelta(days=2, hours=6))
    timings = services.timings(Referral.objects.get(pk=referral.pk))
    assert timings == {
        "identification_to_referral": datetime.timedelta(days=3),
        "referral_to_acceptance": datetime.timedelta(hours=6),
        "acceptance_to_first_service": datetime.timedelta(days=2),
    }


def test_international_referrals_are_marked(world):
    abroad = factories.agency("ngo")
    abroad.country = "BR"
    abroad.save()
    consulate = factories.agency("consular")
    for agency in (abroad, consulate):
        consent(world, agency=agency)
        assert send(world, to_agency=agency).is_international


def test_inbox(world):
    referral = at_status(world, S.SENT)
    now = timezone.now()
    box = services.inbox(world.receiver, now=now)
    assert list(box["incoming"]) == [referral] and not box["outgoing"].exists() and not box["overdue"].exists()
    assert list(services.inbox(world.caseworker, now=now)["outgoing"]) == [referral]
    late = now + datetime.timedelta(days=6)  # routine: five days to answer
    assert list(services.inbox(world.receiver, now=late)["overdue"]) == [referral]
    assert list(services.inbox(world.caseworker, now=late)["overdue"]) == [referral]
    assert not services.inbox(world.outsider, now=late)["overdue"].exists()
    services.move(referral, "accept", actor=world.receiver, assigned_to=world.colleague)
    assert list(services.inbox(world.colleague)["assigned_to_me"]) == [referral]
    assert not services.inbox(world.receiver)["assigned_to_me"].exists()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_the_receiving_agency_is_emailed_once_and_never_told_who(world):
    world.shelter.contact_email = "referrals@shelter.example"
    world.shelter.save()
    ReferralNotice.objects.update(emailed_at=timezone.now())  # the demo's own notices are out of the way
    at_status(world, S.SENT)
    assert email_referral_notices() == 1
    assert email_referral_notices() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["referrals@shelter.example"]
    assert world.victim.code not in message.body and "Test" not in message.body
    assert ReferralNotice.objects.get(referral__victim=world.victim).emailed_at is not None
