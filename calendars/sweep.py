"""The deadline sweep [SPEC 2.7]: beat runs it every few minutes (settings.DEADLINE_SWEEP_MINUTES),
`manage.py run_deadline_sweep` runs it once.

It wakes only for the rows whose `next_notice_at` has come (calendars/notice_times.py): a
deadline or hearing reaching a reminder threshold, a deadline falling due, a failed item's
retry. Only the threshold an item stands at *now* is notified, so after downtime one catch-up
notice goes out per item, not one per missed threshold. Overdue deadlines are closed (missed)
and escalated to the supervisor and the focal point. Protection orders past their expiry date
become expired.

Exactly once: due rows are taken with SELECT ... FOR UPDATE SKIP LOCKED, so two sweeps never
handle the same row at once, and a unique constraint on (deadline or hearing, threshold,
recipient) makes a second notice impossible whatever runs twice.

In batches: what a batch's rows need (the people who answer for them, who of those may see
them, what was sent already) is read once for the batch, and what the sweep writes goes in a
few statements per batch. An item that fails is recorded alone and retried later with a
doubling backoff; if a batch's writes fail, its rows are done again one by one, each in a
savepoint of its own, so one bad item never holds back the others.
"""

import datetime
import logging
import traceback
from collections import Counter, defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, ngettext

from accounts import policy
from accounts.functions import Function
from accounts.models import User

from . import deadlines as deadline_services
from . import notice_times
from .models import Deadline, Hearing, Notification, SweepFailure, SweepRun
from .notice_times import OVERDUE, reminder_days, reschedule_all  # noqa: F401 (the sweep's vocabulary)

logger = logging.getLogger(__name__)
BATCH = 500
EVENTS = Deadline.EVENTS  # reached, not missed, when their date comes


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


def _when(dt):
    return date_format(timezone.localtime(dt), "Y-m-d H:i")


def _label(threshold):
    if threshold == OVERDUE:
        return _("Overdue")
    days = float(threshold[:-1])
    if days < 1:
        return _("Due within %(hours)d hours") % {"hours": round(days * 24)}
    return ngettext("Due within %(days)g day", "Due within %(days)g days", round(days)) % {"days": days}


def _active(users):
    return [user for user in users if user.is_active and (user.agency_id is None or user.agency.is_active)]


# --- What a batch needs, read once ----------------------------------------------------------

class Batch:
    """The rows of one batch and what handling them needs, each read in one query for all of
    them: the people who may answer for them and, per person, which of the batch's objects
    the access policy lets them see (one query per person and kind of object)."""

    def __init__(self, rows, people=None):
        self.rows = rows
        # One object per person for the whole sweep: the access policy keeps a person's
        # conditions on their object, so they are built once a sweep, not once a batch.
        self.people = {} if people is None else people
        self.objects = defaultdict(dict)  # model -> {pk: object} the batch may ask about
        for row in rows:
            self.objects[type(row)][row.pk] = row
            if getattr(row, "case_id", None):
                self.objects[type(row.case)][row.case_id] = row.case
        self._seen = {}
        self._read = {}

    def person(self, user):
        return self.people.setdefault(user.pk, user)

    def may_view(self, user, obj):
        user = self.person(user)
        key = (user.pk, type(obj))
        if key not in self._seen:
            candidates = type(obj).objects.filter(pk__in=list(self.objects[type(obj)]))
            self._seen[key] = set(policy.visible(user, candidates).values_list("pk", flat=True))
        return obj.pk in self._seen[key]

    def who_may_see(self, users, obj):
        return [user for user in _active(users) if self.may_view(user, obj)]

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
        from cases.models import CaseAssignment

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
        from victims.models import VictimSupport

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
        from victims.models import VictimCaseLink

        def load():
            cases = {row.case_id for row in self.rows if isinstance(row, Hearing)}
            linked = defaultdict(list)
            for case_id, victim_id in VictimCaseLink.objects.filter(case_id__in=cases).values_list("case_id",
                                                                                                   "victim_id"):
                linked[case_id].append(victim_id)
            return linked

        return self.read("case_victims", load)

    def team(self, case_id, roles):
        from cases.models import CaseAssignment

        def load():
            cases = {row.case_id for row in self.rows if isinstance(row, Hearing)}
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


def _batch_of(item):
    return getattr(item, "_sweep_batch", None) or Batch([item])


def _answering_agency(deadline):
    return deadline.responsible_user.agency if deadline.responsible_user_id else deadline.responsible_agency


# --- Recipients ---------------------------------------------------------------------------

def deadline_recipients(deadline):
    """Whoever answers for the deadline and may see it: the responsible person (while active);
    failing that, the responsible agency's people; failing that, the case's prosecutor or the
    victim's supporting NGO. A responsible person who can no longer see it (moved on, kept away
    from the case) passes it down the line rather than leave it unheard."""
    batch = _batch_of(deadline)
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


def escalation_recipients(deadline, already):
    """The responsible agency's supervisors and the focal points of its country."""
    agency = _answering_agency(deadline)
    if agency is None:
        return []
    supervisors, focal_points = _batch_of(deadline).escalation_people()
    chosen = {user.pk: user for user in [*supervisors.get(agency.pk, []), *focal_points.get(str(agency.country), [])]}
    excluded = {user.pk for user in already}
    return _active([user for pk, user in sorted(chosen.items()) if pk not in excluded])


def hearing_recipients(hearing):
    """The hearing's prosecutor and the case's (after a handover they differ until the hearing
    is updated), the victims' representatives on the case team and the caseworkers of the NGOs
    supporting the case's victims: whoever of them may see the hearing."""
    from cases.models import CaseAssignment

    batch = _batch_of(hearing)
    users = [hearing.prosecutor] if hearing.prosecutor_id else []
    users += batch.team(hearing.case_id, {CaseAssignment.TeamRole.PROSECUTOR,
                                          CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE})
    users += batch.caseworkers_supporting(batch.case_victims().get(hearing.case_id, []))
    unique = {user.pk: user for user in users}
    return batch.who_may_see(unique.values(), hearing)


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
        field = "deadline" if isinstance(about, Deadline) else "hearing"
        key = stamp(threshold, due_at)
        sent = _batch_of(about).sent(field)
        rows = [Notification(recipient=user, kind=kind, threshold=key, subject=subject[:200], body=body, url=url,
                             **{field: about})
                for user in users if (about.pk, key, user.pk) not in sent
                for subject, body, url in [message(user)]]
        self.notifications += rows
        self.counts[count] += len(rows)


def _deadline_message(deadline, heading):
    """(subject, body, url) for a user: the case is named and linked only for those who may see
    it (a deadline about an order or a referral can be seen by people who cannot see its case)."""
    body = _("%(what)s is due %(due)s.") % {"what": deadline.title, "due": _when(deadline.due_at)}
    batch = _batch_of(deadline)
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
    batch = _batch_of(deadline)

    unnamed = (_("Escalated: a deadline of %(agency)s was missed (%(kind)s)")
               % {"agency": agency, "kind": deadline.get_kind_display().lower()}, "", "")

    def escalation(user):
        return escalated(user) if batch.may_view(user, deadline) else unnamed

    plan.notify(escalation_recipients(deadline, recipients), about=deadline, threshold=threshold, due_at=due,
                kind=Notification.Kind.ESCALATION, message=escalation, count="escalations")
    plan.counts["missed"] += 1


def handle_hearing(hearing, now, plan):
    threshold = threshold_at(hearing.starts_at, now, settings.HEARING_REMINDER_DAYS)
    plan.next_notice[hearing.pk] = notice_times.after(notice_times.hearing_moments(hearing.starts_at), now)
    if threshold is None or threshold == OVERDUE:
        return
    # Whoever may see the hearing may see its case reference (the policy's hearing rule).
    subject = _("Hearing %(when)s: %(kind)s, %(case)s, %(place)s") % {
        "when": _when(hearing.starts_at), "kind": hearing.get_kind_display(), "case": hearing.case.reference,
        "place": hearing.place}
    plan.notify(hearing_recipients(hearing), about=hearing, threshold=threshold, due_at=hearing.starts_at,
                kind=Notification.Kind.HEARING_REMINDER,
                message=lambda user: (subject, subject, hearing.get_absolute_url()), count="hearing_reminders")


# --- The sweep ----------------------------------------------------------------------------

def _failed(item, exc, now, counts):
    field = "deadline" if isinstance(item, Deadline) else "hearing"
    failure = SweepFailure.objects.filter(**{field: item}).first() or SweepFailure(**{field: item}, attempts=0)
    failure.attempts += 1
    minutes = min(2 ** (failure.attempts - 1), settings.SWEEP_RETRY_MAX_MINUTES)
    failure.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    failure.failed_at, failure.retry_at = now, now + datetime.timedelta(minutes=minutes)
    failure.save()
    notice_times.advance(type(item), {item.pk: failure.retry_at})
    counts["failures"] += 1
    logger.exception("deadline sweep: %s %s failed (attempt %d)", field, item.pk, failure.attempts)


def _handle(rows, handle, now, counts, people=None):
    """Handle `rows` as one batch in a savepoint: plan each row (a row that fails is recorded
    alone), then write the plan. A database error undoes the whole batch and is raised."""
    batch = Batch(rows, people)
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


def _sweep(queryset, handle, now, counts):
    """Handle every row of `queryset` in batches, each batch one transaction holding its rows
    locked (rows another sweep holds are skipped). A batch that fails is done again row by
    row, each row in a savepoint of its own."""
    last, people = 0, {}
    while True:
        with transaction.atomic():
            rows = list(queryset.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk__gt=last).order_by("pk")[:BATCH])
            if rows:
                try:
                    _handle(rows, handle, now, counts, people)
                except Exception:
                    logger.warning("deadline sweep: a batch failed; doing its %d rows one by one", len(rows))
                    for row in rows:
                        try:
                            _handle([row], handle, now, counts, people)
                        except Exception as exc:
                            _failed(row, exc, now, counts)
        if len(rows) < BATCH:
            return
        last = rows[-1].pk


def due_deadlines(now):
    return (Deadline.objects.filter(next_notice_at__lte=now, status__in=Deadline.PENDING)
            .select_related("case", "victim", "responsible_user__agency", "responsible_agency"))


def coming_hearings(now):
    return (Hearing.objects.filter(next_notice_at__lte=now, status=Hearing.Status.SCHEDULED)
            .select_related("case", "court", "courtroom", "prosecutor__agency"))


def email_notifications(counts):
    """E-mail each notification not yet e-mailed to a recipient with an address, once, 500 at a
    time until none is left. A mail server that fails leaves the notice for the next sweep (it
    is in the inbox meanwhile)."""
    while True:
        with transaction.atomic():
            rows = list(Notification.objects.select_for_update(skip_locked=True, of=("self",))
                        .filter(emailed_at__isnull=True).select_related("recipient").order_by("pk")[:500])
            sent = []
            for notification in rows:
                address = notification.recipient.email
                if address:
                    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
                    try:
                        send_mail(notification.subject, "\n\n".join(filter(None, [notification.body, link])), None,
                                  [address])
                    except Exception:
                        logger.exception("deadline sweep: e-mailing notification %s failed", notification.pk)
                        counts["email_failures"] += 1
                        continue
                    counts["emailed"] += 1
                sent.append(notification.pk)
            # Notifications keep no history: one statement marks the batch.
            Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
        if len(rows) < 500 or len(sent) < len(rows):
            return


def run(*, now=None, trigger="beat"):
    """One sweep; returns its SweepRun (counts of what it did)."""
    from protection.services import expire_due

    now = now or timezone.now()
    record = SweepRun.objects.create(trigger=trigger)
    counts = Counter()
    try:
        counts["orders_expired"] = len(expire_due(timezone.localtime(now).date()))
        _sweep(due_deadlines(now), handle_deadline, now, counts)
        _sweep(coming_hearings(now), handle_hearing, now, counts)
        email_notifications(counts)
    except Exception:
        record.error = traceback.format_exc()[-4000:]
        raise
    finally:
        record.finished_at, record.counts = timezone.now(), dict(counts)
        record.save()
    return record
