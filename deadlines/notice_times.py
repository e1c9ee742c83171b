"""When the deadline sweep must next look at a deadline or a hearing [SPEC 2.7].

Every pending deadline and scheduled hearing carries `next_notice_at`: the earliest moment at
which the sweep has something to do for it (a reminder threshold, the due time itself, or a
retry after a failure). The sweep selects only the rows whose moment has come, through a
partial index, so a sweep with nothing due costs one index probe whatever the country's size.

The moment is reset to the *first* threshold whenever what it depends on changes (the due
time or start, the status, the kind): a deadline extended or a hearing moved is reminded
afresh, and a threshold already passed is caught up at once. After a sweep handles a row, the
moment moves to the next threshold still ahead. A notification already sent is never sent
again (the unique constraint on notifications), so a row looked at early costs nothing more
than a look.

`next_notice_at` is the one column the history leaves out (it is the sweep's bookkeeping, not
a fact of the case); `advance()` and `reschedule_all()` write it alone.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Value, When

OVERDUE = "overdue"


def reminder_days(kind):
    days = settings.DEADLINE_REMINDER_DAYS
    return tuple(days.get(kind, days["default"]))


def deadline_moments(due_at, kind):
    """Every moment a deadline asks for the sweep: each reminder threshold, then the due time."""
    return sorted({due_at - datetime.timedelta(days=d) for d in reminder_days(kind)} | {due_at})


def hearing_moments(starts_at):
    """Every moment a hearing asks for the sweep: its reminder thresholds (none once it starts)."""
    return sorted({starts_at - datetime.timedelta(days=d) for d in settings.HEARING_REMINDER_DAYS})


def first_deadline_notice(deadline):
    """The moment a pending deadline is first looked at; None for one met or missed."""
    if deadline.status not in deadline.PENDING or deadline.due_at is None:
        return None
    return deadline_moments(deadline.due_at, deadline.kind)[0]


def first_hearing_notice(hearing):
    if hearing.status != hearing.Status.SCHEDULED or hearing.starts_at is None:
        return None
    return hearing_moments(hearing.starts_at)[0]


class KeepsNextNotice:
    """For a model whose `next_notice_at` follows some of its fields (`schedule_fields`): any
    save that changes one of them sets it to `first_notice()` again."""

    schedule_fields = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._schedule_loaded = instance._schedule()
        return instance

    def _schedule(self):
        return tuple(self.__dict__.get(name) for name in self.schedule_fields)

    def first_notice(self):
        raise NotImplementedError

    def save(self, *args, **kwargs):
        if self._schedule() != getattr(self, "_schedule_loaded", None):
            self.next_notice_at = self.first_notice()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "next_notice_at"}
        super().save(*args, **kwargs)
        self._schedule_loaded = self._schedule()


def after(moments, now):
    """The first of `moments` still ahead of `now`, or None."""
    return next((moment for moment in moments if moment > now), None)


def advance(model, moments):
    """Write `next_notice_at` for many rows in one statement ({pk: moment or None}). The column
    is outside the history (see the module note), so this plain UPDATE loses none of it. The
    pairs go as two arrays joined by unnest(): a CASE with a WHEN per row took Django longer to
    build than PostgreSQL to run (6 of the 7 seconds a 10,000-row sweep spent here)."""
    if not moments:
        return
    table, pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_notice_at = moment.at"
            f" FROM unnest(%s::bigint[], %s::timestamptz[]) AS moment(id, at) WHERE {table}.{pk} = moment.id",
            [list(moments), list(moments.values())])


def reschedule_all(deadline_model, hearing_model):
    """Set every row's moment afresh from its data, in two statements: after a bulk load, or
    when the reminder settings change. Thresholds already passed are looked at on the next
    sweep, which sends only what was not sent before. The models are passed in (the models
    import this module): sweep.reschedule_all passes the live ones."""
    configured = settings.DEADLINE_REMINDER_DAYS
    furthest = [When(kind=kind, then=Value(datetime.timedelta(days=max(days))))
                for kind, days in configured.items() if kind != "default"]
    lead = Case(*furthest, default=Value(datetime.timedelta(days=max(configured["default"]))))
    pending = deadline_model.objects.filter(status__in=["open", "extended"])
    pending.update(next_notice_at=ExpressionWrapper(F("due_at") - lead, output_field=DateTimeField()))
    deadline_model.objects.exclude(status__in=["open", "extended"]).exclude(next_notice_at=None).update(
        next_notice_at=None)
    hearing_lead = datetime.timedelta(days=max(settings.HEARING_REMINDER_DAYS))
    hearing_model.objects.filter(status="scheduled").update(
        next_notice_at=ExpressionWrapper(F("starts_at") - Value(hearing_lead), output_field=DateTimeField()))
    hearing_model.objects.exclude(status="scheduled").exclude(next_notice_at=None).update(next_notice_at=None)
