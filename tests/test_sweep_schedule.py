"""The sweep wakes only for what is due (SPEC 2.7, SPEC 3): every deadline and hearing carries
the moment the sweep must next look at it, kept by the code that changes it; a sweep with
nothing due reads no deadline; a sweep over many due rows costs the same few queries per
batch however many rows it holds; a batch whose writes fail is done again row by row."""

import datetime

import pytest
from django.db import DatabaseError
from django.utils import timezone

from deadlines import services as deadline_services
from deadlines import notice_times, sweep
from deadlines.models import Deadline, Notification, SweepFailure
from hearings.models import Hearing

K, St = Deadline.Kind, Deadline.Status
NOW = timezone.now().replace(microsecond=0)


def _deadline(case, user, *, due_in, kind=K.PROCEDURAL, title="File the brief"):
    return Deadline.objects.create(kind=kind, title=title, case=case, due_at=NOW + due_in, responsible_user=user,
                                   responsible_agency=user.agency)


def _next(row):
    return type(row).objects.values_list("next_notice_at", flat=True).get(pk=row.pk)


def test_a_new_deadline_is_first_looked_at_its_furthest_threshold(demo):
    deadline = _deadline(demo.case("C1"), demo.user("prosecutor"), due_in=datetime.timedelta(days=40))
    assert _next(deadline) == deadline.due_at - datetime.timedelta(days=max(sweep.reminder_days(K.PROCEDURAL)))
    detention = _deadline(demo.case("C1"), demo.user("prosecutor"), kind=K.PRE_TRIAL_DETENTION,
                          due_in=datetime.timedelta(days=40))
    assert _next(detention) == detention.due_at - datetime.timedelta(days=30)


def test_each_sweep_moves_the_moment_to_the_next_threshold_and_closing_clears_it(demo):
    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=40))
    days = sorted(sweep.reminder_days(K.PROCEDURAL), reverse=True)  # 14, 7, 1
    for day, following in zip(days, [*days[1:], None]):
        sweep.run(now=deadline.due_at - datetime.timedelta(days=day) + datetime.timedelta(minutes=1))
        expected = deadline.due_at - datetime.timedelta(days=following) if following else deadline.due_at
        assert _next(deadline) == expected
    sweep.run(now=deadline.due_at + datetime.timedelta(minutes=1))
    deadline.refresh_from_db()
    assert deadline.status == St.MISSED and deadline.next_notice_at is None
    # The history shows it missed; the sweep's bookkeeping is not part of the history.
    assert deadline.history.first().status == St.MISSED
    assert not hasattr(deadline.history.first(), "next_notice_at")


def test_extending_a_deadline_and_moving_a_hearing_reset_the_moment(demo):
    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(hours=5))
    sweep.run(now=NOW)
    assert _next(deadline) == deadline.due_at
    later = deadline.due_at + datetime.timedelta(days=30)
    deadline_services.extend(deadline, actor=prosecutor, new_due_at=later, reason="The court granted more time.")
    assert _next(deadline) == later - datetime.timedelta(days=14)
    deadline_services.mark_met(Deadline.objects.get(pk=deadline.pk), actor=prosecutor)
    assert _next(deadline) is None
    # A save that changes nothing the sweep depends on leaves the moment alone.
    other = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=3))
    sweep.run(now=NOW)
    moment = _next(other)
    other = Deadline.objects.get(pk=other.pk)
    other.notes = "Waiting for the expert's report."
    other.save()
    assert _next(other) == moment
    trial = Hearing.objects.get(case=demo.case("C1"), status=Hearing.Status.SCHEDULED)
    trial.starts_at += datetime.timedelta(days=20)
    trial.save()
    assert _next(trial) == trial.starts_at - datetime.timedelta(days=max(sweep.settings.HEARING_REMINDER_DAYS))


def test_a_sweep_with_nothing_due_reads_no_deadline_and_sends_nothing(demo, count_queries):
    prosecutor = demo.user("prosecutor")
    for n in range(30):
        _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(hours=5 + n), title=f"Item {n}")
    sweep.run(now=NOW)
    sent = Notification.objects.count()
    with count_queries.capture(exactly=11) as queries:
        record = sweep.run(now=NOW + datetime.timedelta(minutes=5))
    assert Notification.objects.count() == sent
    assert record.counts.get("reminders", 0) == 0
    # Order expiry, the two due-row probes and the run's record: no row handled, and no person's
    # access asked for (e-mail goes out in a task of its own, deadlines.mailing).
    handled = [q["sql"] for q in queries.captured_queries if 'FROM "deadlines_deadline"' in q["sql"]
               and "FOR UPDATE" not in q["sql"]]
    # (each of the three in a savepoint of its own)
    assert handled == []


def test_many_due_rows_cost_a_few_queries_per_batch_not_per_row(demo, count_queries):
    prosecutor = demo.user("prosecutor")
    case = demo.case("C1")

    def sweep_queries(count, at):
        sweep.run(now=at)  # the demo's own rows, out of the way
        for n in range(count):
            _deadline(case, prosecutor, due_in=at - NOW + datetime.timedelta(hours=3), title=f"Batch {count} {n}")
        with count_queries.capture() as queries:
            record = sweep.run(now=at + datetime.timedelta(minutes=1))
        assert record.counts["reminders"] >= count
        return len(queries.captured_queries)

    few = sweep_queries(10, NOW + datetime.timedelta(days=100))
    many = sweep_queries(60, NOW + datetime.timedelta(days=200))
    assert many == few, (few, many)


def test_a_batch_whose_writes_fail_is_done_row_by_row_and_only_the_bad_row_waits(demo, monkeypatch):
    prosecutor = demo.user("prosecutor")
    broken = _deadline(demo.case("C1"), prosecutor, due_in=-datetime.timedelta(hours=1), title="broken")
    fine = _deadline(demo.case("C1"), prosecutor, due_in=-datetime.timedelta(hours=1), title="fine")
    real = deadline_services.mark_passed

    def failing(deadlines, *, when):
        if any(deadline.title == "broken" for deadline in deadlines):
            raise DatabaseError("disk full")
        return real(deadlines, when=when)

    monkeypatch.setattr(deadline_services, "mark_passed", failing)
    record = sweep.run(now=NOW)
    fine.refresh_from_db()
    broken.refresh_from_db()
    assert fine.status == St.MISSED and Notification.objects.filter(deadline=fine).exists()
    assert broken.status == St.OPEN and not Notification.objects.filter(deadline=broken).exists()
    failure = SweepFailure.objects.get(deadline=broken)
    assert "disk full" in failure.error and record.counts["failures"] == 1
    assert _next(broken) == failure.retry_at == NOW + datetime.timedelta(minutes=1)
    monkeypatch.setattr(deadline_services, "mark_passed", real)
    sweep.run(now=NOW + datetime.timedelta(minutes=2))
    broken.refresh_from_db()
    assert broken.status == St.MISSED and not SweepFailure.objects.filter(deadline=broken).exists()


def test_reschedule_all_sets_every_moment_from_the_data(demo):
    prosecutor = demo.user("prosecutor")
    pending = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=50))
    closed = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=50))
    deadline_services.mark_met(closed, actor=prosecutor)
    Deadline.objects.filter(pk=pending.pk).update(next_notice_at=None)  # as a bulk load leaves it
    sweep.reschedule_all()
    assert _next(pending) == pending.due_at - datetime.timedelta(days=14)
    assert _next(closed) is None
    scheduled = Hearing.objects.filter(status=Hearing.Status.SCHEDULED)
    assert scheduled.exists()
    for hearing in scheduled:
        assert _next(hearing) == hearing.starts_at - datetime.timedelta(days=7)
    assert not Hearing.objects.exclude(status=Hearing.Status.SCHEDULED).exclude(next_notice_at=None).exists()


@pytest.mark.parametrize("moments, now, expected", [
    ([1, 5, 9], 0, 1), ([1, 5, 9], 1, 5), ([1, 5, 9], 9, None),
])
def test_after_picks_the_first_moment_still_ahead(moments, now, expected):
    assert notice_times.after(moments, now) == expected


def test_the_policy_is_asked_once_a_sweep_per_person_not_once_a_batch(demo, monkeypatch, count_queries):
    """With batches of 5, a sweep over 30 due rows asks the access policy about the prosecutor
    as many times as a sweep over 5: the look-ahead names every row the sweep will ask about."""
    monkeypatch.setattr(sweep, "BATCH", 5)
    prosecutor = demo.user("prosecutor")
    case = demo.case("C1")

    def policy_queries(count, at):
        sweep.run(now=at)  # the demo's own rows, out of the way
        rows = [_deadline(case, prosecutor, due_in=at - NOW + datetime.timedelta(hours=3), title=f"Look {count} {n}")
                for n in range(count)]
        with count_queries.capture() as queries:
            record = sweep.run(now=at + datetime.timedelta(minutes=1))
        assert record.counts["reminders"] >= count
        # Every one of them reached the prosecutor, named and linked to the case.
        sent = Notification.objects.filter(deadline__in=rows, recipient=prosecutor)
        assert sent.count() == count and all(case.reference in n.subject and n.url for n in sent)
        return sum('groupobjectpermission' in q["sql"] for q in queries.captured_queries)

    few = policy_queries(5, NOW + datetime.timedelta(days=100))
    many = policy_queries(30, NOW + datetime.timedelta(days=200))
    assert many == few, (few, many)


def test_a_row_the_look_ahead_did_not_foresee_is_still_asked_about(demo, monkeypatch):
    """Someone who joins the answering line after the look-ahead (here: the look-ahead is told
    nobody) is still asked about, for that batch alone, and still hears of the deadline."""
    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(hours=3), title="Unforeseen")
    monkeypatch.setattr(sweep, "deadline_people", lambda row, batch, now: [])
    sweep.run(now=NOW)
    notice = Notification.objects.get(deadline=deadline, recipient=prosecutor)
    assert demo.case("C1").reference in notice.subject
