"""Hearing reminders [SPEC 2.5, 2.7]: the deadline sweep reminds the hearing's prosecutor, the
victims' representatives and the supporting NGOs' caseworkers of a scheduled hearing at each
threshold of settings.HEARING_REMINDER_DAYS, whoever of them may see it. Added to the sweep
as a source in HearingsConfig.ready() (deadlines.sweep.add_source): the sweep's batching,
locking and exactly-once notices are the sweep's, what a hearing's reminder says and to whom
is the hearings'."""

from django.conf import settings
from django.utils.translation import gettext as _

from cases.models import CaseAssignment
from deadlines import notice_times
from deadlines.models import Notification
from deadlines.sweep import OVERDUE, Source, active, batch_of, local_moment, threshold_at

from .models import Hearing


def hearing_recipients(hearing):
    """The hearing's prosecutor and the case's (after a handover they differ until the hearing
    is updated), the victims' representatives on the case team and the caseworkers of the NGOs
    supporting the case's victims: whoever of them may see the hearing."""
    batch = batch_of(hearing)
    return batch.who_may_see(_hearing_people(hearing, batch), hearing)


def hearing_people(hearing, batch, now):
    """Everyone the handling of `hearing` at `now` may ask the policy about."""
    threshold = threshold_at(hearing.starts_at, now, settings.HEARING_REMINDER_DAYS)
    return [] if threshold is None or threshold == OVERDUE else active(_hearing_people(hearing, batch))


def _hearing_people(hearing, batch):
    users = [hearing.prosecutor] if hearing.prosecutor_id else []
    users += batch.team(hearing.case_id, {CaseAssignment.TeamRole.PROSECUTOR,
                                          CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE})
    users += batch.caseworkers_supporting(batch.case_victims().get(hearing.case_id, []))
    return list({user.pk: user for user in users}.values())


def handle_hearing(hearing, now, plan):
    threshold = threshold_at(hearing.starts_at, now, settings.HEARING_REMINDER_DAYS)
    plan.next_notice[hearing.pk] = notice_times.after(notice_times.hearing_moments(hearing.starts_at), now)
    if threshold is None or threshold == OVERDUE:
        return
    # Whoever may see the hearing may see its case reference (the policy's hearing rule).
    subject = _("Hearing %(when)s: %(kind)s, %(case)s, %(place)s") % {
        "when": local_moment(hearing.starts_at), "kind": hearing.get_kind_display(), "case": hearing.case.reference,
        "place": hearing.place}
    plan.notify(hearing_recipients(hearing), about=hearing, threshold=threshold, due_at=hearing.starts_at,
                kind=Notification.Kind.HEARING_REMINDER,
                message=lambda user: (subject, subject, hearing.get_absolute_url()), count="hearing_reminders")


def coming_hearings(now):
    """Scheduled hearings whose moment to be looked at has come (a partial index serves it)."""
    return (Hearing.objects.filter(next_notice_at__lte=now, status=Hearing.Status.SCHEDULED)
            .select_related("case", "court", "courtroom", "prosecutor__agency"))


SOURCE = Source(Hearing, coming_hearings, hearing_people, handle_hearing)
