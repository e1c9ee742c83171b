"""Referrals through the national referral mechanism, in every status, each with the victim's
consent (a few with a recorded override instead), its events, the receiving agency's notice
and its answer deadline; the demo caseworker's NGO receives its share."""

import datetime

from django.conf import settings

from accounts.functions import AgencyKind as K, Function as F
from deadlines.models import Deadline
from referrals.models import Referral, ReferralEvent, ReferralNotice
from victims.models import Consent

from .bulk import insert
from .state import Plan

St = Referral.Status
STATUSES = [(St.SENT, 6), (St.ACCEPTED, 8), (St.IN_PROGRESS, 25), (St.COMPLETED, 43), (St.DECLINED, 10),
            (St.WITHDRAWN, 8)]
SERVICES = {K.NGO: ["shelter", "psychological", "legal_aid", "interpretation", "court_accompaniment"],
            K.HEALTH: ["medical", "psychological"], K.SOCIAL_SERVICES: ["financial", "education", "shelter"],
            K.LEGAL_AID: ["legal_aid"], K.INTERNATIONAL: ["other", "financial"], K.CONSULAR: ["other"]}
RECEIVERS = [(K.NGO, 50), (K.HEALTH, 10), (K.SOCIAL_SERVICES, 12), (K.LEGAL_AID, 12), (K.INTERNATIONAL, 4),
             (K.CONSULAR, 3)]
NOTES = ["Needs a safe place tonight; speaks little Portuguese.",
         "Wants advice on the recruitment debt and the permit.",
         "Injuries from the workplace; needs a medical check.", "Mother of two; the children are with a relative.",
         "Asked for an interpreter; prefers a woman caseworker.", ""]
DECLINES = ["No places left in the shelter this week.", "Outside the area we serve; please refer to the district NGO.",
            "The victim declined our services at the first meeting."]
WITHDRAWALS = ["The victim moved to another district.", "Referred to a provider closer to the victim's work.",
               "The victim chose to return home."]
HOURS = settings.REFERRAL_RESPONSE_HOURS


def build(world, counts):
    plans = _plans(world)
    consents = {}
    for plan in plans:
        if plan.override:
            continue
        key = (plan.victim.id, plan.to)
        if key not in consents:
            consents[key] = Consent(victim_id=plan.victim.id, purpose=Consent.Purpose.REFERRAL, agency_id=plan.to,
                                    given_on=plan.sent_at.date(), informed=True, recorded_by_id=plan.sent_by)
    saved = dict(zip(consents, insert(Consent, consents.values())))
    counts["consents"] = len(saved)
    rows = [_referral(world, plan, saved.get((plan.victim.id, plan.to))) for plan in plans]
    for plan, referral in zip(plans, insert(Referral, rows, when=lambda r: r.sent_at)):
        plan.id = referral.pk
    world.referrals = plans
    counts["referrals"] = len(plans)
    counts["events"] = len(insert(ReferralEvent, (e for plan in plans for e in _events(plan))))
    counts["notices"] = len(insert(ReferralNotice, (_notice(world, plan) for plan in plans)))
    for plan in plans:
        if plan.status != St.WITHDRAWN:
            world.deadlines.append(_answer_deadline(plan))


def _notice(world, plan):
    """The receiving agency's notice: e-mailed at once, read when answered (or soon after)."""
    glanced = plan.sent_at + datetime.timedelta(hours=2)
    return ReferralNotice(referral_id=plan.id, agency_id=plan.to, created_at=plan.sent_at,
                          emailed_at=plan.sent_at + datetime.timedelta(minutes=1),
                          read_at=plan.answered_at or (glanced if glanced < world.now else None))


def _receivers(world):
    """Agencies that receive referrals, by district and kind (the demo caseworker's NGO apart)."""
    pt_ngo = world.agencies["pt-ngo"].pk
    return {(jur, kind): [a for a in world.by_place[jur, kind] if a != pt_ngo]
            for jur in ("lis", "por", "coi", "evo") for kind, _w in RECEIVERS}


def _plans(world):
    rng = world.rng
    receivers = _receivers(world)
    pt_ngo = world.agencies["pt-ngo"].pk
    lisbon = [v for v in world.victims if v.jur == "lis"]
    supported = [v for v in lisbon if v.supporter == pt_ngo] or lisbon
    wanted = world.sizes.pt_ngo_referrals
    targets = [(rng.choice(supported) if rng.random() < 0.7 else rng.choice(lisbon), pt_ngo) for _ in range(wanted)]
    while len(targets) < world.sizes.referrals:
        victim = rng.choice(world.victims)
        kind = world.weighted(RECEIVERS)
        pool = receivers[victim.jur, kind] or receivers["lis", kind] or receivers[victim.jur, K.NGO]
        if rng.random() < 0.05:
            pool = receivers[rng.choice(["lis", "por", "coi", "evo"]), K.NGO]
        targets.append((victim, rng.choice(pool)))
    rng.shuffle(targets)
    open_now = set()
    plans = []
    for victim, to in targets:
        plan = _plan(world, victim, to)
        if plan is None:
            continue
        if plan.status in Referral.OPEN:
            if (victim.id, to) in open_now:
                plan.status = St.DECLINED
                _times(world, plan)
            else:
                open_now.add((victim.id, to))
        plans.append(plan)
    return plans


def _plan(world, victim, to):
    rng = world.rng
    case = victim.cases[0] if victim.cases else None
    choices = [victim.agency] * 7 + ([case.parts.get("investigating"), case.parts.get("prosecuting")] if case else [])
    choices += [victim.supporter] if victim.supporter else []
    candidates = [a for a in choices if a and a != to]
    if not candidates:
        return None
    sender_agency = rng.choice(candidates)
    sent_by = world.person_of(sender_agency, F.INVESTIGATOR, F.FRONTLINE, F.PROSECUTOR, F.CASEWORKER)
    if sent_by is None:
        return None
    status = world.weighted(STATUSES)
    overriding = world.chance(0.02) and world.agency_kind[sender_agency] in (K.POLICE, K.PROSECUTION, K.IMMIGRATION)
    plan = Plan(victim=victim, to=to, sender=sender_agency, sent_by=sent_by, status=status, override=overriding,
                urgency=world.weighted([("emergency", 8), ("urgent", 32), ("routine", 60)]),
                kind=world.agency_kind[to])
    _times(world, plan)
    return plan


def _times(world, plan):
    """When each step happened; a step that would fall in the future has not happened yet."""
    rng, now, hours = world.rng, world.now, datetime.timedelta(hours=1)
    if plan.status == St.SENT:
        plan.sent_at = now - datetime.timedelta(minutes=rng.randint(30, 12 * 24 * 60))
    else:
        start = plan.victim.created_at
        plan.sent_at = min(start + datetime.timedelta(minutes=rng.randint(30, 90 * 24 * 60)), now - 80 * hours)
    plan.sent_at = max(plan.sent_at, plan.victim.created_at)
    plan.due = plan.sent_at + datetime.timedelta(hours=HOURS[plan.urgency])
    plan.accepted_at = plan.first_service_at = plan.completed_at = plan.declined_at = plan.withdrawn_at = None
    plan.answered_at = None
    answer = plan.sent_at + datetime.timedelta(minutes=rng.randint(20, int(HOURS[plan.urgency] * 60 * 1.3)))
    if plan.status in (St.ACCEPTED, St.IN_PROGRESS, St.COMPLETED):
        plan.accepted_at = plan.answered_at = min(answer, now)
    if plan.status in (St.IN_PROGRESS, St.COMPLETED):
        plan.first_service_at = min(plan.accepted_at + datetime.timedelta(hours=rng.randint(2, 240)), now)
    if plan.status == St.COMPLETED:
        plan.completed_at = plan.first_service_at + datetime.timedelta(days=rng.randint(10, 200))
        if plan.completed_at > now:
            plan.status, plan.completed_at = St.IN_PROGRESS, None
    if plan.status == St.DECLINED:
        plan.declined_at = plan.answered_at = min(answer, now)
    if plan.status == St.WITHDRAWN:
        plan.withdrawn_at = min(plan.sent_at + datetime.timedelta(hours=rng.randint(1, 400)), now)
    plan.assigned_to = None
    if plan.accepted_at:
        demo = world.demo["caseworker"].pk
        plan.assigned_to = demo if plan.to == world.agencies["pt-ngo"].pk and rng.random() < 0.25 else (
            world.person_of(plan.to, F.CASEWORKER) or world.person_of(plan.to, *world.staff[plan.to]))


def _referral(world, plan, consent):
    rng = world.rng
    international = world.agency_country[plan.to] != world.agency_country[plan.sender] or plan.kind in (
        K.CONSULAR, K.INTERNATIONAL)
    services = SERVICES.get(plan.kind, ["other"])
    return Referral(
        victim_id=plan.victim.id, from_agency_id=plan.sender, to_agency_id=plan.to, urgency=plan.urgency,
        services=sorted(rng.sample(services, min(len(services), rng.randint(1, 3)))), note=rng.choice(NOTES),
        is_international=international, status=plan.status, consent=consent,
        consent_override_reason="A child in immediate danger: no time to obtain consent." if consent is None else "",
        sent_by_id=plan.sent_by, sent_at=plan.sent_at, response_due_at=plan.due, assigned_to_id=plan.assigned_to,
        assigned_at=plan.accepted_at, accepted_at=plan.accepted_at, declined_at=plan.declined_at,
        decline_reason=rng.choice(DECLINES) if plan.declined_at else "", first_service_at=plan.first_service_at,
        completed_at=plan.completed_at, withdrawn_at=plan.withdrawn_at,
        withdraw_reason=rng.choice(WITHDRAWALS) if plan.withdrawn_at else "")


def _events(plan):
    steps = [("", St.SENT, plan.sent_at, plan.sent_by, "A child in immediate danger." if plan.override else "")]
    responder = plan.assigned_to or plan.sent_by
    if plan.accepted_at:
        steps.append((St.SENT, St.ACCEPTED, plan.accepted_at, responder, ""))
    if plan.first_service_at:
        steps.append((St.ACCEPTED, St.IN_PROGRESS, plan.first_service_at, responder, ""))
    if plan.completed_at:
        steps.append((St.IN_PROGRESS, St.COMPLETED, plan.completed_at, responder, ""))
    if plan.declined_at:
        steps.append((St.SENT, St.DECLINED, plan.declined_at, plan.sent_by, "See the reason for declining."))
    if plan.withdrawn_at:
        before = steps[-1][1]
        steps.append((before, St.WITHDRAWN, plan.withdrawn_at, plan.sent_by, "See the reason for withdrawing."))
    for before, after, at, by, reason in steps:
        yield ReferralEvent(referral_id=plan.id, from_status=before, to_status=after, at=at, by_id=by, reason=reason)


def _answer_deadline(plan):
    """The generated answer deadline (source key as deadlines.services.for_referral makes it):
    met when answered in time, missed when the answer came late; still open while unanswered."""
    row = Deadline(kind=Deadline.Kind.REFERRAL_RESPONSE, title=f"Answer referral {plan.id}", due_at=plan.due,
                   referral_id=plan.id, responsible_agency_id=plan.to, responsible_user_id=plan.assigned_to,
                   source_key=f"referral:{plan.id}:response", created_at=plan.sent_at)
    if plan.answered_at and plan.answered_at <= plan.due:
        row.status, row.closed_at = Deadline.Status.MET, plan.answered_at
    elif plan.answered_at:
        row.status, row.closed_at = Deadline.Status.MISSED, plan.due + datetime.timedelta(minutes=5)
    return row
