"""Protection orders and violations [SPEC 2.6]: status changes (vary, review, revoke,
expire) and the deadlines that follow the order, validation that writes nothing, what a
violation sets in motion (risk re-assessment deadline and flag, notifications once each,
no victim identity), who may see and do what on the pages, and constant queries."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import Case, Defendant
from deadlines.models import Deadline, Notification
from protection import services
from protection.models import OrderEvent, ProtectionOrder, Violation
from protection.flags import case_needs_risk_reassessment, victim_needs_risk_reassessment
from victims.models import ProtectedRelative, RiskAssessment, Victim

from .conftest import DEMO_USERS

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

# Who does what with V2's no-contact order (case C1, Lisbon Criminal Court) in the demo world.
READERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker"}
KEEPERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge"}
# Recording a new order for V2: in C1 police, prosecution and the court; for the victim alone
# (no case) the investigator and prosecutor (the victim's safety file) and the court staff
# (their own court), not the supervisor (only through a case they may change).
RECORD_IN_C1 = KEEPERS
RECORD_ALONE = {"investigator", "prosecutor", "clerk", "judge"}
# Those who see V2's record without any right on her orders.
SEE_VICTIM_ONLY = {"caseworker", "focalpoint"}
NOBODY_ELSE = {"frontline", "auditor", "admin", "investigator.br", "caseworker.br"}


def expected(name, allowed, visible):
    return 200 if name in allowed else 403 if name in visible else 404


@pytest.fixture
def order(demo):
    return ProtectionOrder.objects.get(victim=demo.victim("V2"))


def pending(order):
    return sorted((d.kind, timezone.localtime(d.due_at).date()) for d in
                  Deadline.objects.filter(protection_order=order, status__in=Deadline.PENDING,
                                          kind__in=[Deadline.Kind.ORDER_REVIEW, Deadline.Kind.ORDER_EXPIRY]))


def snapshot():
    return (ProtectionOrder.objects.count(), OrderEvent.objects.count(), Deadline.objects.count(),
            Violation.objects.count(), Notification.objects.count(),
            list(ProtectionOrder.objects.order_by("pk").values_list("status", "version", "conditions", "expires_on",
                                                                    "next_review_on")))


def new_order(demo, **fields):
    victim, case = demo.victim("V2"), demo.case("C1")
    values = dict(victim=victim, case=case, kind=ProtectionOrder.Kind.RESTRAINING,
                  issuing_court=demo.user("judge").agency, court_reference="99/26", issued_on=TODAY - 10 * DAY,
                  effective_from=TODAY - 10 * DAY, expires_on=TODAY + 60 * DAY, next_review_on=TODAY + 20 * DAY,
                  conditions="Stay 200 m away.")
    values.update(fields)
    return ProtectionOrder(**values)


# --- Status changes -------------------------------------------------------------------------

def test_the_demo_order_and_its_generated_deadlines(order):
    assert order.status == "active" and order.version == 1
    assert pending(order) == [("order_expiry", TODAY + 120 * DAY), ("order_review", TODAY + 14 * DAY)]
    assert list(order.events.values_list("kind", flat=True)) == ["issued"]


def test_vary_keeps_the_order_in_force_and_its_deadlines_follow(order, login):
    client = login("prosecutor")
    page = client.get(f"/protection/orders/{order.pk}/vary/")
    assert page.status_code == 200 and 'name="version" value="1"' in page.content.decode()
    relative = ProtectedRelative.objects.get(victim=order.victim)
    response = client.post(f"/protection/orders/{order.pk}/vary/", {
        "version": 1, "on": TODAY.isoformat(), "reason": "Extended to the victim's workplace.",
        "conditions": "No contact; stay 500 m from her home and workplace.",
        "expires_on": (TODAY + 200 * DAY).isoformat(), "next_review_on": (TODAY + 30 * DAY).isoformat(),
        "protected_relatives": [relative.pk]})
    assert response.status_code == 302 and response["Location"] == f"/protection/orders/{order.pk}/"
    order.refresh_from_db()
    assert (order.status, order.version, order.expires_on, order.next_review_on) == (
        "varied", 2, TODAY + 200 * DAY, TODAY + 30 * DAY)
    assert order.is_in_force and "workplace" in order.conditions
    assert list(order.protected_relatives.all()) == [relative]
    event = order.events.get(kind="varied")
    assert (event.on, event.details, event.by.username) == (TODAY, "Extended to the victim's workplace.", "prosecutor")
    # The old review and expiry deadlines give way to the new dates: one pending row each.
    assert pending(order) == [("order_expiry", TODAY + 200 * DAY), ("order_review", TODAY + 30 * DAY)]
    page = client.get(f"/protection/orders/{order.pk}/").content.decode()
    assert "Varied" in page and "Extended to the victim&#x27;s workplace." in page


def test_a_stale_or_reasonless_variation_writes_nothing(order, demo, login):
    prosecutor = demo.user("prosecutor")
    services.vary(order, actor=prosecutor, version=1, on=TODAY, reason="First change.", conditions="A")
    before = snapshot()
    with pytest.raises(ValidationError) as stale:
        services.vary(order, actor=prosecutor, version=1, on=TODAY, reason="Second change.", conditions="B")
    assert stale.value.code == "stale"
    with pytest.raises(ValidationError) as reasonless:
        services.vary(order, actor=prosecutor, version=2, on=TODAY, reason="  ", conditions="B")
    assert "reason" in reasonless.value.message_dict
    with pytest.raises(ValidationError) as future:
        services.vary(order, actor=prosecutor, version=2, on=TODAY + DAY, reason="Tomorrow.", conditions="B")
    assert "on" in future.value.message_dict
    with pytest.raises(ValidationError) as early:
        services.vary(order, actor=prosecutor, version=2, on=TODAY, reason="Shorter.",
                      expires_on=order.effective_from - DAY)
    assert "expire before it takes effect" in str(early.value)
    assert snapshot() == before
    # The page says so and keeps the user's text.
    response = login("prosecutor").post(f"/protection/orders/{order.pk}/vary/", {
        "version": 1, "on": TODAY.isoformat(), "reason": "Late edit.", "conditions": "C"})
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert snapshot() == before


def test_a_stale_object_in_hand_still_moves_the_version_on(order, demo):
    """The version saved is the one after the row's current version, not after the one the
    caller's copy was loaded at."""
    prosecutor = demo.user("prosecutor")
    stale_copy = ProtectionOrder.objects.get(pk=order.pk)
    services.vary(order, actor=prosecutor, version=1, on=TODAY, reason="First.", conditions="A")
    services.review(stale_copy, actor=prosecutor, version=2, on=TODAY, outcome="Still needed.")
    order.refresh_from_db()
    assert order.version == 3
    with pytest.raises(ValidationError):
        services.revoke(order, actor=prosecutor, version=2, on=TODAY, reason="Stale.")


def test_review_meets_the_review_deadline_and_sets_the_next(order, login):
    client = login("judge")
    first = Deadline.objects.get(protection_order=order, kind="order_review")
    bad = client.post(f"/protection/orders/{order.pk}/review/", {
        "version": 1, "on": TODAY.isoformat(), "outcome": "Still needed.", "next_review_on": TODAY.isoformat()})
    assert bad.status_code == 200 and "The next review comes after this one." in bad.content.decode()
    first.refresh_from_db()
    assert first.status == "open"
    response = client.post(f"/protection/orders/{order.pk}/review/", {
        "version": 1, "on": TODAY.isoformat(), "outcome": "Threat persists; order maintained.",
        "next_review_on": (TODAY + 90 * DAY).isoformat()})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "met" and first.closed_at is not None
    order.refresh_from_db()
    assert (order.status, order.version, order.next_review_on) == ("active", 2, TODAY + 90 * DAY)
    assert pending(order) == [("order_expiry", TODAY + 120 * DAY), ("order_review", TODAY + 90 * DAY)]
    assert order.events.get(kind="reviewed").details == "Threat persists; order maintained."


def test_revoke_needs_a_reason_and_then_nothing_changes(order, demo, login):
    client = login("prosecutor")
    before = snapshot()
    response = client.post(f"/protection/orders/{order.pk}/revoke/", {"version": 1, "on": TODAY.isoformat(),
                                                                      "reason": ""})
    assert response.status_code == 200 and snapshot() == before
    response = client.post(f"/protection/orders/{order.pk}/revoke/", {
        "version": 1, "on": TODAY.isoformat(), "reason": "The defendant was convicted and is in prison."})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.version, order.is_in_force) == ("revoked", 2, False)
    assert order.events.get(kind="revoked").details == "The defendant was convicted and is in prison."
    assert pending(order) == []  # a revoked order is neither reviewed nor expires
    after = snapshot()
    prosecutor = demo.user("prosecutor")
    for change, kwargs in ((services.vary, {"reason": "x", "conditions": "y"}), (services.review, {"outcome": "x"}),
                           (services.revoke, {"reason": "again"})):
        with pytest.raises(ValidationError) as refused:
            change(order, actor=prosecutor, version=2, on=TODAY, **kwargs)
        assert "This order is revoked: it can no longer change." in refused.value.messages
    assert services.expire_due(TODAY + 365 * DAY) == []
    assert snapshot() == after
    page = client.get(f"/protection/orders/{order.pk}/vary/").content.decode()
    assert "This order is revoked: it can no longer change." in page and 'name="reason"' not in page
    detail = client.get(f"/protection/orders/{order.pk}/").content.decode()
    assert "Revoked" in detail and f"/protection/orders/{order.pk}/vary/" not in detail


def test_expire_due_expires_orders_past_their_expiry_once(order, demo):
    judge = demo.user("judge")
    later = services.record_order(new_order(demo, expires_on=TODAY + 300 * DAY), actor=judge)
    open_ended = services.record_order(new_order(demo, expires_on=None, next_review_on=None), actor=judge)
    assert services.expire_due(TODAY + 120 * DAY) == []  # the expiry day itself is still in force
    expired = services.expire_due(TODAY + 121 * DAY)
    assert [o.pk for o in expired] == [order.pk]
    order.refresh_from_db()
    assert (order.status, order.version) == ("expired", 2)
    event = order.events.get(kind="expired")
    assert (event.on, event.by) == (TODAY + 120 * DAY, None)
    # Its expiry deadline is met; the review it will never have is removed (history keeps it).
    assert set(Deadline.objects.filter(protection_order=order).values_list("kind", "status")) == {
        ("order_expiry", "met")}
    assert Deadline.history.filter(protection_order_id=order.pk, kind="order_review", history_type="-").exists()
    for other in (later, open_ended):
        other.refresh_from_db()
        assert other.status == "active"
    # A second run finds nothing to do: one event, same version.
    assert services.expire_due(TODAY + 121 * DAY) == []
    order.refresh_from_db()
    assert order.version == 2 and order.events.filter(kind="expired").count() == 1
    with pytest.raises(ValidationError):
        services.vary(order, actor=demo.user("prosecutor"), version=2, on=TODAY, reason="Too late.", conditions="x")


def test_expire_due_goes_on_when_one_order_fails(order, demo, monkeypatch):
    later = services.record_order(new_order(demo, expires_on=TODAY + 5 * DAY), actor=demo.user("judge"))
    create = OrderEvent.objects.create

    def failing(**kwargs):
        if kwargs["order"].pk == later.pk:
            raise RuntimeError("disk full")
        return create(**kwargs)

    monkeypatch.setattr(OrderEvent.objects, "create", failing)
    assert [o.pk for o in services.expire_due(TODAY + 200 * DAY)] == [order.pk]
    later.refresh_from_db()
    assert later.status == "active" and not later.events.filter(kind="expired").exists()


def test_an_order_recorded_after_its_expiry_is_expired_at_once(demo):
    expired = services.record_order(new_order(demo, issued_on=TODAY - 90 * DAY, effective_from=TODAY - 90 * DAY,
                                              expires_on=TODAY - DAY, next_review_on=None),
                                    actor=demo.user("prosecutor"))
    assert expired.status == "expired"
    assert not Deadline.objects.filter(protection_order=expired, status__in=Deadline.PENDING).exists()


# --- Validation -----------------------------------------------------------------------------

def test_bad_orders_are_refused_and_write_nothing(demo):
    prosecutor, c3 = demo.user("prosecutor"), demo.case("C3")
    stranger = Defendant.objects.create(case=c3, name="Someone Else")
    relative_of_v1 = ProtectedRelative.objects.create(victim=demo.victim("V1"), name="Rui Dias", relationship="brother")
    herself = Defendant.objects.get(case=demo.case("C1"), victim=demo.victim("V2"))
    before = snapshot()
    cases = [
        ({"restrained_defendant": herself}, {}, "restrained_defendant",
         "The protected victim cannot be the restrained person."),
        ({"restrained_defendant": stranger}, {}, "restrained_defendant", "This defendant is not in the order's case."),
        ({}, {"relatives": [relative_of_v1]}, "protected_relatives",
         "Only the protected victim's own relatives can be named."),
        ({"expires_on": TODAY - 20 * DAY}, {}, "__all__", "An order cannot expire before it takes effect."),
        ({"effective_from": TODAY - 20 * DAY}, {}, "__all__", "An order cannot take effect before it is issued."),
        ({"case": c3}, {}, "case", "The protected victim is not linked to this case."),
        ({"issuing_court": prosecutor.agency}, {}, "issuing_court", "Choose a court."),
        ({"next_review_on": TODAY - 30 * DAY}, {}, "next_review_on", "A review comes after the order is issued."),
    ]
    for fields, kwargs, field, message in cases:
        with pytest.raises(ValidationError) as refused:
            services.record_order(new_order(demo, **fields), actor=prosecutor, **kwargs)
        assert field in refused.value.message_dict, (fields, refused.value)
        if message:
            assert message in refused.value.message_dict[field]
    assert snapshot() == before


def test_the_form_refuses_a_defendant_of_another_case_and_an_expiry_before_effect(demo, login):
    c1, c3, v2 = demo.case("C1"), demo.case("C3"), demo.victim("V2")
    stranger = Defendant.objects.create(case=c3, name="Someone Else")
    relative_of_v1 = ProtectedRelative.objects.create(victim=demo.victim("V1"), name="Rui Dias", relationship="brother")
    client = login("prosecutor")
    url = f"/protection/orders/new/?victim={v2.pk}&case={c1.pk}"
    data = {"kind": "no_contact", "issuing_court": demo.user("judge").agency_id, "issued_on": TODAY.isoformat(),
            "effective_from": TODAY.isoformat(), "conditions": "No contact."}
    before = snapshot()
    page = client.post(url, {**data, "restrained_defendant": stranger.pk}).content.decode()
    assert "Select a valid choice" in page
    page = client.post(url, {**data, "protected_relatives": [relative_of_v1.pk]}).content.decode()
    assert "Select a valid choice" in page
    page = client.post(url, {**data, "expires_on": (TODAY - DAY).isoformat()}).content.decode()
    assert "An order cannot expire before it takes effect." in page
    assert snapshot() == before


def test_recording_an_order_on_the_page(demo, login):
    c1, v2 = demo.case("C1"), demo.victim("V2")
    ramos = Defendant.objects.get(case=c1, name="António Ramos")
    mother = ProtectedRelative.objects.get(victim=v2)
    client = login("prosecutor")
    url = f"/protection/orders/new/?victim={v2.pk}&case={c1.pk}"
    form = client.get(url).content.decode()
    assert "António Ramos" in form and "Ana Santos (mother)" in form
    assert "Maria Santos" not in form  # the protected victim, charged in the case, is not offered
    response = client.post(url, {
        "kind": "restraining", "issuing_court": demo.user("judge").agency_id, "court_reference": "77/26",
        "issued_on": TODAY.isoformat(), "effective_from": TODAY.isoformat(),
        "expires_on": (TODAY + 180 * DAY).isoformat(), "next_review_on": (TODAY + 60 * DAY).isoformat(),
        "conditions": "Stay away.", "restrained_defendant": ramos.pk, "protected_relatives": [mother.pk]})
    assert response.status_code == 302
    created = ProtectionOrder.objects.get(court_reference="77/26")
    assert response["Location"] == f"/protection/orders/{created.pk}/"
    assert (created.victim, created.case, created.restrained_defendant, created.status, created.recorded_by.username) == (
        v2, c1, ramos, "active", "prosecutor")
    assert list(created.protected_relatives.all()) == [mother]
    assert pending(created) == [("order_expiry", TODAY + 180 * DAY), ("order_review", TODAY + 60 * DAY)]
    # The court's staff see neither the relatives' names nor their field: a name identifies.
    judge_form = login("judge").get(url).content.decode()
    assert "Ana Santos" not in judge_form and 'name="protected_relatives"' not in judge_form
    assert 'name="restrained_defendant"' in judge_form
    judge_page = login("judge").get(f"/protection/orders/{created.pk}/").content.decode()
    assert "Ana Santos" not in judge_page and "1 relative (names are shown only" in judge_page
    assert "António Ramos" in judge_page
    # The NGO sees the relative's name but not the defendant (no investigative detail).
    ngo_page = login("caseworker").get(f"/protection/orders/{created.pk}/").content.decode()
    assert "Ana Santos (mother)" in ngo_page and "António Ramos" not in ngo_page
    assert "a defendant of the case (not shown to you)" in ngo_page


# --- Violations -----------------------------------------------------------------------------

def test_a_violation_flags_the_victim_and_tells_the_prosecutor_and_the_ngo_once(order, demo, login):
    v2 = order.victim
    client = login("caseworker")
    assert "risk re-assessment" not in client.get(f"/victims/{v2.pk}/").content.decode()
    occurred = timezone.localtime() - datetime.timedelta(hours=3)
    response = client.post(f"/protection/orders/{order.pk}/violations/new/", {
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"), "description": "He waited outside the shelter.",
        "action_taken": "none_yet", "escalation": "police"})
    assert response.status_code == 302 and response["Location"] == f"/protection/orders/{order.pk}/#violations"
    violation = Violation.objects.get(order=order)
    assert (violation.reported_by.username, violation.escalation) == ("caseworker", "police")
    # A pending risk re-assessment for the supporting NGO.
    deadline = Deadline.objects.get(kind=Deadline.Kind.RISK_REASSESSMENT, victim=v2)
    assert deadline.status == "open" and deadline.responsible_agency == demo.user("caseworker").agency
    assert deadline.title == f"Re-assess the risk to {v2.code} after a violation of the order"
    # The flag shows on the victim page and its list.
    page = client.get(f"/victims/{v2.pk}/").content.decode()
    assert 'class="flag-risk-reassessment"' in page and "Risk re-assessment needed" in page
    assert Victim.objects.filter(victim_needs_risk_reassessment()).get() == v2
    # The prosecutor of the case and the NGO's caseworker, once each; nobody else.
    notes = Notification.objects.filter(violation=violation)
    assert sorted(notes.values_list("recipient__username", flat=True)) == ["caseworker", "prosecutor"]
    note = notes.first()
    assert note.subject == f"Protection order violated: {v2.code} ({order.case.reference})"
    assert note.kind == "violation" and note.url == f"/protection/orders/{order.pk}/"
    for text in (note.subject, note.body):
        for identity in ("Maria", "Santos", "Ana", "mother", "shelter"):
            assert identity not in text
    # Reporting the same violation again tells nobody twice; the database refuses a duplicate.
    services.report_violation(violation, actor=demo.user("caseworker"))
    assert notes.count() == 2 and Violation.objects.filter(order=violation.order).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=demo.user("prosecutor"), kind="violation", violation=violation,
                                    subject="again")
    # A completed risk assessment meets the deadline and clears the flag.
    RiskAssessment.objects.create(victim=v2, level="high", completed=True, limits_of_protection_explained=True,
                                  assessed_by=demo.user("caseworker"), agency=demo.user("caseworker").agency)
    deadline.refresh_from_db()
    assert deadline.status == "met"
    assert 'class="flag-risk-reassessment"' not in client.get(f"/victims/{v2.pk}/").content.decode()


def test_an_unfinished_assessment_leaves_the_flag(order, demo):
    services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="Phoned."),
                              actor=demo.user("prosecutor"))
    RiskAssessment.objects.create(victim=order.victim, level="high", completed=False,
                                  assessed_by=demo.user("caseworker"), agency=demo.user("caseworker").agency)
    assert Victim.objects.filter(victim_needs_risk_reassessment()).filter(pk=order.victim_id).exists()
    assert Deadline.objects.get(kind="risk_reassessment", victim=order.victim).status == "open"


def test_nobody_outside_is_told(order, demo):
    """Not the other country's NGO, not the investigator; not someone excluded from the case."""
    from cases.models import CaseExclusion

    CaseExclusion.objects.create(case=order.case, user=demo.user("caseworker"), reason="Conflict of interest.",
                                 excluded_by=demo.user("prosecutor"))
    recipients = {user.username for user in services.violation_recipients(order)}
    assert recipients == {"prosecutor"}


def test_the_flag_on_the_dashboards_case_flags(order, demo):
    services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="Phoned."),
                              actor=demo.user("investigator"))
    cases = Case.objects.annotate(risk_reassessment=case_needs_risk_reassessment())
    flagged = cases.get(pk=order.case_id)
    assert flagged.risk_reassessment and not cases.get(pk=demo.case("C3").pk).risk_reassessment
    assert "risk re-assessment" in render_to_string("reports/_flags.html", {"case": flagged})
    assert "risk re-assessment" not in render_to_string("reports/_flags.html", {"case": cases.get(
        pk=demo.case("C3").pk)})


def test_the_prosecutor_dashboard_shows_the_flag(order, demo, login):
    """Needs reports.services.annotate_continuity to add risk_reassessment (see the report)."""
    services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="Phoned."),
                              actor=demo.user("investigator"))
    page = login("prosecutor").get("/reports/dashboard/").content.decode()
    assert 'class="flag-risk-reassessment"' in page


def test_bad_violations_write_nothing(order, demo, login):
    before = snapshot()
    caseworker = demo.user("caseworker")
    for when, message in ((timezone.now() + datetime.timedelta(hours=2),
                           "A violation cannot be reported before it happens."),
                          (timezone.now() - 90 * DAY, "The order was not in force then")):
        with pytest.raises(ValidationError) as refused:
            services.report_violation(Violation(order=order, occurred_at=when, description="x"), actor=caseworker)
        assert message in str(refused.value)
    page = login("caseworker").post(f"/protection/orders/{order.pk}/violations/new/", {
        "occurred_at": "", "description": "", "action_taken": "none_yet", "escalation": "none"})
    assert page.status_code == 200 and "This field is required." in page.content.decode()
    assert snapshot() == before


def test_recording_what_was_done_about_a_violation(order, demo, login):
    violation = services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="Phoned."),
                                          actor=demo.user("caseworker"))
    client = login("investigator")
    response = client.post(f"/protection/violations/{violation.pk}/edit/", {
        "action_taken": "arrest", "action_details": "Arrested the same day.", "escalation": "prosecutor",
        "description": "Changed?"})
    assert response.status_code == 302
    violation.refresh_from_db()
    assert (violation.action_taken, violation.action_details, violation.escalation, violation.description) == (
        "arrest", "Arrested the same day.", "prosecutor", "Phoned.")
    assert Notification.objects.filter(violation=violation).count() == 2  # editing tells nobody again
    page = client.get(f"/protection/orders/{order.pk}/").content.decode()
    assert "Arrest" in page and "Arrested the same day." in page


# --- Who may do what --------------------------------------------------------------------------

def test_permission_matrix_on_the_pages(order, demo, login):
    v2, c1 = demo.victim("V2"), demo.case("C1")
    violation = services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="Phoned."),
                                          actor=demo.user("caseworker"))
    seen_victim = READERS | SEE_VICTIM_ONLY
    table = {
        f"/protection/orders/{order.pk}/": (READERS, READERS),
        f"/protection/orders/new/?victim={v2.pk}&case={c1.pk}": (RECORD_IN_C1, seen_victim),
        f"/protection/orders/new/?victim={v2.pk}": (RECORD_ALONE, seen_victim),
        f"/protection/orders/{order.pk}/vary/": (KEEPERS, READERS),
        f"/protection/orders/{order.pk}/review/": (KEEPERS, READERS),
        f"/protection/orders/{order.pk}/revoke/": (KEEPERS, READERS),
        f"/protection/orders/{order.pk}/violations/new/": (READERS, READERS),
        # Anyone who sees the order reports; those who keep it record what was done.
        f"/protection/violations/{violation.pk}/edit/": (KEEPERS, READERS),
    }
    assert READERS | SEE_VICTIM_ONLY | NOBODY_ELSE == set(DEMO_USERS)
    got, want = {}, {}
    for name in DEMO_USERS:
        client = login(name)
        for url, (allowed, visible) in table.items():
            got[name, url] = client.get(url).status_code
            want[name, url] = expected(name, allowed, visible)
    assert got == want


def test_refused_writes_change_nothing(order, demo, login):
    before = snapshot()
    for name in sorted(set(DEMO_USERS) - KEEPERS):
        client = login(name)
        response = client.post(f"/protection/orders/{order.pk}/revoke/", {
            "version": 1, "on": TODAY.isoformat(), "reason": "Not mine to revoke."})
        assert response.status_code == (403 if name in READERS else 404), name
    for name in sorted(set(DEMO_USERS) - READERS):
        response = login(name).post(f"/protection/orders/{order.pk}/violations/new/", {
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "description": "x",
            "action_taken": "none_yet", "escalation": "none"})
        assert response.status_code == 404, name
    response = login("caseworker").post(f"/protection/orders/new/?victim={order.victim_id}&case={order.case_id}", {
        "kind": "no_contact", "issuing_court": order.issuing_court_id, "issued_on": TODAY.isoformat(),
        "effective_from": TODAY.isoformat(), "conditions": "x"})
    assert response.status_code == 403
    assert snapshot() == before


def test_the_services_ask_the_policy_too(order, demo):
    caseworker, focalpoint = demo.user("caseworker"), demo.user("focalpoint")
    with pytest.raises(PermissionDenied):
        services.revoke(order, actor=caseworker, version=1, on=TODAY, reason="x")
    with pytest.raises(Http404):
        services.revoke(order, actor=focalpoint, version=1, on=TODAY, reason="x")
    with pytest.raises(PermissionDenied):
        services.record_order(new_order(demo), actor=caseworker)
    with pytest.raises(Http404):
        services.record_order(new_order(demo), actor=demo.user("caseworker.br"))
    with pytest.raises(Http404):
        services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="x"),
                                  actor=focalpoint)
    assert not Violation.objects.filter(order=order).exists()
    assert services.may_record(demo.user("judge"), order.victim, order.case, order.issuing_court)
    assert not services.may_record(demo.user("judge"), order.victim, order.case, demo.user("prosecutor").agency)


def test_who_sees_the_order_through_the_policy(order, demo):
    import access

    seen = {name for name in DEMO_USERS if access.visible(demo.user(name), ProtectionOrder).filter(pk=order.pk)}
    assert seen == READERS


# --- The victim page ------------------------------------------------------------------------

def test_the_victim_page_lists_the_orders_the_user_may_see(order, demo, login):
    """The victim page shows the orders panel protection adds to it (protection.selectors.victim_orders)."""
    v2, c1 = demo.victim("V2"), demo.case("C1")
    create = "/protection/orders/new/"
    prosecutor = login("prosecutor").get(f"/victims/{v2.pk}/").content.decode()
    assert 'id="protection-orders"' in prosecutor
    assert f'href="/protection/orders/{order.pk}/"' in prosecutor and "No-contact order" in prosecutor
    assert f'{create}?victim={v2.pk}"' in prosecutor and f"{create}?victim={v2.pk}&amp;case={c1.pk}" in prosecutor
    caseworker = login("caseworker").get(f"/victims/{v2.pk}/").content.decode()
    assert f'href="/protection/orders/{order.pk}/"' in caseworker and create not in caseworker
    supervisor = login("supervisor").get(f"/victims/{v2.pk}/").content.decode()
    assert f'{create}?victim={v2.pk}"' not in supervisor and f"{create}?victim={v2.pk}&amp;case={c1.pk}" in supervisor
    focal = login("focalpoint").get(f"/victims/{v2.pk}/").content.decode()
    assert "No protection order you may see." in focal and f"/protection/orders/{order.pk}/" not in focal
    assert create not in focal


# --- Queries --------------------------------------------------------------------------------

def test_the_order_page_runs_the_same_queries_however_much_it_holds(order, demo, login, count_queries):
    client, prosecutor = login("prosecutor"), demo.user("prosecutor")
    url = f"/protection/orders/{order.pk}/"
    few, _page = count_queries(client, url)
    for number in range(4):
        services.report_violation(Violation(order=order, occurred_at=timezone.now() - number * DAY,
                                            description=f"Violation {number}"), actor=prosecutor)
    relatives = [ProtectedRelative.objects.create(victim=order.victim, name=f"Relative {n}", relationship="cousin")
                 for n in range(3)]
    order = services.vary(order, actor=prosecutor, version=1, on=TODAY, reason="More relatives.",
                          relatives=[*order.protected_relatives.all(), *relatives])
    services.review(order, actor=prosecutor, version=2, on=TODAY, outcome="Fine.", next_review_on=TODAY + 40 * DAY)
    many, response = count_queries(client, url)
    page = response.content.decode()
    assert page.count("Violation ") == 4 and page.count("Relative ") == 3
    assert many == few, (few, many)


def test_the_victim_page_runs_the_same_queries_however_many_orders(order, demo, login, count_queries):
    client, judge, v2 = login("prosecutor"), demo.user("judge"), demo.victim("V2")
    url = f"/victims/{v2.pk}/"
    few, _page = count_queries(client, url)
    for number in range(5):
        services.record_order(new_order(demo, court_reference=f"ORD-{number}"), actor=judge)
    many, _page = count_queries(client, url)
    assert many == few, (few, many)


def test_the_record_page_needs_a_victim_and_a_case_of_that_victim(demo, login):
    client, v2 = login("prosecutor"), demo.victim("V2")
    assert client.get("/protection/orders/new/").status_code == 404
    assert client.get("/protection/orders/new/?victim=abc").status_code == 404
    assert client.get(f"/protection/orders/new/?victim={v2.pk}&case={demo.case('C3').pk}").status_code == 404
    assert client.get(f"/protection/orders/new/?victim={v2.pk}&case=999999").status_code == 404


def test_an_order_for_the_victim_alone(demo, login):
    """Recorded by the police with no case: seen through the victim's safety file and by the
    issuing court, not by the case's people who do not work with the victim."""
    v2 = demo.victim("V2")
    court = demo.user("judge").agency
    response = login("investigator").post(f"/protection/orders/new/?victim={v2.pk}", {
        "kind": "witness_protection", "issuing_court": court.pk, "issued_on": TODAY.isoformat(),
        "effective_from": TODAY.isoformat(), "conditions": "Admitted to the programme."})
    assert response.status_code == 302
    alone = ProtectionOrder.objects.get(kind="witness_protection")
    assert alone.case is None and alone.restrained_defendant is None
    page = login("caseworker").get(f"/protection/orders/{alone.pk}/").content.decode()
    assert "Witness-protection programme admission" in page and 'name="restrained_defendant"' not in page
    import access

    seen = {name for name in DEMO_USERS if access.visible(demo.user(name), ProtectionOrder).filter(pk=alone.pk)}
    assert seen == {"investigator", "prosecutor", "caseworker", "clerk", "judge"}
