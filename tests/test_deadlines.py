"""Deadlines as rows [SPEC 2.5]: generated ones follow their records (and never twice),
entered ones are statutory or procedural, meeting and extending keep the record straight,
who sees and handles each kind of deadline (pages and API, every demo user), and a constant
number of queries on the list page and the API."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Agency, User
from cases import lifecycle
from cases import services as case_services
from cases.models import Case, CaseAgency, CooperationRequest, Defendant
from deadlines import services as deadlines
from deadlines.models import Deadline
from protection import services as order_services
from protection.models import ProtectionOrder
from referrals import services as referral_services
from referrals.models import Referral
from victims import services as victim_services
from victims.models import Consent, ResidencePermit

from . import factories
from .conftest import DEMO_USERS

K, St = Deadline.Kind, Deadline.Status
TODAY = timezone.localdate
LIST, API = "/calendar/deadlines/", "/api/deadlines/"


def days(n):
    return datetime.timedelta(days=n)


def generated(**filters):
    return list(Deadline.objects.filter(**filters).exclude(source_key="").order_by("id"))


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def office(db):
    """A police unit, a prosecution office, an NGO and a case the office prosecutes."""
    class World:
        police = factories.agency("police")
        prosecution = factories.agency("prosecution")
        ngo = factories.agency("ngo")
        shelter = factories.agency("ngo", name="Shelter for deadlines")
        hostel = factories.agency("ngo", name="Hostel for deadlines")
    w = World()
    w.investigator = factories.user(w.police, "investigator")
    w.caseworker = factories.user(w.ngo, "caseworker")
    w.receiver = factories.user(w.shelter, "caseworker")
    w.case = factories.case(w.investigator, agencies=[(w.prosecution, CaseAgency.Role.PROSECUTING)])
    w.victim = factories.victim(w.caseworker, supporting_agencies=[w.ngo], status="presumed")
    return w


# --- Generated deadlines follow their records ------------------------------------------------

def test_a_stage_move_meets_the_old_standard_and_opens_the_new(office):
    case = office.case
    [intake] = generated(case=case, kind=K.STAGE_STANDARD)
    standard = lifecycle.stage_standard_days(case, False)
    assert (intake.status, intake.due_at) == (St.OPEN, case.stage_entered_at + days(standard))
    # The police answer for intake and investigation (the lead investigator, who opened the
    # case and holds it from then on), the prosecution for the stages after.
    assert (intake.responsible_user, intake.responsible_agency) == (office.investigator, office.police)
    case = lifecycle.move(case, Case.Stage.INVESTIGATION, actor=office.investigator)
    intake.refresh_from_db()
    assert intake.status == St.MET and intake.closed_at is not None
    [new] = generated(case=case, kind=K.STAGE_STANDARD, status__in=Deadline.PENDING)
    assert new.due_at == case.stage_entered_at + days(lifecycle.stage_standard_days(case, False))
    assert new.title.startswith("Investigation within the time standard")
    # Saving the case again (an edit of its title) makes no second row.
    Case.objects.get(pk=case.pk).save()
    Case.objects.get(pk=case.pk).save()
    assert len(generated(case=case, kind=K.STAGE_STANDARD)) == 2


def referral_to(office, agency):
    victim_services.give_consent(office.victim, actor=office.caseworker, purpose=Consent.Purpose.REFERRAL,
                                 agency=agency, informed=True)
    return referral_services.send_referral(office.victim, actor=office.caseworker, to_agency=agency,
                                           services=["shelter"])


def test_a_referral_answered_meets_its_deadline_and_a_withdrawn_one_removes_it(office):
    referral = referral_to(office, office.shelter)
    [row] = generated(referral=referral)
    assert (row.kind, row.status, row.due_at, row.responsible_agency) == (
        K.REFERRAL_RESPONSE, St.OPEN, referral.response_due_at, office.shelter)
    Referral.objects.get(pk=referral.pk).save()  # saved twice: still one row
    assert generated(referral=referral) == [row]
    referral = referral_services.move(referral, "accept", actor=office.receiver)
    row.refresh_from_db()
    assert (row.status, row.closed_at) == (St.MET, referral.accepted_at)

    second = referral_to(office, office.hostel)
    [pending] = generated(referral=second)
    referral_services.move(second, "withdraw", actor=office.caseworker, reason="Found a place elsewhere")
    assert generated(referral=second) == []
    # The history keeps what was removed.
    assert Deadline.history.filter(id=pending.pk, history_type="-").exists()


def test_a_cooperation_request_sent_has_an_answer_deadline_met_when_executed(office):
    request = CooperationRequest.objects.create(case=office.case, kind="mla", requesting_state="PT",
                                                requested_state="ES", response_due_on=TODAY() + days(30))
    assert generated(cooperation_request=request) == []  # a draft waits for nothing
    request.status, request.sent_on = CooperationRequest.Status.SENT, TODAY()
    request.save()
    request.save()
    [row] = generated(cooperation_request=request)
    assert (row.kind, row.status, row.case) == (K.COOPERATION_RESPONSE, St.OPEN, office.case)
    assert row.due_at == deadlines.end_of_day(TODAY() + days(30))
    assert row.responsible_agency == office.prosecution
    request.status = CooperationRequest.Status.EXECUTED
    request.save()
    row.refresh_from_db()
    assert row.status == St.MET
    request.save()  # once met, saving again neither reopens it nor adds one
    assert [(r.pk, r.status) for r in generated(cooperation_request=request)] == [(row.pk, St.MET)]


def test_pre_trial_detention_limit_follows_the_defendant(office):
    limit = TODAY() + days(60)
    defendant = case_services.save_defendant(Defendant(
        case=office.case, name="A. Detained", custody=Defendant.Custody.PRE_TRIAL_DETENTION,
        detention_started_on=TODAY() - days(10), detention_limit_on=limit))
    case_services.save_defendant(defendant)
    [row] = generated(defendant=defendant)
    assert (row.kind, row.status, row.case, row.due_at) == (
        K.PRE_TRIAL_DETENTION, St.OPEN, office.case, deadlines.end_of_day(limit))
    # The court prolongs detention: the deadline moves (one pending row, the new date).
    defendant.detention_limit_on = limit + days(30)
    case_services.save_defendant(defendant)
    [moved] = generated(defendant=defendant)
    assert moved.due_at == deadlines.end_of_day(limit + days(30)) and moved.status == St.OPEN
    # Released on bail: met.
    defendant.custody = Defendant.Custody.BAIL
    case_services.save_defendant(defendant)
    moved.refresh_from_db()
    assert moved.status == St.MET


def test_reflection_period_end(office):
    period = victim_services.start_reflection_period(office.victim, jurisdiction=factories.jurisdiction())
    period.save()
    [row] = generated(victim=office.victim, kind=K.REFLECTION_END)
    assert (row.status, row.due_at, row.responsible_agency) == (
        St.OPEN, deadlines.end_of_day(period.ends_on), office.ngo)
    assert office.victim.code in row.title and "Test" not in row.title  # the code, never the name


def test_residence_permit_expiry_and_renewal(office):
    permit = ResidencePermit.objects.create(victim=office.victim, kind=ResidencePermit.Kind.VICTIM,
                                            status=ResidencePermit.Status.GRANTED, issued_on=TODAY(),
                                            expires_on=TODAY() + days(180))
    permit.save()
    [row] = generated(victim=office.victim, kind=K.PERMIT_EXPIRY)
    assert (row.status, row.due_at) == (St.OPEN, deadlines.end_of_day(TODAY() + days(180)))
    renewal = ResidencePermit.objects.create(victim=office.victim, kind=ResidencePermit.Kind.VICTIM,
                                             status=ResidencePermit.Status.GRANTED, renewal_of=permit,
                                             issued_on=TODAY() + days(170), expires_on=TODAY() + days(545))
    row.refresh_from_db()
    assert row.status == St.MET
    [new] = generated(victim=office.victim, kind=K.PERMIT_EXPIRY, status__in=Deadline.PENDING)
    assert new.source_key.startswith(f"permit:{renewal.pk}:")
    assert new.due_at == deadlines.end_of_day(TODAY() + days(545))


# --- Entering, meeting, extending --------------------------------------------------------------

def test_the_entry_form_offers_entered_kinds_and_the_cases_defendants(demo, login):
    c1 = demo.case("C1")
    html = login("prosecutor").get(f"{LIST}new/?case={c1.pk}").content.decode()
    kinds = re.findall(r'<option value="([a-z_]+)"', re.search(r'<select name="kind".*?</select>', html, re.S)[0])
    assert kinds == ["pre_trial_detention", "indictment", "disclosure", "appeal_window", "procedural"]
    defendants = re.search(r'<select name="defendant".*?</select>', html, re.S)[0]
    assert "António Ramos" in defendants and "Maria Santos" in defendants
    # About a victim: no defendant to choose.
    html = login("caseworker").get(f"{LIST}new/?victim={demo.victim('V2').pk}").content.decode()
    assert 'name="defendant"' not in html and 'name="kind"' in html


def test_entering_a_deadline_on_a_case(demo, login):
    c1, prosecutor = demo.case("C1"), demo.user("prosecutor")
    ramos = Defendant.objects.get(case=c1, name="António Ramos")
    due = (timezone.localtime() + days(20)).replace(second=0, microsecond=0)
    response = login("prosecutor").post(f"{LIST}new/?case={c1.pk}", {
        "kind": "indictment", "title": "Indict or release", "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "defendant": ramos.pk, "responsible_user": prosecutor.pk, "responsible_agency": prosecutor.agency_id})
    assert response.status_code == 302 and response["Location"] == f"/cases/{c1.pk}/#deadlines"
    row = Deadline.objects.get(title="Indict or release")
    assert (row.kind, row.case, row.defendant, row.victim, row.due_at, row.status, row.created_by, row.source_key) == (
        K.INDICTMENT, c1, ramos, None, due, St.OPEN, prosecutor, "")


def test_entering_refuses_generated_kinds_and_incomplete_ones(demo, login, api_login):
    c1 = demo.case("C1")
    before = Deadline.objects.count()
    client = login("prosecutor")
    due = (timezone.localtime() + days(5)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(f"{LIST}new/?case={c1.pk}", {"kind": "stage_standard", "title": "x", "due_at": due}
                       ).content.decode()
    assert "Select a valid choice" in html
    html = client.post(f"{LIST}new/?case={c1.pk}", {"kind": "pre_trial_detention", "title": "x", "due_at": due}
                       ).content.decode()
    assert "A pre-trial detention limit is about a defendant: choose them." in html
    api = api_login("prosecutor")
    answer = api.post(API, {"kind": "stage_standard", "title": "x", "due_at": due, "case": c1.pk}, format="json")
    assert answer.status_code == 400
    assert answer.json()["kind"] == ["This kind of deadline is generated by the system; enter a statutory or "
                                     "procedural one."]
    answer = api.post(API, {"kind": "procedural", "title": "x", "due_at": due, "case": c1.pk,
                            "victim": demo.victim("V1").pk}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": ["A deadline you enter is about a case or about a victim, not both."]}
    answer = api.post(API, {"kind": "procedural", "title": "x", "due_at": due}, format="json")
    assert answer.json() == {"non_field_errors": ["Choose the case or the victim the deadline is about."]}
    other = case_services.save_defendant(Defendant(case=demo.case("C3"), name="Somebody else"))
    with pytest.raises(ValidationError, match="not in the deadline's case"):
        deadlines.add(Deadline(kind=K.PRE_TRIAL_DETENTION, title="x", due_at=timezone.now() + days(3), case=c1,
                               defendant=other), actor=demo.user("prosecutor"))
    assert Deadline.objects.count() == before


@pytest.mark.parametrize("username, anchor, status", [
    ("caseworker", "case", 403),  # sees C1, may not change it
    ("focalpoint", "case", 403),
    ("frontline", "case", 404),  # does not see C1
    ("auditor", "case", 404),
    ("caseworker.br", "case", 404),
    ("clerk", "victim", 403),  # sees V2's record, may not change it
    ("investigator.br", "victim", 404),
])
def test_who_may_not_enter_a_deadline(demo, login, api_login, username, anchor, status):
    record = demo.case("C1") if anchor == "case" else demo.victim("V2")
    before = Deadline.objects.count()
    client = login(username)
    url = f"{LIST}new/?{anchor}={record.pk}"
    assert client.get(url).status_code == status
    due = (timezone.localtime() + days(5)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, {"kind": "procedural", "title": "x", "due_at": due}).status_code == status
    answer = api_login(username).post(API, {"kind": "procedural", "title": "x", "due_at": due, anchor: record.pk},
                                      format="json")
    if status == 403:
        assert answer.status_code == 403
    else:  # the API's answer for a record one may not see: a field error, as for one that does not exist
        assert answer.status_code == 400
        assert answer.json() == {anchor: ["No such record, or you are not allowed to see it."]}
    assert Deadline.objects.count() == before


def test_a_caseworker_enters_a_deadline_about_a_victim(demo, login):
    v2, caseworker = demo.victim("V2"), demo.user("caseworker")
    due = (timezone.localtime() + days(9)).replace(second=0, microsecond=0)
    response = login("caseworker").post(f"{LIST}new/?victim={v2.pk}", {
        "kind": "procedural", "title": "Statement to the prosecutor agreed", "due_at": due.strftime("%Y-%m-%dT%H:%M"),
        "responsible_agency": caseworker.agency_id})
    assert response.status_code == 302 and response["Location"] == f"/victims/{v2.pk}/"
    row = Deadline.objects.get(title="Statement to the prosecutor agreed")
    assert (row.victim, row.case, row.responsible_user, row.responsible_agency) == (v2, None, None, caseworker.agency)
    assert row in deadlines.mine(caseworker)  # the agency answers for it when nobody is named


def disclosure(demo):
    return Deadline.objects.get(case=demo.case("C1"), kind=K.DISCLOSURE)


def test_extending_keeps_the_first_date_and_needs_a_reason(demo, login):
    row, client = disclosure(demo), login("prosecutor")
    first = row.due_at
    url = f"{LIST}{row.pk}/extend/"
    assert client.get(url).status_code == 200
    later = timezone.localtime(first + days(7)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(url, {"new_due_at": later, "reason": "   "}).content.decode()
    assert "This field is required." in html or "An extension needs its reason." in html
    earlier = timezone.localtime(first - days(1)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(url, {"new_due_at": earlier, "reason": "Defence asked"}).content.decode()
    assert "An extension moves the deadline later than" in html
    row.refresh_from_db()
    assert (row.status, row.due_at, row.original_due_at) == (St.OPEN, first, None)  # nothing written

    response = client.post(url, {"new_due_at": later, "reason": "Defence asked for a week", "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    row.refresh_from_db()
    assert (row.status, row.original_due_at, row.extension_reason) == (St.EXTENDED, first, "Defence asked for a week")
    assert timezone.localtime(row.due_at).strftime("%Y-%m-%dT%H:%M") == later
    # A second extension keeps the very first date.
    deadlines.extend(row, actor=demo.user("prosecutor"), new_due_at=row.due_at + days(3), reason="Again")
    row.refresh_from_db()
    assert (row.original_due_at, row.extension_reason, row.status) == (first, "Again", St.EXTENDED)
    html = client.get(LIST).content.decode()
    assert f"first due {timezone.localtime(first):%Y-%m-%d}: Again" in html


def test_a_met_deadline_cannot_be_extended_or_met_again(demo, login, api_login):
    row, client = disclosure(demo), login("prosecutor")
    response = client.post(f"{LIST}{row.pk}/met/", {"next": f"/cases/{row.case_id}/#deadlines"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{row.case_id}/#deadlines"
    row.refresh_from_db()
    assert row.status == St.MET and row.closed_at is not None
    html = client.get(f"{LIST}{row.pk}/extend/").content.decode()
    assert "This deadline is met: only a pending deadline can be extended." in html
    later = timezone.localtime(row.due_at + days(7)).strftime("%Y-%m-%dT%H:%M")
    html = client.post(f"{LIST}{row.pk}/extend/", {"new_due_at": later, "reason": "Late"}).content.decode()
    assert "This deadline is already met." in html
    with pytest.raises(ValidationError, match="already met"):
        deadlines.extend(row, actor=demo.user("prosecutor"), new_due_at=row.due_at + days(7), reason="Late")
    answer = api_login("prosecutor").post(f"{API}{row.pk}/met/")
    assert answer.status_code == 400 and answer.json() == {"non_field_errors": ["This deadline is already met."]}
    follow = client.post(f"{LIST}{row.pk}/met/", follow=True)
    assert "This deadline is already met." in follow.content.decode()
    fresh = Deadline.objects.get(pk=row.pk)
    assert (fresh.status, fresh.due_at, fresh.original_due_at, fresh.closed_at) == (
        St.MET, row.due_at, None, row.closed_at)


def test_the_api_enters_meets_and_extends(demo, api_login):
    c1, api = demo.case("C1"), api_login("prosecutor")
    due = timezone.now().replace(microsecond=0) + days(10)
    answer = api.post(API, {"kind": "appeal_window", "title": "Appeal window closes", "due_at": due.isoformat(),
                            "case": c1.pk}, format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert (data["kind"], data["category"], data["case_reference"], data["status"], data["may_change"]) == (
        "appeal_window", "Statutory", c1.reference, "open", True)
    pk = data["id"]
    answer = api.post(f"{API}{pk}/extend/", {"new_due_at": (due + days(5)).isoformat(), "reason": ""}, format="json")
    assert answer.status_code == 400 and answer.json() == {"reason": ["An extension needs its reason."]}
    answer = api.post(f"{API}{pk}/extend/", {"new_due_at": (due + days(5)).isoformat(), "reason": "Court closed"},
                      format="json")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["extension_reason"]) == ("extended", "Court closed")
    row = Deadline.objects.get(pk=pk)
    assert (row.original_due_at, row.due_at) == (due, due + days(5))
    answer = api.post(f"{API}{pk}/met/")
    assert answer.status_code == 200 and answer.json()["status"] == "met"
    assert Deadline.objects.get(pk=pk).status == St.MET


def test_api_filters(demo, api_login):
    c1, v2 = demo.case("C1"), demo.victim("V2")
    api = api_login("prosecutor")

    def ids(query):
        answer = api.get(f"{API}?{query}")
        assert answer.status_code == 200
        return {row["id"] for row in answer.json()["results"]}

    prosecutor = demo.user("prosecutor")
    assert ids("mine=1") == set(deadlines.mine(prosecutor).values_list("pk", flat=True))
    assert ids("mine=1&status=met") == set(Deadline.objects.filter(deadlines.responsible(prosecutor), status=St.MET)
                                           .values_list("pk", flat=True)) != set()
    on_c1 = ids(f"case={c1.pk}")
    assert on_c1 == set(Deadline.objects.filter(case=c1).values_list("pk", flat=True))
    assert ids(f"case={c1.pk}&status=met") == set(Deadline.objects.filter(case=c1, status=St.MET)
                                                   .values_list("pk", flat=True))
    assert ids(f"case={c1.pk}&status=pending") == set(Deadline.objects.filter(case=c1, status__in=Deadline.PENDING)
                                                      .values_list("pk", flat=True))
    overdue = ids("status=overdue")
    assert overdue and all(row.is_overdue for row in Deadline.objects.filter(pk__in=overdue))
    assert ids(f"victim={v2.pk}") == set(Deadline.objects.filter(victim=v2).values_list("pk", flat=True))


# --- Who sees and handles which deadline ---------------------------------------------------------

VIEWERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}
MATRIX = {
    # anchor: (who sees it, who may mark it met or extend it)
    "case": (VIEWERS, {"investigator", "prosecutor", "supervisor"}),
    "victim": (VIEWERS, {"investigator", "prosecutor", "caseworker"}),
    "referral": ({"frontline", "caseworker"}, {"caseworker"}),  # the two agencies; the receiving one answers
    "order": (VIEWERS - {"focalpoint"}, {"investigator", "prosecutor", "supervisor", "clerk", "judge"}),
    "defendant": ({"investigator", "prosecutor", "supervisor", "clerk", "judge"}, {"investigator", "prosecutor"}),
    "abroad": ({"investigator.br", "caseworker.br"}, {"investigator.br"}),
}


def anchored(demo):
    """One pending demo deadline per anchor."""
    c1 = demo.case("C1")
    rows = {
        "case": disclosure(demo),
        "victim": Deadline.objects.get(victim=demo.victim("V2"), kind=K.PERMIT_EXPIRY),
        "referral": Deadline.objects.get(kind=K.REFERRAL_RESPONSE, referral__victim=demo.victim("V6")),
        "order": Deadline.objects.get(case=c1, kind=K.ORDER_REVIEW),
        "defendant": Deadline.objects.get(case=c1, kind=K.PRE_TRIAL_DETENTION),
        "abroad": Deadline.objects.get(case=demo.case("C4"), kind=K.STAGE_STANDARD, status=St.OPEN),
    }
    # The demo referral was answered long ago: open its deadline again for the test.
    Deadline.objects.filter(pk=rows["referral"].pk).update(status=St.OPEN, closed_at=None)
    return rows


def test_the_matrix_covers_every_demo_user():
    assert set(DEMO_USERS) >= set().union(*(seen for seen, _ in MATRIX.values()))


@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_sees_and_handles_each_deadline(demo, login, api_login, username):
    rows = anchored(demo)
    client, api = login(username), api_login(username)
    page = client.get(f"{LIST}?status=any")
    listed = set(map(int, re.findall(r'data-deadline="(\d+)"', page.content.decode())))
    api_listed = {row["id"] for row in api.get(API).json()["results"]}
    for anchor, row in rows.items():
        sees, changes = (username in group for group in MATRIX[anchor])
        label = (username, anchor)
        assert (row.pk in listed) == sees, label
        assert (row.pk in api_listed) == sees, label
        answer = api.get(f"{API}{row.pk}/")
        assert answer.status_code == (200 if sees else 404), label
        if sees:
            assert answer.json()["may_change"] == changes, label
        later = (row.due_at + days(3)).isoformat()
        extended = api.post(f"{API}{row.pk}/extend/", {"new_due_at": later, "reason": "Agreed"}, format="json")
        met = client.post(f"{LIST}{row.pk}/met/")
        fresh = Deadline.objects.get(pk=row.pk)
        if changes:
            assert (extended.status_code, met.status_code, fresh.status) == (200, 302, St.MET), label
            assert fresh.original_due_at == row.due_at, label
        else:
            assert extended.status_code == met.status_code == (403 if sees else 404), label
            assert (fresh.status, fresh.due_at) == (St.OPEN, row.due_at), label
    if username in ("auditor", "admin"):
        assert page.status_code == 403  # no case content for them
    else:
        assert page.status_code == 200


def test_my_deadlines(demo, login):
    rows = anchored(demo)
    html = login("prosecutor").get(LIST).content.decode()
    listed = set(map(int, re.findall(r'data-deadline="(\d+)"', html)))
    assert listed == set(deadlines.mine(demo.user("prosecutor")).values_list("pk", flat=True))
    assert {rows["case"].pk, rows["order"].pk, rows["defendant"].pk} <= listed
    assert rows["victim"].pk not in listed  # the NGO's, though the prosecutor sees it
    # Overdue ones stand out.
    overdue = [row for row in deadlines.mine(demo.user("prosecutor")) if row.is_overdue]
    assert overdue
    for row in overdue:
        assert re.search(rf'<tr data-deadline="{row.pk}" class="dl-overdue">', html)
    caseworker_rows = set(map(int, re.findall(r'data-deadline="(\d+)"',
                                             login("caseworker").get(LIST).content.decode())))
    assert {rows["victim"].pk, rows["referral"].pk} <= caseworker_rows
    assert rows["case"].pk not in caseworker_rows


def test_nobody_without_an_agency_gets_the_deadlines_nobody_answers_for(db):
    lone = factories.user(None, "investigator")
    assert "responsible_agency" not in str(deadlines.responsible(lone))
    assert not deadlines.mine(lone).exists()


def _order_in_restricted_case(demo):
    """Safe Harbour supports V3, the victim of restricted C2, and an order protects her there."""
    c2, v3 = demo.case("C2"), demo.victim("V3")
    victim_services.add_supporting_agency(v3, demo.user("caseworker").agency)
    order = order_services.record_order(ProtectionOrder(
        victim=v3, case=c2, kind=ProtectionOrder.Kind.RESTRAINING, issuing_court=Agency.objects.get(
            name="Lisbon Criminal Court"), issued_on=TODAY(), effective_from=TODAY(),
        next_review_on=TODAY() + days(30), conditions="Stay away."), actor=demo.user("prosecutor"))
    return c2, v3, order


def test_a_case_reference_shows_only_to_those_who_may_see_the_case(demo, login, api_login):
    """An NGO sees the deadlines of an order protecting a victim it supports, in a restricted
    case it may not see: the case's reference stays hidden."""
    c2, v3, order = _order_in_restricted_case(demo)
    row = Deadline.objects.get(protection_order=order, kind=K.ORDER_REVIEW)
    answer = api_login("caseworker").get(f"{API}{row.pk}/")
    assert answer.status_code == 200
    assert (answer.json()["case"], answer.json()["case_reference"], answer.json()["victim_code"]) == (
        None, None, v3.code)
    html = login("caseworker").get(f"{LIST}?mine=false").content.decode()
    assert f'data-deadline="{row.pk}"' in html and c2.reference not in html
    assert api_login("prosecutor").get(f"{API}{row.pk}/").json()["case_reference"] == c2.reference


# --- A constant number of queries ------------------------------------------------------------

def test_the_list_page_and_api_cost_the_same_for_one_row_or_many(demo, login, api_login, count_queries):
    prosecutor, c1 = demo.user("prosecutor"), demo.case("C1")
    Deadline.objects.filter(deadlines.responsible(prosecutor)).update(responsible_user=None, responsible_agency=None)

    def add(n):
        for number in range(n):
            deadlines.add(Deadline(kind=K.PROCEDURAL, title=f"Step {number}", case=c1,
                                   due_at=timezone.now() + days(number - 2), responsible_user=prosecutor),
                          actor=prosecutor)

    add(1)
    urls = [(login, LIST), (login, f"{LIST}?status=any"), (api_login, API), (api_login, f"{API}?mine=1")]
    small = [count_queries(make("prosecutor"), url)[0] for make, url in urls]
    add(20)
    large = [count_queries(make("prosecutor"), url)[0] for make, url in urls]
    assert large == small
    assert len(re.findall(r"data-deadline=", login("prosecutor").get(LIST).content.decode())) == 21
    assert api_login("prosecutor").get(f"{API}?mine=1").json()["count"] == 21


def test_user_lookup_for_responsible_people_is_limited_to_those_taking_part(demo, login):
    html = login("prosecutor").get(f"{LIST}new/?case={demo.case('C1').pk}").content.decode()
    people = re.search(r'<select name="responsible_user".*?</select>', html, re.S)[0]
    assert "Helena Costa" in people
    outsider = User.objects.get(username="investigator.br")
    assert str(outsider) not in people  # another country's police take no part in C1


def test_filtering_by_a_hidden_case_finds_nothing(demo, api_login):
    """?case= would otherwise tell which restricted case an order (and its deadlines) is about."""
    c2, v3, order = _order_in_restricted_case(demo)
    caseworker = api_login("caseworker")
    assert caseworker.get(f"{API}?victim={v3.pk}").json()["count"] == 1
    assert caseworker.get(f"{API}?case={c2.pk}").json()["count"] == 0
    assert caseworker.get(f"/api/protection-orders/?victim={v3.pk}").json()["count"] == 1
    assert caseworker.get(f"/api/protection-orders/?case={c2.pk}").json()["count"] == 0
    prosecutor = api_login("prosecutor")
    assert prosecutor.get(f"{API}?case={c2.pk}&kind=order_review").json()["count"] == 1
    assert prosecutor.get(f"/api/protection-orders/?case={c2.pk}").json()["count"] == 1
