"""The deadline sweep [SPEC 2.7]: beat runs it every few minutes (settings.DEADLINE_SWEEP_MINUTES),
`manage.py run_deadline_sweep` runs it once.

Each pending deadline and each coming hearing is looked at against its reminder thresholds
(settings.DEADLINE_REMINDER_DAYS, HEARING_REMINDER_DAYS). Only the threshold the item stands at
*now* is notified, so after downtime one catch-up notice goes out per item, not one per missed
threshold. Overdue deadlines are closed (missed) and escalated to the supervisor and the focal
point. Protection orders past their expiry date become expired.

Exactly once: due rows are taken with SELECT ... FOR UPDATE SKIP LOCKED, so two sweeps never
handle the same row at once, and a unique constraint on (deadline or hearing, threshold,
recipient) makes a second notice impossible whatever runs twice. A failing item is rolled back
alone (a savepoint), its error recorded and retried later with a doubling backoff.
"""

import datetime
import logging
import traceback
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _, ngettext

from accounts import policy
from accounts.functions import Function
from accounts.models import User

from . import deadlines as deadline_services
from .models import Deadline, Hearing, Notification, SweepFailure, SweepRun

logger = logging.getLogger(__name__)
BATCH = 100
OVERDUE = "overdue"
# Deadlines that mark a date rather than a task: when the date comes they are done, not missed
# (an order's expiry is acted on by the sweep itself: the order becomes expired).
EVENTS = (Deadline.Kind.REFLECTION_END, Deadline.Kind.ORDER_EXPIRY)


def reminder_days(kind):
    days = settings.DEADLINE_REMINDER_DAYS
    return tuple(days.get(kind, days["default"]))


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


def _who_may_see(users, obj):
    return [user for user in _active(users) if policy.can(user, "view", obj)]


# --- Recipients ---------------------------------------------------------------------------

def deadline_recipients(deadline):
    """Whoever answers for the deadline and may see it: the responsible person (while active);
    failing that, the responsible agency's people; failing that, the case's prosecutor or the
    victim's supporting NGO. A responsible person who can no longer see it (moved on, kept away
    from the case) passes it down the line rather than leave it unheard."""
    for users in _answerable(deadline):
        allowed = _who_may_see(users, deadline)
        if allowed:
            return allowed
    return []


def _answerable(deadline):
    if deadline.responsible_user_id:
        yield [deadline.responsible_user]
    if deadline.responsible_agency_id:
        yield User.objects.filter(agency_id=deadline.responsible_agency_id).select_related("agency")
    if deadline.case_id:
        prosecutor = deadline_services.current_prosecutor(deadline.case)
        yield [prosecutor] if prosecutor else []
    if deadline.victim_id:
        agencies = deadline.victim.supports.filter(ended_on__isnull=True).values("agency")
        yield User.objects.filter(agency__in=agencies, functions__contains=[Function.CASEWORKER]).select_related("agency")


def escalation_recipients(deadline, already):
    """The responsible agency's supervisors and the focal points of its country."""
    agency = deadline.responsible_user.agency if deadline.responsible_user_id else deadline.responsible_agency
    if agency is None:
        return []
    users = User.objects.filter(
        Q(agency=agency, functions__contains=[Function.SUPERVISOR])
        | Q(agency__country=agency.country, functions__contains=[Function.FOCAL_POINT])
    ).select_related("agency").exclude(pk__in=[user.pk for user in already])
    return _active(users)


def hearing_recipients(hearing):
    """The hearing's prosecutor and the case's (after a handover they differ until the hearing
    is updated), the victims' representatives on the case team and the caseworkers of the NGOs
    supporting the case's victims: whoever of them may see the hearing."""
    from cases.models import CaseAssignment
    from victims.models import VictimSupport

    users = [hearing.prosecutor] if hearing.prosecutor_id else []
    roles = [CaseAssignment.TeamRole.PROSECUTOR, CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE]
    users += [a.user for a in CaseAssignment.objects.filter(
        case_id=hearing.case_id, ended_on__isnull=True, team_role__in=roles).select_related("user__agency")]
    agencies = VictimSupport.objects.filter(victim__case_links__case_id=hearing.case_id,
                                            ended_on__isnull=True).values("agency")
    users += list(User.objects.filter(agency__in=agencies, functions__contains=[Function.CASEWORKER])
                  .select_related("agency"))
    unique = {user.pk: user for user in users}
    return _who_may_see(unique.values(), hearing)


# --- Notifying ----------------------------------------------------------------------------

def _notify(users, *, about, threshold, due_at, kind, message):
    """One notification per user for (item, threshold reached for `due_at`); the unique
    constraint makes a second impossible, so racing sweeps add nothing. `message(user)` gives
    (subject, body, url) as that user may read them. Returns how many were new."""
    field = "deadline" if isinstance(about, Deadline) else "hearing"
    key = stamp(threshold, due_at)
    already = set(Notification.objects.filter(**{field: about}, threshold=key).values_list("recipient_id", flat=True))
    rows = []
    for user in users:
        if user.pk in already:
            continue
        subject, body, url = message(user)
        rows.append(Notification(recipient=user, kind=kind, threshold=key, subject=subject[:200], body=body, url=url,
                                 **{field: about}))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _deadline_message(deadline, heading):
    """(subject, body, url) for a user: the case is named and linked only for those who may see
    it (a deadline about an order or a referral can be seen by people who cannot see its case)."""
    body = _("%(what)s is due %(due)s.") % {"what": deadline.title, "due": _when(deadline.due_at)}

    def message(user):
        if deadline.case_id and policy.can(user, "view", deadline.case):
            return (f"{heading}: {deadline.title} ({deadline.case.reference})", body,
                    deadline.case.get_absolute_url())
        return f"{heading}: {deadline.title}", body, ""

    return message


def handle_deadline(deadline, now, counts):
    threshold = threshold_at(deadline.due_at, now, reminder_days(deadline.kind))
    if threshold is None:
        return
    recipients = deadline_recipients(deadline)
    due = deadline.due_at
    if threshold != OVERDUE:
        counts["reminders"] += _notify(recipients, about=deadline, threshold=threshold, due_at=due,
                                       kind=Notification.Kind.DEADLINE_REMINDER,
                                       message=_deadline_message(deadline, _label(threshold)))
        return
    if deadline.kind in EVENTS:
        counts["overdue"] += _notify(recipients, about=deadline, threshold=threshold, due_at=due,
                                     kind=Notification.Kind.DEADLINE_OVERDUE,
                                     message=_deadline_message(deadline, _("Reached")))
        deadline.status, deadline.closed_at = Deadline.Status.MET, now
        deadline.save()
        return
    counts["overdue"] += _notify(recipients, about=deadline, threshold=threshold, due_at=due,
                                 kind=Notification.Kind.DEADLINE_OVERDUE,
                                 message=_deadline_message(deadline, _label(threshold)))
    # Those above the responsible person hear of it; someone who may not see the deadline
    # learns only that one of the agency's deadlines was missed, not which.
    escalated = _deadline_message(deadline, _("Escalated: %(s)s") % {"s": _label(threshold)})
    agency = deadline.responsible_user.agency if deadline.responsible_user_id else deadline.responsible_agency

    def escalation(user):
        if policy.can(user, "view", deadline):
            return escalated(user)
        return (_("Escalated: a deadline of %(agency)s was missed (%(kind)s)")
                % {"agency": agency, "kind": deadline.get_kind_display().lower()}, "", "")

    counts["escalations"] += _notify(escalation_recipients(deadline, recipients), about=deadline,
                                     threshold=threshold, due_at=due, kind=Notification.Kind.ESCALATION,
                                     message=escalation)
    deadline_services.mark_missed(deadline, when=now)
    counts["missed"] += 1


def handle_hearing(hearing, now, counts):
    threshold = threshold_at(hearing.starts_at, now, settings.HEARING_REMINDER_DAYS)
    if threshold is None or threshold == OVERDUE:
        return
    # Whoever may see the hearing may see its case reference (the policy's hearing rule).
    subject = _("Hearing %(when)s: %(kind)s, %(case)s, %(place)s") % {
        "when": _when(hearing.starts_at), "kind": hearing.get_kind_display(), "case": hearing.case.reference,
        "place": hearing.place}
    counts["hearing_reminders"] += _notify(
        hearing_recipients(hearing), about=hearing, threshold=threshold, due_at=hearing.starts_at,
        kind=Notification.Kind.HEARING_REMINDER, message=lambda user: (subject, subject, hearing.get_absolute_url()))


# --- The sweep ----------------------------------------------------------------------------

def _failed(item, exc, now, counts):
    field = "deadline" if isinstance(item, Deadline) else "hearing"
    failure = SweepFailure.objects.filter(**{field: item}).first() or SweepFailure(**{field: item}, attempts=0)
    failure.attempts += 1
    minutes = min(2 ** (failure.attempts - 1), settings.SWEEP_RETRY_MAX_MINUTES)
    failure.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    failure.failed_at, failure.retry_at = now, now + datetime.timedelta(minutes=minutes)
    failure.save()
    counts["failures"] += 1
    logger.exception("deadline sweep: %s %s failed (attempt %d)", field, item.pk, failure.attempts)


def _sweep(queryset, handle, now, counts):
    """Handle every row of `queryset` in batches, each batch one transaction holding its rows
    locked (rows another sweep holds are skipped), each row in a savepoint of its own."""
    last = 0
    while True:
        with transaction.atomic():
            rows = list(queryset.select_for_update(skip_locked=True, of=("self",))
                        .filter(pk__gt=last).order_by("pk")[:BATCH])
            for row in rows:
                try:
                    with transaction.atomic():
                        handle(row, now, counts)
                        SweepFailure.objects.filter(**{row._meta.model_name: row}).delete()
                except Exception as exc:  # one bad item must not stop the others
                    _failed(row, exc, now, counts)
        if len(rows) < BATCH:
            return
        last = rows[-1].pk


def due_deadlines(now):
    furthest = max(max(days) for days in settings.DEADLINE_REMINDER_DAYS.values())
    return (Deadline.objects.filter(status__in=Deadline.PENDING, due_at__lte=now + datetime.timedelta(days=furthest))
            .exclude(sweep_failure__retry_at__gt=now)
            .select_related("case", "victim", "responsible_user__agency", "responsible_agency"))


def coming_hearings(now):
    furthest = max(settings.HEARING_REMINDER_DAYS)
    return (Hearing.objects.filter(status=Hearing.Status.SCHEDULED, starts_at__gt=now,
                                   starts_at__lte=now + datetime.timedelta(days=furthest))
            .exclude(sweep_failure__retry_at__gt=now)
            .select_related("case", "court", "courtroom", "prosecutor__agency"))


def email_notifications(counts):
    """E-mail each notification not yet e-mailed to a recipient with an address, once. A mail
    server that fails leaves the notice for the next sweep (it is in the inbox meanwhile)."""
    with transaction.atomic():
        rows = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(emailed_at__isnull=True).select_related("recipient")[:500])
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
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])


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
