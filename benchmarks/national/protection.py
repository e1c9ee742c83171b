"""What the coordination report is made of beyond cases and referrals: protection orders
(with their events, violations and review/expiry deadlines), international cooperation
requests (with their answer deadlines) and coordination meetings."""

import datetime

from accounts.functions import AgencyKind as K, Function as F
from cases.models import Case, CooperationRequest as CR, CoordinationMeeting
from deadlines.models import Deadline
from protection.models import OrderEvent, ProtectionOrder, Violation
from victims.models import RiskAssessment

from .bulk import insert, insert_m2m_history
from .state import Plan

S = Case.Stage
D = Deadline.Kind
ORDER_KINDS = [("no_contact", 40), ("restraining", 25), ("protection", 20), ("bail_conditions", 10),
               ("witness_protection", 3), ("anonymity", 2)]
AUTHORITIES = {"RO": "Romanian Ministry of Justice", "BR": "Brazilian Ministry of Justice, DRCI",
               "NP": "Nepal Police, Central Investigation Bureau", "ES": "Spanish Ministry of Justice"}
EXPIRY = "The order expires: renew it or let it end"
ESCALATIONS = [("none", 30), ("police", 30), ("prosecutor", 30), ("court", 10)]
DECISIONS = ["Shelter keeps the victims; interpreters booked for the interviews.",
             "Financial investigation to follow the transfers abroad; the NGO accompanies the victims to court.",
             "Early testimony asked for before the victim's return home.",
             "Labour inspection of the company's other sites to be requested."]


def build(world, counts):
    counts["protection orders"], counts["violations"] = _orders(world)
    counts["cooperation requests"] = _cooperation(world)
    counts["meetings"] = _meetings(world)


def _court_of(world, case):
    return case.court or world.rng.choice(world.by_place[case.jur, K.COURT])


def _orders(world):
    rng = world.rng
    candidates = [v for v in world.victims if v.cases and v.cases[0].stage not in (S.INTAKE,)]
    chosen = rng.sample(candidates, min(len(candidates), world.sizes.protection_orders))
    plans, rows = [], []
    for victim in chosen:
        case = victim.cases[0]
        court = _court_of(world, case)
        recorder = world.person_of(court, F.COURT_CLERK, F.JUDGE)
        issued = world.between(case.opened_at, world.now).date()
        expires = issued + datetime.timedelta(days=rng.randint(180, 730)) if rng.random() < 0.8 else None
        status = ProtectionOrder.Status.ACTIVE
        if expires and expires < world.today:
            status = ProtectionOrder.Status.EXPIRED
        elif rng.random() < 0.08:
            status = ProtectionOrder.Status.REVOKED
        elif rng.random() < 0.1:
            status = ProtectionOrder.Status.VARIED
        review = world.day(rng.randint(1, 180)) if status in ProtectionOrder.IN_FORCE and rng.random() < 0.7 else None
        restrained = next((d.id for d in world.defendants.get(case.id, []) if d.natural), None)
        plans.append(Plan(case=case, victim=victim, court=court, issued=issued, expires=expires, review=review,
                          status=status, recorder=recorder))
        rows.append(ProtectionOrder(
            victim_id=victim.id, case_id=case.id, restrained_defendant_id=restrained, kind=world.weighted(ORDER_KINDS),
            issuing_court_id=court, court_reference=f"{rng.randint(100, 9999)}/{issued:%y}.{rng.randint(0, 9)}T",
            issued_on=issued, effective_from=issued, expires_on=expires, next_review_on=review,
            conditions="No contact with the victim by any means, through others or online; stay 300 m away.",
            status=status, recorded_by_id=recorder, created_at=world.at(issued, 11), version=1 + (status != "active")))
    for plan, order in zip(plans, insert(ProtectionOrder, rows)):
        plan.id = order.pk
    insert(OrderEvent, _order_events(world, plans))
    prosecutor = {}
    for plan in plans:
        prosecutor[plan.id] = plan.case.holder.get("prosecutor")
        _order_deadlines(world, plan, prosecutor[plan.id])
    violations = _violations(world, plans, prosecutor)
    return len(plans), violations


def _order_events(world, plans):
    for plan in plans:
        yield OrderEvent(order_id=plan.id, kind="issued", on=plan.issued, by_id=plan.recorder,
                         recorded_at=world.at(plan.issued, 11))
        if plan.status == "expired":
            yield OrderEvent(order_id=plan.id, kind="expired", on=plan.expires, by=None,
                             recorded_at=world.at(plan.expires, 1), details="Expired on its date.")
        elif plan.status in ("revoked", "varied"):
            on = world.between(plan.issued, world.today).date()
            yield OrderEvent(order_id=plan.id, kind=plan.status, on=on, by_id=plan.recorder,
                             recorded_at=world.at(on, 15), details="On the prosecution's application.")


def _order_deadlines(world, plan, prosecutor):
    """As deadlines.services.for_protection_order: review and expiry while in force; an expired
    order's expiry was reached (met); a revoked order's were withdrawn with it."""
    base = dict(protection_order_id=plan.id, victim_id=plan.victim.id, case_id=plan.case.id,
                responsible_user_id=prosecutor, responsible_agency_id=plan.court)
    if plan.status in ProtectionOrder.IN_FORCE:
        for kind, step, day, title in ((D.ORDER_REVIEW, "review", plan.review, "Review of the order"),
                                       (D.ORDER_EXPIRY, "expiry", plan.expires, EXPIRY)):
            if day:
                world.deadlines.append(Deadline(kind=kind, title=title, due_at=world.end_of_day(day),
                                                source_key=f"order:{plan.id}:{step}:{day:%Y%m%d}",
                                                created_at=world.at(plan.issued, 11), **base))
    elif plan.status == "expired":
        due = world.end_of_day(plan.expires)
        world.deadlines.append(Deadline(kind=D.ORDER_EXPIRY, title=EXPIRY, due_at=due,
                                        source_key=f"order:{plan.id}:expiry:{plan.expires:%Y%m%d}", status="met",
                                        closed_at=due + datetime.timedelta(minutes=5),
                                        created_at=world.at(plan.issued, 11), **base))


def _violations(world, plans, prosecutor):
    rng = world.rng
    chosen = [p for p in plans if rng.random() < 0.12]
    rows, kept = [], []
    for plan in chosen:
        end = min(world.now, world.at(plan.expires, 23)) if plan.expires else world.now
        occurred = world.between(world.at(plan.issued, 12), end)
        reported = min(occurred + datetime.timedelta(hours=rng.randint(1, 30)), world.now)
        reporter = world.person_of(plan.victim.supporter, F.CASEWORKER) if plan.victim.supporter else None
        reporter = reporter or world.person_of(plan.case.parts.get("investigating"), F.INVESTIGATOR)
        if reporter is None:
            continue
        rows.append(Violation(order_id=plan.id, occurred_at=occurred, reported_at=reported, reported_by_id=reporter,
                              description="Messages from a new number asking the victim not to testify.",
                              action_taken=world.weighted([("none_yet", 20), ("warning", 40), ("arrest", 15),
                                                           ("bail_revoked", 10), ("charged", 15)]),
                              escalation=world.weighted(ESCALATIONS)))
        kept.append(plan)
    assessments = []
    for plan, violation in zip(kept, insert(Violation, rows)):
        world.violations.append(Plan(id=violation.pk, order=plan, reported_at=violation.reported_at,
                                     prosecutor=prosecutor[plan.id]))
        due = violation.reported_at + datetime.timedelta(days=2)
        row = Deadline(kind=D.RISK_REASSESSMENT, title=f"Re-assess the risk to {plan.victim.code} after a violation "
                       "of the order", due_at=due, protection_order_id=plan.id, victim_id=plan.victim.id,
                       case_id=plan.case.id, responsible_agency_id=plan.victim.supporter,
                       source_key=f"violation:{violation.pk}:reassessment", created_at=violation.reported_at)
        if due < world.now:
            # Re-assessed in time: the completed assessment met the deadline [SPEC 2.6].
            row.status, row.closed_at = "met", violation.reported_at + datetime.timedelta(hours=rng.randint(2, 40))
            assessor = violation.reported_by_id
            assessments.append(RiskAssessment(
                victim_id=plan.victim.id, assessed_on=row.closed_at.date(), level=rng.choice(["high", "critical"]),
                threats_to_victim="The restrained person contacted the victim in breach of the order.",
                limits_of_protection_explained=True, completed=True, assessed_by_id=assessor,
                agency_id=world.user_agency[assessor]))
        world.deadlines.append(row)
    insert(RiskAssessment, assessments)
    return len(rows)


def _cooperation(world):
    rng = world.rng
    candidates = [c for c in world.cases if c.transnational and c.stage not in (S.INTAKE,)]
    wanted = min(len(candidates) * 2, world.sizes.cooperation_requests)
    rows, plans = [], []
    for case in (rng.choice(candidates) for _ in range(wanted)) if candidates else ():
        state = rng.choice(case.countries)
        outgoing = rng.random() < 0.8
        kind = world.weighted([("mla", 45), ("police", 25), ("jit", 5), ("extradition", 10), ("video_testimony", 10),
                               ("asset_recovery", 5)])
        status = world.weighted([("draft", 5), ("sent", 25), ("acknowledged", 20), ("executed", 30),
                                 ("partly_executed", 8), ("refused", 7), ("withdrawn", 5)])
        sent = None if status == "draft" else world.between(case.opened_at, world.now).date()
        due = sent + datetime.timedelta(days=rng.randint(30, 120)) if sent and rng.random() < 0.9 else None
        rows.append(CR(
            case_id=case.id, kind=kind, direction="outgoing" if outgoing else "incoming",
            requesting_state="PT" if outgoing else state, requested_state=state if outgoing else "PT",
            central_authority=AUTHORITIES.get(state, "Central authority of the requested state"), sent_on=sent,
            response_due_on=due, status=status, screened_on=(sent or world.today) - datetime.timedelta(days=2)
            if rng.random() < 0.8 else None, risk_unfair_trial=rng.random() < 0.03,
            screening_notes="Evidence only: no risk found." if rng.random() < 0.5 else "",
            refusal_reason="Dual criminality not established." if status == "refused" else "",
            follow_up=rng.choice(["pending", "prosecuted"]) if status == "refused" and kind == "extradition" else ""))
        plans.append(Plan(case=case, status=status, sent=sent, due=due, kind=kind))
    for plan, request in zip(plans, insert(CR, rows)):
        _cooperation_deadline(world, plan, request.pk)
    return len(rows)


def _cooperation_deadline(world, plan, pk):
    """As deadlines.services.for_cooperation_request."""
    if plan.status in ("withdrawn", "draft") or not plan.due:
        return
    due = world.end_of_day(plan.due)
    row = Deadline(kind=D.COOPERATION_RESPONSE, title=f"Answer to the {plan.kind.replace('_', ' ')} request",
                   due_at=due, cooperation_request_id=pk, case_id=plan.case.id,
                   responsible_user_id=plan.case.holder.get("prosecutor"),
                   responsible_agency_id=plan.case.parts.get("prosecuting"), source_key=f"cooperation:{pk}:response",
                   created_at=world.at(plan.sent, 10))
    if plan.status in ("executed", "partly_executed", "refused"):
        row.status, row.closed_at = "met", min(due, world.now) - datetime.timedelta(days=world.rng.randint(0, 20))
        row.closed_at = max(row.closed_at, row.created_at)
    world.deadlines.append(row)


def _meetings(world):
    rng = world.rng
    candidates = [c for c in world.cases if len(c.parts) >= 2 and c.stage != S.INTAKE]
    focal = world.agencies["pt-focal"].pk
    rows, attending = [], []
    for case in (rng.choice(candidates) for _ in range(world.sizes.meetings)) if candidates else ():
        held = world.between(case.opened_at, world.now).date()
        recorder = case.holder.get("prosecutor") or case.created_by
        following = held + datetime.timedelta(days=rng.randint(14, 60)) if rng.random() < 0.6 else None
        rows.append(CoordinationMeeting(case_id=case.id, held_on=held, decisions=rng.choice(DECISIONS),
                                        recorded_by_id=recorder, next_meeting_on=following))
        agencies = set(case.parts.values()) | ({focal} if rng.random() < 0.15 else set())
        attending.append(sorted(agencies))
    saved = insert(CoordinationMeeting, rows, when=lambda m: world.at(m.held_on, 18))
    through = CoordinationMeeting.agencies.through
    pairs = [(meeting.pk, agency) for meeting, agencies in zip(saved, attending) for agency in agencies]
    insert_m2m_history(CoordinationMeeting, "agencies",
                       insert(through, (through(coordinationmeeting_id=m, agency_id=a) for m, a in pairs)))
    return len(saved)
