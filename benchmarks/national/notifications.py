"""Notifications the sweeps of the past sent: reminders at each threshold a met or missed
deadline crossed, the overdue notice and its escalation, hearing reminders and violation
alerts. Each has the threshold stamp deadlines.sweep writes, so the unique constraints hold
and the sweep never sends them again; pending deadlines have none yet (the sweep's work)."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.urls import reverse

from accounts.functions import Function as F
from deadlines.models import Deadline, Notification

from .bulk import insert

N = Notification.Kind
MARK = 987654321


def _url(name):
    template = reverse(name, args=[MARK])
    return lambda pk: template.replace(str(MARK), str(pk))


def _stamp(threshold, due):
    return f"{threshold}@{due:%Y%m%d%H%M}"


def _label(days):
    if days < 1:
        return f"Due within {round(days * 24)} hours"
    return f"Due within {days:g} day{'s' if days != 1 else ''}"


def build(world, counts):
    target = world.sizes.notifications
    rows = []
    rows += _violations(world, target // 20)
    rows += _hearings(world, target // 5)
    rows += _deadlines(world, target - len(rows))
    counts["notifications"] = len(insert(Notification, rows))
    counts["unread"] = sum(1 for row in rows if row.read_at is None)


def _state(world, row, created):
    created = min(created, world.now)
    row.created_at, row.emailed_at = created, created + datetime.timedelta(minutes=1)
    recent = world.now - created < datetime.timedelta(days=21)
    row.read_at = None if recent and world.chance(0.6) else min(world.now, created + datetime.timedelta(
        hours=world.rng.randint(1, 72)))
    return row


def _violations(world, limit):
    rows = []
    caseworkers = {}
    for violation in world.violations:
        if len(rows) >= limit:
            break
        order = violation.order
        supporter = order.victim.supporter
        if supporter not in caseworkers:
            caseworkers[supporter] = world.staff[supporter].get(F.CASEWORKER, [])[:2] if supporter else []
        for user in {violation.prosecutor, *caseworkers[supporter]} - {None}:
            rows.append(_state(world, Notification(
                recipient_id=user, kind=N.VIOLATION, violation_id=violation.id, url=_order_url(order.id),
                subject=f"Protection order violated: {order.case.reference}"), violation.reported_at))
    return rows


_URLS = {}


def _order_url(pk):
    if "order" not in _URLS:
        _URLS["order"] = _url("protection-order-detail")
    return _URLS["order"](pk)


def _hearings(world, limit):
    hearing_url = _url("hearing-detail")
    days = sorted(settings.HEARING_REMINDER_DAYS, reverse=True)
    rows = []
    past = [h for h in world.hearings if h.starts_at < world.now and h.prosecutor and h.status in ("held", "adjourned")]
    for hearing in world.rng.sample(past, min(len(past), limit // max(1, len(days)))):
        kind = hearing.kind.replace("_", " ")
        subject = f"Hearing {hearing.starts_at:%Y-%m-%d %H:%M}: {kind}, {hearing.case.reference}"
        for day in days:
            rows.append(_state(world, Notification(
                recipient_id=hearing.prosecutor, kind=N.HEARING_REMINDER, hearing_id=hearing.id,
                threshold=_stamp(f"{day:g}d", hearing.starts_at), subject=subject[:200], body=subject,
                url=hearing_url(hearing.id)), hearing.starts_at - datetime.timedelta(days=day)))
    return rows


def _deadlines(world, limit):
    """Reminders, overdue notices and escalations of closed deadlines, until `limit`."""
    rng = world.rng
    case_url = _url("case-detail")
    reference = {c.id: c.reference for c in world.cases}
    # Escalations go to the responsible agency's supervisors and the country's focal points
    # (one national one and the demo's, so the demo logins hold theirs).
    supervisors = defaultdict(list)
    for agency, people in world.staff.items():
        supervisors[agency] = people.get(F.SUPERVISOR, [])[:1]
    supervisors[world.demo["supervisor"].agency_id].append(world.demo["supervisor"].pk)
    focal = world.staff[world.agencies["pt-focal"].pk].get(F.FOCAL_POINT, [])[:1] + [world.demo["focalpoint"].pk]
    restricted = {c.id for c in world.cases if c.restricted}
    agency_name = {a.pk: a.name for a in world.agencies.values()}
    closed = [d for d in world.deadlines if d.status in (Deadline.Status.MET, Deadline.Status.MISSED)
              and d.responsible_user_id]
    rng.shuffle(closed)
    rows = []
    for deadline in closed:
        if len(rows) >= limit:
            break
        days = settings.DEADLINE_REMINDER_DAYS.get(deadline.kind, settings.DEADLINE_REMINDER_DAYS["default"])
        ref = reference.get(deadline.case_id)
        where = f" ({ref})" if ref else ""
        url = case_url(deadline.case_id) if ref else ""
        body = f"{deadline.title} is due {deadline.due_at:%Y-%m-%d %H:%M}."
        for day in sorted(days, reverse=True):
            moment = deadline.due_at - datetime.timedelta(days=day)
            if moment < deadline.closed_at and moment >= deadline.created_at:
                rows.append(_state(world, Notification(
                    recipient_id=deadline.responsible_user_id, kind=N.DEADLINE_REMINDER, deadline_id=deadline.pk,
                    threshold=_stamp(f"{day:g}d", deadline.due_at),
                    subject=f"{_label(day)}: {deadline.title}{where}"[:200],
                    body=body, url=url), moment + datetime.timedelta(minutes=rng.randint(1, 5))))
        if deadline.status == Deadline.Status.MISSED:
            stamp = _stamp("overdue", deadline.due_at)
            rows.append(_state(world, Notification(
                recipient_id=deadline.responsible_user_id, kind=N.DEADLINE_OVERDUE, deadline_id=deadline.pk,
                threshold=stamp, subject=f"Overdue: {deadline.title}{where}"[:200], body=body, url=url),
                deadline.closed_at))
            agency = world.user_agency.get(deadline.responsible_user_id)
            # The focal points hear of a quarter of them (the escalation rules changed over the years).
            focal_now = focal if rng.random() < 0.25 else []
            for user in {*supervisors.get(agency, []), *focal_now} - {deadline.responsible_user_id}:
                # Whoever may not see the deadline learns only that one of the agency's was missed.
                blind = user in focal or deadline.case_id in restricted or not ref
                subject = f"Escalated: Overdue: {deadline.title}{where}"
                if blind:
                    subject = (f"Escalated: a deadline of {agency_name.get(agency, 'an agency')} was missed "
                               f"({deadline.get_kind_display().lower()})")
                rows.append(_state(world, Notification(
                    recipient_id=user, kind=N.ESCALATION, deadline_id=deadline.pk, threshold=stamp,
                    subject=subject[:200], body="" if blind else body, url="" if blind else url),
                    deadline.closed_at))
    return rows[:limit]
