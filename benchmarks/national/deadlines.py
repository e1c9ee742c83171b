"""Every kind of deadline, written together: those the other steps generated (referral
answers, orders, violations, cooperation requests), the stage time standards, detention
limits, reflection periods and permits generated here, and those people entered (statutory
and procedural) to make up the total.

Mostly met or missed in the past; the pending ones are either due for the sweep now (about
sizes.due_deadlines: overdue by at most two days, or a reminder threshold already reached) or
not due at all (their first reminder threshold still ahead). Generated ones carry the source
key deadlines.services makes for them."""

import datetime

from django.conf import settings

from cases import lifecycle
from cases.models import Case
from deadlines.models import Deadline

from .bulk import insert

S = Case.Stage
D = Deadline.Kind
GRACE = datetime.timedelta(days=2)  # overdue this long and still pending: the sweep has not come yet
ENTERED_TITLES = {
    D.INDICTMENT: ["Decide whether to indict", "Indictment of the recruiters"],
    D.DISCLOSURE: ["Disclose the wage records to the defence", "Disclose the phone-extraction report to the defence",
                   "Disclose the financial analysis to the defence"],
    D.APPEAL_WINDOW: ["Last day to appeal the judgment"],
    D.PROCEDURAL: ["Deliver the labour inspection report (agreed with the defence)", "Hand over the interpreter's "
                   "transcripts", "Answer the defence's request for documents"],
}
STAGE_KINDS = {S.INTAKE: [D.PROCEDURAL], S.INVESTIGATION: [D.INDICTMENT, D.PROCEDURAL], S.CHARGING: [D.INDICTMENT],
               S.PRE_TRIAL: [D.DISCLOSURE, D.PROCEDURAL], S.TRIAL: [D.DISCLOSURE, D.PROCEDURAL],
               S.JUDGMENT: [D.APPEAL_WINDOW], S.APPEAL: [D.PROCEDURAL], S.CLOSED: [D.APPEAL_WINDOW],
               S.CLOSED_NO_CHARGE: [D.PROCEDURAL]}


def lead(kind):
    """How long before it is due the sweep first looks at a deadline (its furthest reminder)."""
    days = settings.DEADLINE_REMINDER_DAYS
    return datetime.timedelta(days=max(days.get(kind, days["default"])))


def build(world, counts):
    _stage_standards(world)
    _detention_limits(world)
    _residence(world)
    hot = _settle(world)
    wanted = max(0, world.sizes.deadlines - len(world.deadlines))
    fill = min(wanted, max(0, world.sizes.due_deadlines - hot))
    world.deadlines += [_entered(world, "due") for _ in range(fill)]
    world.deadlines += [_entered(world, "pending" if world.chance(0.15) else "past") for _ in range(wanted - fill)]
    saved = insert(Deadline, world.deadlines, when=lambda d: d.created_at)
    world.deadlines = saved
    pending = [d for d in saved if d.status in Deadline.PENDING]
    counts["deadlines"] = len(saved)
    counts["pending"] = len(pending)
    counts["due for the sweep"] = sum(1 for d in pending if d.due_at - lead(d.kind) <= world.now)
    counts["met"] = sum(1 for d in saved if d.status == Deadline.Status.MET)
    counts["missed"] = sum(1 for d in saved if d.status == Deadline.Status.MISSED)


def _owner(case, stage):
    """Who answers for a stage's standard (as deadlines.services._stage_owner)."""
    police = (case.holder.get("lead_investigator"), case.parts.get("investigating"))
    prosecution = (case.holder.get("prosecutor"), case.parts.get("prosecuting"))
    first, second = (police, prosecution) if stage in (S.INTAKE, S.INVESTIGATION) else (prosecution, police)
    return first[0] or second[0], first[1] or second[1]


def _stage_standards(world):
    table = lifecycle.standards_table([j.pk for j in world.jurisdictions.values()])
    for case in world.cases:
        jurisdiction = world.jurisdictions[case.jur].pk
        for index, (stage, since) in enumerate(case.path):
            days = table.get((jurisdiction, stage)) or settings.CASE_STAGE_STANDARD_DAYS.get(stage)
            if days is None:
                continue
            days = days[1] if case.child else days[0]
            due = since + datetime.timedelta(days=days)
            user, agency = _owner(case, stage)
            row = Deadline(kind=D.STAGE_STANDARD, case_id=case.id, due_at=due, responsible_user_id=user,
                           responsible_agency_id=agency, created_at=since,
                           title=f"{Case.Stage(stage).label} within the time standard ({days} days)",
                           source_key=f"case:{case.id}:stage:{stage}:{since:%Y%m%dT%H%M%S%f}")
            left = case.path[index + 1][1] if index + 1 < len(case.path) else None
            if left is not None:
                late = due + datetime.timedelta(minutes=5)
                row.status, row.closed_at = ("met", left) if left <= due else ("missed", late)
            world.deadlines.append(row)


def _detention_limits(world):
    for defendants in world.defendants.values():
        for defendant in defendants:
            if defendant.custody != "pre_trial_detention" or not defendant.limit:
                continue
            case = defendant.case
            world.deadlines.append(Deadline(
                kind=D.PRE_TRIAL_DETENTION, title="Pre-trial detention limit of a defendant: indict or release",
                due_at=world.end_of_day(defendant.limit), case_id=case.id, defendant_id=defendant.id,
                responsible_user_id=case.holder.get("prosecutor"), responsible_agency_id=case.parts.get("prosecuting"),
                source_key=f"defendant:{defendant.id}:detention:{defendant.limit:%Y%m%d}",
                created_at=min(world.now, world.at(defendant.limit - datetime.timedelta(days=300), 10))))


def _residence(world):
    supporter = {v.id: v.supporter for v in world.victims}
    code = {v.id: v.code for v in world.victims}
    for period in world.reflection_periods:
        world.deadlines.append(Deadline(
            kind=D.REFLECTION_END, title=f"End of the reflection period of {code[period.victim_id]}",
            due_at=world.end_of_day(period.ends_on), victim_id=period.victim_id,
            responsible_agency_id=supporter[period.victim_id], source_key=f"reflection:{period.pk}:end",
            created_at=world.at(period.started_on, 12)))
    for permit in world.permits:
        row = Deadline(kind=D.PERMIT_EXPIRY, title=f"Residence permit of {code[permit.victim_id]} expires: renew it",
                       due_at=world.end_of_day(permit.expires_on), victim_id=permit.victim_id,
                       responsible_agency_id=supporter[permit.victim_id],
                       source_key=f"permit:{permit.pk}:expiry:{permit.expires_on:%Y%m%d}",
                       created_at=world.at(permit.issued_on, 12))
        if permit.status == "expired":
            row.status, row.closed_at = "met", row.due_at
        world.deadlines.append(row)


def _settle(world):
    """Pending deadlines long overdue were handled by the sweeps of the past (missed, or met for
    those that only mark a date); returns how many pending ones are due for the sweep now."""
    hot = 0
    for row in world.deadlines:
        if row.status not in Deadline.PENDING:
            continue
        if row.due_at < world.now - GRACE:
            row.status = Deadline.Status.MET if row.kind in Deadline.EVENTS else Deadline.Status.MISSED
            row.closed_at = row.due_at + datetime.timedelta(minutes=5)
        elif row.due_at - lead(row.kind) <= world.now:
            hot += 1
    return hot


def _entered(world, when):
    """A statutory or procedural deadline someone entered on a case: `due` now (overdue by at
    most two days or due within ten), `pending` (not due yet) or `past` (met or missed)."""
    rng = world.rng
    cases = world.cases
    if when == "past":
        case = rng.choice(cases)
        end = case.stage_entered_at if case.stage in (S.CLOSED, S.CLOSED_NO_CHARGE) else world.now - GRACE
        due = world.between(case.opened_at + datetime.timedelta(days=3), end)
    else:
        if world.active_cases is None:
            world.active_cases = [c for c in cases if c.stage not in (S.CLOSED, S.CLOSED_NO_CHARGE)]
            world.demo_cases = [c for c in world.active_cases if world.demo["prosecutor"].pk in c.holder.values()]
        active, mine = world.active_cases, world.demo_cases
        case = rng.choice(mine if mine and rng.random() < 0.03 else (active or cases))
        if when == "due":
            due = world.now + datetime.timedelta(minutes=rng.randint(-2 * 24 * 60, 10 * 24 * 60))
        else:
            due = world.now + lead(D.PROCEDURAL) + datetime.timedelta(days=rng.randint(2, 365))
    stage = next((name for name, since in reversed(case.path) if since <= due), S.INTAKE)
    kind = rng.choice(STAGE_KINDS[stage])
    user, agency = _owner(case, stage if kind == D.PROCEDURAL else S.CHARGING)
    due = due.replace(second=0)
    row = Deadline(kind=kind, title=rng.choice(ENTERED_TITLES[kind]), due_at=due, case_id=case.id,
                   responsible_user_id=user, responsible_agency_id=agency, created_by_id=user,
                   created_at=min(world.now, max(case.opened_at, due - datetime.timedelta(days=rng.randint(5, 90)))))
    if when == "past":
        if rng.random() < 0.85:
            row.status, row.closed_at = "met", max(row.created_at, due - datetime.timedelta(hours=rng.randint(1, 240)))
        else:
            row.status, row.closed_at = "missed", due + datetime.timedelta(minutes=5)
    elif when == "pending" and rng.random() < 0.15:
        row.status, row.original_due_at = Deadline.Status.EXTENDED, due - datetime.timedelta(days=rng.randint(20, 60))
        row.extension_reason = "Evidence requested abroad has not arrived; the court allowed more time."
    return row
