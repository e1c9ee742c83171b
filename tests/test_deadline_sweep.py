"""The deadline sweep (SPEC 2.7): time travel through every kind and threshold, the catch-up
rule, exactly-once under repeated and parallel sweeps, failures retried with backoff, order
expiry, escalation, e-mail, and a real Celery worker on the real Redis."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.utils import timezone

from config.celery import app
from deadlines import mailing, sweep, tasks
from deadlines.models import Deadline, Notification, SweepFailure, SweepRun
from hearings import scheduling
from hearings.models import Hearing
from protection.models import OrderEvent, ProtectionOrder

from . import factories

K = Deadline.Kind
NOW = timezone.now().replace(microsecond=0)


def _deadline(case, user, *, kind=K.PROCEDURAL, due_in=datetime.timedelta(days=20), title="File the brief"):
    return Deadline.objects.create(kind=kind, title=title, case=case, due_at=NOW + due_in, responsible_user=user,
                                   responsible_agency=user.agency)


def _thresholds(deadline, recipient=None):
    rows = Notification.objects.filter(deadline=deadline)
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return sorted(threshold.split("@")[0] for threshold in rows.values_list("threshold", flat=True))


def test_threshold_at_picks_the_nearest_crossed_threshold():
    due = NOW + datetime.timedelta(days=10)
    days = (14, 7, 1)
    assert sweep.threshold_at(due, due - datetime.timedelta(days=15), days) is None
    assert sweep.threshold_at(due, due - datetime.timedelta(days=14), days) == "14d"
    assert sweep.threshold_at(due, due - datetime.timedelta(days=6, hours=23), days) == "7d"
    assert sweep.threshold_at(due, due - datetime.timedelta(hours=1), days) == "1d"
    assert sweep.threshold_at(due, due, days) == "overdue"
    assert sweep.threshold_at(due, due - datetime.timedelta(hours=11), (0.5,)) == "0.5d"


@pytest.mark.parametrize("kind", [k for k in K])
def test_every_kind_is_reminded_at_each_threshold_then_escalated_when_overdue(demo, kind):
    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, kind=kind, due_in=datetime.timedelta(days=40))
    days = sweep.reminder_days(kind)
    expected = []
    for day in sorted(days, reverse=True):
        sweep.run(now=deadline.due_at - datetime.timedelta(days=day) + datetime.timedelta(minutes=1))
        expected.append(f"{day:g}d")
        assert _thresholds(deadline, prosecutor) == sorted(expected), (kind, day)
    sweep.run(now=deadline.due_at + datetime.timedelta(minutes=1))
    deadline.refresh_from_db()
    assert _thresholds(deadline, prosecutor) == sorted([*expected, "overdue"])
    overdue = Notification.objects.get(deadline=deadline, recipient=prosecutor,
                                    threshold=sweep.stamp("overdue", deadline.due_at))
    escalated = set(Notification.objects.filter(deadline=deadline, kind=Notification.Kind.ESCALATION)
                    .values_list("recipient__username", flat=True))
    if kind in sweep.EVENTS:
        assert deadline.status == Deadline.Status.MET and escalated == set()
        assert overdue.subject.startswith("Reached")
    else:
        assert deadline.status == Deadline.Status.MISSED
        assert overdue.kind == Notification.Kind.DEADLINE_OVERDUE and "PT-LIS-2026-0001" in overdue.subject
        # The prosecution office's supervisor and the country's focal point.
        assert escalated == {"supervisor", "focalpoint"}


def test_nothing_is_sent_before_the_first_threshold_or_twice(demo):
    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=30))
    sweep.run(now=NOW)
    assert _thresholds(deadline) == []
    at_seven = deadline.due_at - datetime.timedelta(days=6)
    for _ in range(3):
        sweep.run(now=at_seven)
    assert _thresholds(deadline) == ["7d"]


def test_after_downtime_one_catch_up_notice_per_item_not_one_per_missed_threshold(demo):
    prosecutor = demo.user("prosecutor")
    coming = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=30), title="Coming")
    passed = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(days=10), title="Passed")
    # Down from now until 12 hours before "Coming" falls due: 14d and 7d were never sent.
    sweep.run(now=coming.due_at - datetime.timedelta(hours=12))
    assert _thresholds(coming, prosecutor) == ["1d"]
    assert _thresholds(passed, prosecutor) == ["overdue"]


def test_hearing_reminders_go_to_the_prosecutor_the_representative_and_the_supporting_ngo(demo):
    from cases import services as case_services
    from cases.models import CaseAssignment

    trial = Hearing.objects.get(case=demo.case("C1"), status=Hearing.Status.SCHEDULED)
    lawyer = factories.user(factories.agency("legal_aid"), "caseworker", username="victims.lawyer")
    case_services.assign(demo.case("C1"), lawyer, CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE)
    sweep.run(now=trial.starts_at - datetime.timedelta(days=6))
    sweep.run(now=trial.starts_at - datetime.timedelta(days=5))
    rows = Notification.objects.filter(hearing=trial)
    seven = sweep.stamp("7d", trial.starts_at)
    assert set(rows.values_list("recipient__username", "threshold")) == {
        ("prosecutor", seven), ("caseworker", seven), ("victims.lawyer", seven)}
    for row in rows:
        assert "PT-LIS-2026-0001" in row.subject
        for name in ("João", "Silva", "Maria", "Santos"):
            assert name not in row.subject + row.body
    sweep.run(now=trial.starts_at - datetime.timedelta(hours=2))
    assert rows.filter(threshold=sweep.stamp("1d", trial.starts_at)).count() == 3


def test_generated_deadlines_of_the_demo_reach_their_people(demo):
    """The demo's referral answer, order review, detention limit, permit expiry and stage
    standards all go through the same sweep."""
    order = ProtectionOrder.objects.get(victim=demo.victim("V2"))
    review = Deadline.objects.get(protection_order=order, kind=K.ORDER_REVIEW)
    sweep.run(now=review.due_at - datetime.timedelta(hours=3))
    # Responsible: the case's prosecutor, who asks the court to extend or vary it.
    assert set(Notification.objects.filter(deadline=review).values_list("recipient__username", flat=True)) == {
        "prosecutor"}
    detention = Deadline.objects.get(kind=K.PRE_TRIAL_DETENTION)
    sweep.run(now=detention.due_at + datetime.timedelta(hours=1))
    focal = Notification.objects.get(deadline=detention, recipient__username="focalpoint")
    # The focal point may not see defendants: it learns a deadline was missed, not which case.
    assert focal.kind == Notification.Kind.ESCALATION
    assert "PT-LIS-2026-0001" not in focal.subject and focal.url == "" and focal.body == ""
    supervisor = Notification.objects.get(deadline=detention, recipient__username="supervisor")
    assert "PT-LIS-2026-0001" in supervisor.subject


def test_orders_past_their_expiry_become_expired_once(demo):
    order = ProtectionOrder.objects.get(victim=demo.victim("V2"))
    first = sweep.run(now=timezone.make_aware(datetime.datetime.combine(order.expires_on, datetime.time(12)))
                      + datetime.timedelta(days=1))
    order.refresh_from_db()
    assert order.status == ProtectionOrder.Status.EXPIRED and first.counts["orders_expired"] == 1
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.EXPIRED, by=None).count() == 1
    second = sweep.run(now=timezone.now() + datetime.timedelta(days=200))
    assert second.counts["orders_expired"] == 0
    assert not Deadline.objects.filter(protection_order=order, status__in=Deadline.PENDING).exists()


def test_a_failing_item_is_retried_with_backoff_and_does_not_block_the_others(demo, monkeypatch):
    prosecutor = demo.user("prosecutor")
    broken = _deadline(demo.case("C1"), prosecutor, title="broken", due_in=datetime.timedelta(hours=5))
    fine = _deadline(demo.case("C1"), prosecutor, title="fine", due_in=datetime.timedelta(hours=5))
    real = sweep.deadline_recipients

    def failing(deadline):
        if deadline.title == "broken":
            raise RuntimeError("mail directory unreachable")
        return real(deadline)

    monkeypatch.setattr(sweep, "deadline_recipients", failing)
    run = sweep.run(now=NOW)
    assert _thresholds(fine) == ["1d"] and _thresholds(broken) == []
    failure = SweepFailure.objects.get(deadline=broken)
    assert failure.attempts == 1 and "mail directory unreachable" in failure.error
    assert failure.retry_at == NOW + datetime.timedelta(minutes=1) and run.counts["failures"] == 1
    sweep.run(now=NOW + datetime.timedelta(seconds=30))  # before its retry time: left alone
    assert SweepFailure.objects.get(deadline=broken).attempts == 1
    sweep.run(now=NOW + datetime.timedelta(minutes=2))
    failure.refresh_from_db()
    assert failure.attempts == 2 and failure.retry_at == NOW + datetime.timedelta(minutes=4)
    monkeypatch.setattr(sweep, "deadline_recipients", real)
    sweep.run(now=NOW + datetime.timedelta(minutes=5))
    assert _thresholds(broken) == ["1d"] and not SweepFailure.objects.filter(deadline=broken).exists()


def test_notifications_are_emailed_once_without_victim_identity(demo):
    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(hours=5), title="Answer the motion")
    mail.outbox.clear()
    sweep.run(now=NOW)
    assert mail.outbox == []  # the sweep records; the e-mail task sends
    assert Notification.objects.get(deadline=deadline).emailed_at is None
    first = mailing.email_notifications()
    sweep.run(now=NOW)
    again = mailing.email_notifications()
    mine = [m for m in mail.outbox if "Answer the motion" in m.subject]
    assert len(mine) == 1 and mine[0].to == [prosecutor.email]
    assert settings.SITE_URL.rstrip("/") + demo.case("C1").get_absolute_url() in mine[0].body
    names = [name for name in demo.case("C1").victim_links.values_list("victim__identity__family_name", flat=True)
             if name]
    assert names and not any(name in mine[0].body or name in mine[0].subject for name in names)
    assert Notification.objects.get(deadline=deadline).emailed_at is not None
    assert first["emailed"] == len(mail.outbox) and again["emailed"] == 0


class _Refusing(locmem.EmailBackend):
    """A mail server that cannot be reached, or that refuses one address."""
    opened = 0
    refuse = None

    def open(self):
        type(self).opened += 1
        if self.refuse == "all":
            raise ConnectionRefusedError("mail server down")

    def send_messages(self, messages):
        if any(self.refuse in message.to for message in messages):
            raise OSError("recipient refused")
        return super().send_messages(messages)


def test_an_unreachable_mail_server_leaves_the_notices_for_the_next_run(demo, settings):
    prosecutor = demo.user("prosecutor")
    _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(hours=5), title="Answer the motion")
    sweep.run(now=NOW)
    waiting = Notification.objects.filter(emailed_at__isnull=True).count()
    assert waiting >= 1
    settings.EMAIL_BACKEND = f"{__name__}._Refusing"
    _Refusing.refuse = "all"
    mail.outbox = []
    counts = mailing.email_notifications()
    assert counts["emailed"] == 0 and counts["email_failures"] >= 1 and mail.outbox == []
    assert Notification.objects.filter(emailed_at__isnull=True).count() == waiting
    # One recipient refused: the others go out, and only that one waits.
    _Refusing.refuse, _Refusing.opened = prosecutor.email, 0
    counts = mailing.email_notifications()
    assert counts["email_failures"] == Notification.objects.filter(recipient=prosecutor, emailed_at__isnull=True,
                                                                  recipient__email__gt="").count() >= 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exclude(recipient=prosecutor).exclude(
        recipient__email="").exists()
    assert _Refusing.opened == 1  # one connection for the batch, not one per message
    _Refusing.refuse = None
    mailing.email_notifications()
    assert any("Answer the motion" in m.subject and m.to == [prosecutor.email] for m in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_command_runs_one_sweep_and_records_it(demo):
    import io

    out = io.StringIO()
    call_command("run_deadline_sweep", "--at", (NOW + datetime.timedelta(days=1)).isoformat(), stdout=out)
    record = SweepRun.objects.latest("started_at")
    assert record.trigger == "command" and record.finished_at is not None and record.error == ""
    assert "Deadline sweep done" in out.getvalue() and "reminders" in out.getvalue()
    assert "E-mailed" in out.getvalue() and not Notification.objects.filter(emailed_at__isnull=True,
                                                                           recipient__email__gt="").exists()


# --- Concurrency and the real worker: committed data, so transactional tests ----------------

def _world():
    court_case_agency = factories.agency("prosecution")
    prosecutor = factories.user(court_case_agency, "prosecutor")
    prosecutor.email = "p@example.org"
    prosecutor.save()
    case = factories.case(prosecutor)
    from cases import services as case_services
    from cases.models import CaseAgency, CaseAssignment

    case_services.add_agency(case, court_case_agency, CaseAgency.Role.PROSECUTING)
    case_services.assign(case, prosecutor, CaseAssignment.TeamRole.PROSECUTOR)
    return case, prosecutor


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_notification_once():
    case, prosecutor = _world()
    items = [_deadline(case, prosecutor, title=f"Item {n}", due_in=datetime.timedelta(hours=6)) for n in range(40)]
    _results, errors = factories.at_once(lambda: sweep.run(now=NOW))
    assert errors == []
    sent = Notification.objects.filter(deadline__in=items, recipient=prosecutor)
    assert sent.count() == 40
    assert set(sent.values_list("deadline_id", flat=True)) == {item.pk for item in items}
    # Each sweep counted only what it sent (the demo world's own reminders included).
    reminders = Notification.objects.filter(kind=Notification.Kind.DEADLINE_REMINDER).count()
    assert sum(run.counts.get("reminders", 0) for run in SweepRun.objects.all()) == reminders


@pytest.fixture
def worker(transactional_db):
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        yield


def test_a_real_worker_turns_a_due_deadline_into_its_notification(worker):
    case, prosecutor = _world()
    deadline = _deadline(case, prosecutor, title="Disclose the evidence", due_in=datetime.timedelta(hours=3))
    assert {"deadlines.tasks.sweep_deadlines", "deadlines.tasks.email_notifications"} <= {
        e["task"] for e in app.conf.beat_schedule.values()}
    tasks.sweep_deadlines.delay()
    give_up = time.monotonic() + 30
    while not Notification.objects.filter(deadline=deadline).exists() and time.monotonic() < give_up:
        time.sleep(0.2)
    notice = Notification.objects.get(deadline=deadline)
    assert notice.recipient == prosecutor and notice.threshold == sweep.stamp("1d", deadline.due_at)
    assert notice.subject == f"Due within 1 day: Disclose the evidence ({case.reference})"


def test_the_admin_status_page_shows_the_last_sweep_and_whether_beat_is_alive(demo, login):
    from django.core.cache import cache

    from accounts.tasks import BEAT_HEARTBEAT_KEY

    cache.delete(BEAT_HEARTBEAT_KEY)
    sweep.run(now=NOW, trigger="command")
    admin = login("admin")
    page = admin.get("/admin/deadlines/sweeprun/").content.decode()
    assert "Deadline sweep status" in page and "not running" in page and "command" in page
    assert "reminders" in page  # the demo's due deadlines were reminded
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
    page = admin.get("/admin/deadlines/sweeprun/").content.decode()
    assert "not running" not in page and ">alive<" in page
    # Case staff have no admin; the page holds no case content anyway.
    assert login("prosecutor").get("/admin/deadlines/sweeprun/").status_code == 302


def test_an_extended_deadline_and_a_moved_hearing_are_reminded_afresh(demo):
    from deadlines import services as deadline_services
    from hearings import services as hearing_services

    prosecutor = demo.user("prosecutor")
    deadline = _deadline(demo.case("C1"), prosecutor, due_in=datetime.timedelta(hours=5), title="Brief")
    sweep.run(now=NOW)
    deadline = deadline_services.extend(deadline, actor=prosecutor, new_due_at=deadline.due_at + datetime.timedelta(
        days=5), reason="The defence asked for more time and the court agreed.")
    sweep.run(now=deadline.due_at - datetime.timedelta(hours=20))
    assert _thresholds(deadline, prosecutor) == ["1d", "1d"]
    assert Notification.objects.filter(deadline=deadline).values("threshold").distinct().count() == 2
    trial = Hearing.objects.get(case=demo.case("C1"), status=Hearing.Status.SCHEDULED)
    sweep.run(now=trial.starts_at - datetime.timedelta(hours=3))
    before = Notification.objects.filter(hearing=trial, recipient=prosecutor).count()
    trial.starts_at += datetime.timedelta(days=1)
    trial = hearing_services.update(trial, actor=prosecutor, version=trial.version,
                                    confirmed=[p.key for p in scheduling.check(trial, user=prosecutor)])
    sweep.run(now=trial.starts_at - datetime.timedelta(hours=3))
    assert Notification.objects.filter(hearing=trial, recipient=prosecutor).count() == before + 1


def test_a_notice_names_a_case_only_to_those_who_may_see_it(demo):
    """Safe Harbour supports V3 (restricted C2) and answers for a review of V3's order: its
    caseworker is reminded without the case's reference or link; the prosecutor on C2's team
    gets both."""
    from victims import services as victim_services

    v3, c2 = demo.victim("V3"), demo.case("C2")
    caseworker, prosecutor = demo.user("caseworker"), demo.user("prosecutor")
    victim_services.add_supporting_agency(v3, caseworker.agency)
    court = Hearing.objects.first().court
    order = ProtectionOrder.objects.create(
        victim=v3, case=c2, kind=ProtectionOrder.Kind.NO_CONTACT, issuing_court=court,
        issued_on=timezone.localdate(), effective_from=timezone.localdate(), conditions="No contact.",
        recorded_by=prosecutor)
    for user in (caseworker, prosecutor):
        Deadline.objects.create(kind=K.ORDER_REVIEW, title="Review the order", protection_order=order, case=c2,
                                due_at=NOW + datetime.timedelta(hours=5), responsible_user=user)
    sweep.run(now=NOW)
    mine = Notification.objects.get(recipient=caseworker, deadline__protection_order=order)
    assert "PT-LIS-2026-0002" not in mine.subject + mine.body and mine.url == ""
    theirs = Notification.objects.get(recipient=prosecutor, deadline__protection_order=order)
    assert "PT-LIS-2026-0002" in theirs.subject and theirs.url == c2.get_absolute_url()


def test_an_extension_survives_regeneration_and_an_order_expiring_is_reached_not_missed(demo):
    from deadlines import services as deadline_services

    order = ProtectionOrder.objects.get(victim=demo.victim("V2"))
    review = Deadline.objects.get(protection_order=order, kind=K.ORDER_REVIEW)
    later = review.due_at + datetime.timedelta(days=10)
    deadline_services.extend(review, actor=demo.user("prosecutor"), new_due_at=later, reason="Court's list is full.")
    order.refresh_from_db()
    order.conditions += " Also no messages through third persons."
    order.save()  # regenerates its deadlines
    review.refresh_from_db()
    assert (review.status, review.due_at) == (Deadline.Status.EXTENDED, later)
    expiry = Deadline.objects.get(protection_order=order, kind=K.ORDER_EXPIRY)
    sweep.run(now=expiry.due_at + datetime.timedelta(seconds=30))  # the last minute of the expiry day
    expiry.refresh_from_db()
    assert expiry.status == Deadline.Status.MET
    assert not Notification.objects.filter(deadline=expiry, kind=Notification.Kind.ESCALATION).exists()


def test_a_batch_of_refused_messages_does_not_hold_up_those_behind_it(demo, settings, monkeypatch):
    prosecutor = demo.user("prosecutor")
    sweep.run(now=NOW)
    Notification.objects.update(emailed_at=timezone.now())  # the demo's own notices are out of the way
    refused = [Notification.objects.create(recipient=prosecutor, kind=Notification.Kind.DEADLINE_REMINDER,
                                           subject=f"Refused {n}", threshold=f"x{n}") for n in range(2)]
    other = demo.user("investigator")
    behind = Notification.objects.create(recipient=other, kind=Notification.Kind.DEADLINE_REMINDER,
                                         subject="Behind them", threshold="y")
    monkeypatch.setattr(mailing, "BATCH", 2)
    settings.EMAIL_BACKEND = f"{__name__}._Refusing"
    _Refusing.refuse = prosecutor.email
    mail.outbox = []
    counts = mailing.email_notifications()
    _Refusing.refuse = None
    assert counts["email_failures"] == 2 and counts["emailed"] == 1
    assert [m.subject for m in mail.outbox] == ["Behind them"] and mail.outbox[0].to == [other.email]
    behind.refresh_from_db()
    assert behind.emailed_at is not None
    assert all(Notification.objects.get(pk=row.pk).emailed_at is None for row in refused)
