"""The deadline sweep [SPEC 2.7]: beat runs it every few minutes (settings.DEADLINE_SWEEP_MINUTES),
`manage.py run_deadline_sweep` runs it once.

It wakes only for the rows whose `next_notice_at` has come (deadlines/notice_times.py): a
deadline or hearing reaching a reminder threshold, a deadline falling due, a failed item's
retry. Only the threshold an item stands at *now* is notified, so after downtime one catch-up
notice goes out per item, not one per missed threshold. Overdue deadlines are closed (missed)
and escalated to the supervisor and the focal point. Protection orders past their expiry date
become expired.

Exactly once: due rows are taken with SELECT ... FOR UPDATE SKIP LOCKED, so two sweeps never
handle the same row at once, and a unique constraint on (deadline or hearing, threshold,
recipient) makes a second notice impossible whatever runs twice.

In batches: what a batch's rows need (the people who answer for them, what was sent already)
is read once for the batch, and what the sweep writes goes in a few statements per batch. Who
of those people may see which row is asked once a sweep per person (Reach): before the first
batch, a look-ahead names the rows each person will be asked about. An item that fails is
recorded alone and retried later with a doubling backoff; if a batch's writes fail, its rows
are done again one by one, each in a savepoint of its own, so one bad item never holds back
the others. The notifications are e-mailed by a task of their own (deadlines.mailing).
"""

import datetime
import logging
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, ngettext

import access
from accounts.functions import Function
from accounts.models import User
from cases.models import Case, CaseAssignment
from protection.services import expire_due
from victims.models import VictimCaseLink, VictimSupport

from . import notice_times
from . import services as deadline_services
from .models import Deadline, Notification, SweepFailure, SweepRun
from .notice_times import OVERDUE, reminder_days  # noqa: F401 (the sweep's vocabulary)

logger = logging.getLogger(__name__)
BATCH = 500
EVENTS = Deadline.EVENTS  # reached, not missed, when their date comes


@dataclass(frozen=True)
class Source:
    """Rows besides deadlines that the sweep reminds people of, declared by the app they belong
    to in its ready() (hearings: hearings.reminders): `model` carries next_notice_at
    (notice_times.KeepsNextNotice) and a foreign key of the same name on Notification and
    SweepFailure; `coming(now)` the rows whose moment has come; `people(row, batch, now)`
    everyone handling the row may ask the policy about; `handle(row, now, plan)` plans its
    notices and its next moment."""

    model: type
    coming: Callable
    people: Callable
    handle: Callable


SOURCES = []


def add_source(source):
    SOURCES.append(source)


def threshold_at(due_at, now, days):
    """The threshold an item due at `due_at` stands at `now`: "overdue", the nearest reminder
    threshold crossed ("7d", "0.5d"), or None before the first. Notifications record it with
    the due time (`stamp`), so a deadline extended or a hearing moved is reminded afresh."""
    if now >= due_at:
        return OVERDUE
    crossed = [d for d in days if now >= due_at - datetime.timedelta(days=d)]
    return f"{min(crossed):g}d" if crossed else None


def stamp(threshold, due_at):
    """What a notification's `threshold` holds: the threshold and the due time it was reached for."""
    return f"{threshold}@{due_at:%Y%m%d%H%M}"


def local_moment(dt):
    """A moment as notices write it, in the local time zone."""
    return date_format(timezone.localtime(dt), "Y-m-d H:i")


def _label(threshold):
    if threshold == OVERDUE:
        return _("Overdue")
    days = float(threshold[:-1])
    if days < 1:
        return _("Due within %(hours)d hours") % {"hours": round(days * 24)}
    return ngettext("Due within %(days)g day", "Due within %(days)g days", round(days)) % {"days": days}


def active(users):
    """Those of `users` who may still act: an active account of an open agency, or of none."""
    return [user for user in users if user.is_active and (user.agency_id is None or user.agency.is_active)]


# --- What a batch needs, read once ----------------------------------------------------------

class Reach:
    """What one sweep knows across its batches: one object per person (the access policy keeps
    a person's conditions on it) and, per person, which of the due rows the sweep will ask
    about them the policy lets them see, with, for each deadline they see, whether they may
    see its case: one query per person and kind of row for the whole sweep. What such a query
    costs is building the person's visible set, nearly whatever the number of rows it is asked
    about, so asking once a sweep instead of once a batch is what lets a sweep over ten
    thousand due rows finish in seconds; naming the rows keeps each query small.

    `look_ahead()` finds those rows before the first batch is handled, by reading the due rows
    (unlocked) batch by batch and asking the same functions the handling asks who could hear
    of each (`deadline_people`, each source's `people`). A question it did not foresee (a row that
    fell due meanwhile, a person who joined a team) is asked for its batch alone, as without
    a Reach; the batches' reads of who answers for what are kept for the handling to reuse."""

    def __init__(self, now):
        self.now = now
        self._looked_ahead = False
        self.people = {}
        self.reads = {}                  # (model, row pks) -> what the look-ahead read for that batch
        self._asked = defaultdict(set)   # (person pk, model) -> pks the sweep will ask about
        self._visible = {}               # (person pk, model) -> of those, the ones they may see
        self._cases = defaultdict(dict)  # person pk -> {case pk: may see it}, from the deadlines they see

    def person(self, user):
        return self.people.setdefault(user.pk, user)

    def expect(self, user, obj):
        self._asked[(self.person(user).pk, type(obj))].add(obj.pk)

    def covers(self, user, obj):
        return obj.pk in self._asked.get((user.pk, type(obj)), ())

    def sees(self, user, obj):
        model = type(obj)
        key = (user.pk, model)
        if key not in self._visible:
            rows = access.visible(user, model.objects.filter(pk__in=sorted(self._asked[key])))
            if model is Deadline:
                self._visible[key] = set()
                for pk, case_id, case_visible in deadline_services.with_case_visible(user, rows).values_list(
                        "pk", "case_id", "case_visible"):
                    self._visible[key].add(pk)
                    if case_id:
                        self._cases[user.pk][case_id] = case_visible
            else:
                self._visible[key] = set(rows.values_list("pk", flat=True))
        return obj.pk in self._visible[key]

    def sees_case(self, user, case):
        """Whether the person may see `case`, when a deadline of theirs on it told; else None."""
        return self._cases.get(user.pk, {}).get(case.pk)

    def look_ahead(self):
        """Once, when the first batch is handled (a sweep with nothing due reads nothing more)."""
        if self._looked_ahead:
            return
        self._looked_ahead = True
        reach, now = self, self.now
        for queryset, people in [(due_deadlines(now), deadline_people),
                                 *((source.coming(now), source.people) for source in SOURCES)]:
            last = 0
            while True:
                rows = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
                if not rows:
                    break
                batch = Batch(rows, reach)
                for row in rows:
                    for user in people(row, batch, now):
                        reach.expect(user, row)
                reach.reads[(type(rows[0]), tuple(row.pk for row in rows))] = batch.kept_reads()
                if len(rows) < BATCH:
                    break
                last = rows[-1].pk


class Batch:
    """The rows of one batch and what handling them needs, each read in one query for all of
    them: the people who may answer for them and, per person, which of the batch's objects
    the access policy lets them see (from the sweep's Reach, or for rows outside it one query
    per person and kind of object)."""

    def __init__(self, rows, reach=None):
        self.rows = rows
        self.reach = reach
        if reach is not None:
            reach.look_ahead()
        looked_ahead = reach.reads.get((type(rows[0]), tuple(row.pk for row in rows))) if reach and rows else None
        self.objects = defaultdict(dict)  # model -> {pk: object} the batch may ask about
        for row in rows:
            self.objects[type(row)][row.pk] = row
            if getattr(row, "case_id", None):
                self.objects[type(row.case)][row.case_id] = row.case
        self._people = {}
        self._seen = {}
        self._read = dict(looked_ahead or {})

    def person(self, user):
        return self.reach.person(user) if self.reach else self._people.setdefault(user.pk, user)

    def may_view(self, user, obj):
        user = self.person(user)
        if self.reach is not None:
            known = self.reach.sees_case(user, obj) if type(obj) is Case else None
            if known is not None:
                return known
            if self.reach.covers(user, obj):
                return self.reach.sees(user, obj)
        key = (user.pk, type(obj))
        if key not in self._seen:
            candidates = type(obj).objects.filter(pk__in=list(self.objects[type(obj)]))
            self._seen[key] = set(access.visible(user, candidates).values_list("pk", flat=True))
        return obj.pk in self._seen[key]

    def who_may_see(self, users, obj):
        return [user for user in active(users) if self.may_view(user, obj)]

    def kept_reads(self):
        """What this batch read that a later batch of the same rows may reuse."""
        return {name: value for name, value in self._read.items() if not name.startswith("sent-")}

    def read(self, name, load):
        """`load()` once per batch under `name` (what several rows share)."""
        if name not in self._read:
            self._read[name] = load()
        return self._read[name]

    def agency_people(self, agency_id):
        people = self.read("agency_people", lambda: _group_by(
            User.objects.filter(agency_id__in={row.responsible_agency_id for row in self.rows
                                               if getattr(row, "responsible_agency_id", None)})
            .select_related("agency").order_by("pk"), "agency_id"))
        return people.get(agency_id, [])

    def prosecutor(self, case_id):
        def load():
            holders = {}
            assignments = (CaseAssignment.objects.filter(
                case_id__in={row.case_id for row in self.rows if getattr(row, "case_id", None)}, ended_on__isnull=True,
                team_role=CaseAssignment.TeamRole.PROSECUTOR).select_related("user__agency")
                .order_by("case_id", "-started_on", "-id"))
            for assignment in assignments:
                holders.setdefault(assignment.case_id, assignment.user)  # the latest to take it up
            return holders

        return self.read("prosecutors", load).get(case_id)

    def caseworkers_supporting(self, victim_ids):
        """The caseworkers of the NGOs supporting any of `victim_ids` (within the batch's victims)."""
        def load():
            victims = {row.victim_id for row in self.rows if getattr(row, "victim_id", None)}
            victims |= set(self._hearing_victims())
            supports = VictimSupport.objects.filter(victim_id__in=victims, ended_on__isnull=True)
            agencies_of = defaultdict(set)
            for victim_id, agency_id in supports.values_list("victim_id", "agency_id"):
                agencies_of[victim_id].add(agency_id)
            agencies = set().union(*agencies_of.values()) if agencies_of else set()
            people = _group_by(User.objects.filter(agency_id__in=agencies, functions__contains=[Function.CASEWORKER])
                               .select_related("agency").order_by("pk"), "agency_id")
            return agencies_of, people

        agencies_of, people = self.read("caseworkers", load)
        agencies = set().union(*(agencies_of.get(victim_id, set()) for victim_id in victim_ids))
        return [user for agency_id in sorted(agencies) for user in people.get(agency_id, [])]

    def _hearing_victims(self):
        return [victim_id for victim_ids in self.case_victims().values() for victim_id in victim_ids]

    def case_victims(self):
        def load():
            cases = {row.case_id for row in self.rows if not isinstance(row, Deadline)}
            linked = defaultdict(list)
            for case_id, victim_id in VictimCaseLink.objects.filter(case_id__in=cases).values_list("case_id",
                                                                                                   "victim_id"):
                linked[case_id].append(victim_id)
            return linked

        return self.read("case_victims", load)

    def team(self, case_id, roles):
        def load():
            cases = {row.case_id for row in self.rows if not isinstance(row, Deadline)}
            members = defaultdict(list)
            for assignment in (CaseAssignment.objects.filter(case_id__in=cases, ended_on__isnull=True)
                               .select_related("user__agency").order_by("pk")):
                members[assignment.case_id].append(assignment)
            return members

        return [a.user for a in self.read("teams", load).get(case_id, []) if a.team_role in roles]

    def escalation_people(self):
        """Per agency the supervisors, per country the focal points, of the batch's agencies."""
        def load():
            agencies = {_answering_agency(row) for row in self.rows if isinstance(row, Deadline)} - {None}
            users = (User.objects.filter(
                Q(agency__in=agencies, functions__contains=[Function.SUPERVISOR])
                | Q(agency__country__in={agency.country for agency in agencies},
                    functions__contains=[Function.FOCAL_POINT]))
                .select_related("agency").order_by("pk"))
            supervisors, focal_points = defaultdict(list), defaultdict(list)
            for user in users:
                if Function.SUPERVISOR in user.functions:
                    supervisors[user.agency_id].append(user)
                if Function.FOCAL_POINT in user.functions:
                    focal_points[str(user.agency.country)].append(user)
            return supervisors, focal_points

        return self.read("escalation", load)

    def sent(self, field):
        """(item pk, threshold, recipient pk) of the notifications already sent about the batch."""
        return self.read(f"sent-{field}", lambda: set(Notification.objects.filter(
            **{f"{field}__in": [row.pk for row in self.rows]}).values_list(f"{field}_id", "threshold", "recipient_id")))


def _group_by(users, attribute):
    grouped = defaultdict(list)
    for user in users:
        grouped[getattr(user, attribute)].append(user)
    return grouped


def batch_of(item):
    """The batch an item is handled in (a batch of its own when handled alone)."""
    return getattr(item, "_sweep_batch", None) or Batch([item])


def _answering_agency(deadline):
    return deadline.responsible_user.agency if deadline.responsible_user_id else deadline.responsible_agency


# --- Recipients ---------------------------------------------------------------------------

def deadline_recipients(deadline):
    """Whoever answers for the deadline and may see it: the responsible person (while active);
    failing that, the responsible agency's people; failing that, the case's prosecutor or the
    victim's supporting NGO. A responsible person who can no longer see it (moved on, kept away
    from the case) passes it down the line rather than leave it unheard."""
    batch = batch_of(deadline)
    for users in _answerable(deadline, batch):
        allowed = batch.who_may_see(users, deadline)
        if allowed:
            return allowed
    return []


def _answerable(deadline, batch):
    if deadline.responsible_user_id:
        yield [deadline.responsible_user]
    if deadline.responsible_agency_id:
        yield batch.agency_people(deadline.responsible_agency_id)
    if deadline.case_id:
        prosecutor = batch.prosecutor(deadline.case_id)
        yield [prosecutor] if prosecutor else []
    if deadline.victim_id:
        yield batch.caseworkers_supporting([deadline.victim_id])


def deadline_people(deadline, batch, now):
    """Whom the handling of `deadline` at `now` will ask the policy about: the first level of
    those who answer for it that has anyone active (a level further down is asked only when
    nobody there may see it, which is rare: then for its batch alone) and, when it is missed
    now, those it is escalated to."""
    threshold = threshold_at(deadline.due_at, now, reminder_days(deadline.kind))
    if threshold is None:
        return []
    deadline._sweep_batch = batch
    people = next((able for users in _answerable(deadline, batch) for able in [active(users)] if able), [])
    if threshold == OVERDUE and deadline.kind not in EVENTS:
        people += escalation_recipients(deadline, [])
    return people


def escalation_recipients(deadline, already):
    """The responsible agency's supervisors and the focal points of its country."""
    agency = _answering_agency(deadline)
    if agency is None:
        return []
    supervisors, focal_points = batch_of(deadline).escalation_people()
    chosen = {user.pk: user for user in [*supervisors.get(agency.pk, []), *focal_points.get(str(agency.country), [])]}
    excluded = {user.pk for user in already}
    return active([user for pk, user in sorted(chosen.items()) if pk not in excluded])


# --- Notifying ----------------------------------------------------------------------------

class Plan:
    """What handling one batch writes, gathered row by row and written at the end."""

    def __init__(self, counts):
        self.counts = counts
        self.notifications = []
        self.closed = []          # deadlines met or missed now
        self.next_notice = {}     # pk -> when the sweep looks at it next

    def notify(self, users, *, about, threshold, due_at, kind, message, count):
        """One notification per user for (item, threshold reached for `due_at`), unless sent
        before; `message(user)` gives (subject, body, url) as that user may read them."""
        field = type(about)._meta.model_name  # the notification's foreign key to it
        key = stamp(threshold, due_at)
        sent = batch_of(about).sent(field)
        rows = [Notification(recipient=user, kind=kind, threshold=key, subject=subject[:200], body=body, url=url,
                             **{field: about})
                for user in users if (about.pk, key, user.pk) not in sent
                for subject, body, url in [message(user)]]
        self.notifications += rows
        self.counts[count] += len(rows)


def _deadline_message(deadline, heading):
    """(subject, body, url) for a user: the case is named and linked only for those who may see
    it (a deadline about an order or a referral can be seen by people who cannot see its case)."""
    body = _("%(what)s is due %(due)s.") % {"what": deadline.title, "due": local_moment(deadline.due_at)}
    batch = batch_of(deadline)
    unnamed = (f"{heading}: {deadline.title}", body, "")
    if not deadline.case_id:
        return lambda user: unnamed
    named = (f"{heading}: {deadline.title} ({deadline.case.reference})", body, deadline.case.get_absolute_url())
    return lambda user: named if batch.may_view(user, deadline.case) else unnamed


def handle_deadline(deadline, now, plan):
    days = reminder_days(deadline.kind)
    threshold = threshold_at(deadline.due_at, now, days)
    plan.next_notice[deadline.pk] = notice_times.after(notice_times.deadline_moments(deadline.due_at, deadline.kind),
                                                       now)
    if threshold is None:
        return
    recipients = deadline_recipients(deadline)
    due = deadline.due_at
    if threshold != OVERDUE:
        plan.notify(recipients, about=deadline, threshold=threshold, due_at=due,
                    kind=Notification.Kind.DEADLINE_REMINDER, message=_deadline_message(deadline, _label(threshold)),
                    count="reminders")
        return
    plan.next_notice[deadline.pk] = None
    plan.closed.append(deadline)
    if deadline.kind in EVENTS:
        plan.notify(recipients, about=deadline, threshold=threshold, due_at=due,
                    kind=Notification.Kind.DEADLINE_OVERDUE, message=_deadline_message(deadline, _("Reached")),
                    count="overdue")
        return
    plan.notify(recipients, about=deadline, threshold=threshold, due_at=due, kind=Notification.Kind.DEADLINE_OVERDUE,
                message=_deadline_message(deadline, _label(threshold)), count="overdue")
    # Those above the responsible person hear of it; someone who may not see the deadline
    # learns only that one of the agency's deadlines was missed, not which.
    escalated = _deadline_message(deadline, _("Escalated: %(s)s") % {"s": _label(threshold)})
    agency = _answering_agency(deadline)
    batch = batch_of(deadline)

    unnamed = (_("Escalated: a deadline of %(agency)s was missed (%(kind)s)")
               % {"agency": agency, "kind": deadline.get_kind_display().lower()}, "", "")

    def escalation(user):
        return escalated(user) if batch.may_view(user, deadline) else unnamed

    plan.notify(escalation_recipients(deadline, recipients), about=deadline, threshold=threshold, due_at=due,
                kind=Notification.Kind.ESCALATION, message=escalation, count="escalations")
    plan.counts["missed"] += 1


# --- The sweep ----------------------------------------------------------------------------

def _failed(item, exc, now, counts):
    field = type(item)._meta.model_name
    failure = SweepFailure.objects.filter(**{field: item}).first() or SweepFailure(**{field: item}, attempts=0)
    failure.attempts += 1
    minutes = min(2 ** (failure.attempts - 1), settings.SWEEP_RETRY_MAX_MINUTES)
    failure.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    failure.failed_at, failure.retry_at = now, now + datetime.timedelta(minutes=minutes)
    failure.save()
    notice_times.advance(type(item), {item.pk: failure.retry_at})
    counts["failures"] += 1
    logger.exception("deadline sweep: %s %s failed (attempt %d)", field, item.pk, failure.attempts)


def _handle(rows, handle, now, counts, reach=None):
    """Handle `rows` as one batch in a savepoint: plan each row (a row that fails is recorded
    alone), then write the plan. A database error undoes the whole batch and is raised."""
    batch = Batch(rows, reach)
    plan, done, failed = Plan(Counter()), [], []
    model = type(rows[0])
    with transaction.atomic():
        for row in rows:
            row._sweep_batch = batch
            try:
                handle(row, now, plan)
                done.append(row)
            except DatabaseError:
                raise
            except Exception as exc:  # one bad item must not stop the others
                failed.append((row, exc))
        Notification.objects.bulk_create(plan.notifications, ignore_conflicts=True)
        if plan.closed:
            deadline_services.mark_passed(plan.closed, when=now)
        notice_times.advance(model, {row.pk: plan.next_notice.get(row.pk) for row in done})
        SweepFailure.objects.filter(**{f"{model._meta.model_name}__in": done}).delete()
    counts.update(plan.counts)
    for row, exc in failed:
        _failed(row, exc, now, counts)


def _sweep(queryset, handle, now, counts, reach=None):
    """Handle every row of `queryset` in batches, each batch one transaction holding its rows
    locked (rows another sweep holds are skipped). A batch that fails is done again row by
    row, each row in a savepoint of its own."""
    last = 0
    while True:
        with transaction.atomic():
            rows = list(queryset.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk__gt=last).order_by("pk")[:BATCH])
            if rows:
                try:
                    _handle(rows, handle, now, counts, reach)
                except Exception:
                    logger.warning("deadline sweep: a batch failed; doing its %d rows one by one", len(rows))
                    for row in rows:
                        try:
                            _handle([row], handle, now, counts, reach)
                        except Exception as exc:
                            _failed(row, exc, now, counts)
        if len(rows) < BATCH:
            return
        last = rows[-1].pk


def _due_deadlines(now):
    return Deadline.objects.filter(next_notice_at__lte=now, status__in=Deadline.PENDING)


def due_deadlines(now):
    return _due_deadlines(now).select_related("case", "victim", "responsible_user__agency", "responsible_agency")


def reschedule_all():
    """Every deadline's and hearing's next moment set afresh from its data (see
    notice_times.reschedule_all): after a bulk load, or when the reminder settings change."""
    notice_times.reschedule_all(Deadline, *(source.model for source in SOURCES))


def run(*, now=None, trigger="beat"):
    """One sweep; returns its SweepRun (counts of what it did). The notifications it records
    are e-mailed by deadlines.mailing, a task of its own: a slow mail server never holds up
    the sweep or the rows it locks."""
    now = now or timezone.now()
    record = SweepRun.objects.create(trigger=trigger)
    counts = Counter()
    try:
        counts["orders_expired"] = len(expire_due(timezone.localtime(now).date()))
        reach = Reach(now)
        _sweep(due_deadlines(now), handle_deadline, now, counts, reach)
        for source in SOURCES:
            _sweep(source.coming(now), source.handle, now, counts, reach)
    except Exception:
        record.error = traceback.format_exc()[-4000:]
        raise
    finally:
        record.finished_at, record.counts = timezone.now(), dict(counts)
        record.save()
    return record
