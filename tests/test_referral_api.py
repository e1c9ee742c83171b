"""Referrals through the API, role by role: the directory and who keeps it, sending with consent
as a hard rule and its logged override, every step by the right party and by a wrong one, the
receiving agency's access to the victim appearing and disappearing, the inbox, notices read,
timings on known data and a constant number of queries per list."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import AccessLog, Agency
from victims.grants import sync_victim_grants
from referrals import services
from referrals.models import Referral, ReferralEvent, ReferralNotice, ServiceProvider
from victims import services as victim_services
from victims.models import Consent, StatusDecision, Victim

from . import factories
from .conftest import CASES, DEMO_USERS, VICTIMS

S = Referral.Status
NOT_FOUND = "No such record, or you are not allowed to see it."
RECORDERS = {"frontline", "investigator", "prosecutor", "caseworker", "investigator.br", "caseworker.br"}
# Who sees V2 (V-DM4HN8TB, case C1), and so who is told it exists when refused.
SEES_V2 = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}
# The demo referral below: the prosecutor refers V3 (restricted case C2, no NGO) to Safe Harbour.
SENDER, RECEIVER = "prosecutor", "caseworker"
REFERRAL_FIELDS = {
    "id", "victim", "victim_code", "from_agency", "from_agency_name", "to_agency", "to_agency_name", "services",
    "urgency", "reason", "note", "is_international", "status", "has_consent", "consent_override_reason", "sent_by", "sent_at",
    "response_due_at", "is_overdue", "assigned_to", "assigned_to_name", "assigned_at", "accepted_at", "declined_at",
    "decline_reason", "first_service_at", "completed_at", "withdrawn_at", "withdraw_reason", "unread", "steps",
}


@pytest.fixture
def clean(demo):
    """Whatever referrals and directory entries the demo data holds are set aside, so each test
    starts from what it builds (access re-synced as the services would)."""
    victims = set(Referral.objects.values_list("victim_id", flat=True))
    Referral.objects.all().delete()
    ServiceProvider.objects.all().delete()
    for victim in Victim.objects.filter(pk__in=victims):
        sync_victim_grants(victim)
    return demo


def agency_of(demo, username):
    return demo.user(username).agency


def referral_consent(demo, key, agency, actor="prosecutor"):
    return victim_services.give_consent(demo.victim(key), actor=demo.user(actor), purpose=Consent.Purpose.REFERRAL,
                                        agency=agency, informed=True)


def demo_referral(demo, **fields):
    """The prosecutor refers V3 to Safe Harbour, with the victim's consent."""
    ngo = agency_of(demo, RECEIVER)
    referral_consent(demo, "V3", ngo)
    fields.setdefault("services", ["shelter", "psychological"])
    return services.send_referral(demo.victim("V3"), actor=demo.user(SENDER), to_agency=ngo, **fields)


def at_status(demo, status):
    referral = demo_referral(demo)
    for step in {S.SENT: [], S.ACCEPTED: ["accept"], S.IN_PROGRESS: ["accept", "start"]}[status]:
        referral = services.move(referral, step, actor=demo.user(RECEIVER))
    return referral


def counts():
    return (Referral.objects.count(), ReferralEvent.objects.count(), ReferralNotice.objects.count(),
            AccessLog.objects.filter(action=AccessLog.Action.OVERRIDE).count())


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- The directory ---------------------------------------------------------------------------

def directory(demo):
    safe_harbour = ServiceProvider.objects.create(
        agency=agency_of(demo, "caseworker"), services=["shelter", "psychological"], languages=["pt", "en"],
        areas="Lisbon, Setúbal", accepts_children=True, capacity=3, contact_point="Duty caseworker")
    casa = ServiceProvider.objects.create(
        agency=agency_of(demo, "caseworker.br"), services=["shelter", "legal_aid"], languages=["pt", "es"],
        areas="São Paulo", contact_point="Plantão")
    return safe_harbour, casa


@pytest.mark.parametrize("username", DEMO_USERS)
def test_the_directory_is_read_by_everyone_of_an_agency_and_kept_by_its_own_people(clean, api_login, username):
    safe_harbour, casa = directory(clean)
    client = api_login(username)
    listed = client.get("/api/service-providers/").json()["results"]
    assert [row["agency_name"] for row in listed] == ["Casa Acolhida", "Safe Harbour Association"]
    assert client.get(f"/api/service-providers/{casa.pk}/").json()["country"] == "BR"
    # Nobody writes another agency's entry.
    before = ServiceProvider.objects.count()
    assert client.patch(f"/api/service-providers/{safe_harbour.pk if username != 'caseworker' else casa.pk}/",
                        {"capacity": 0}, format="json").status_code == 403
    assert set(ServiceProvider.objects.values_list("capacity", flat=True)) == {3, None}
    other = Agency.objects.exclude(pk=clean.user(username).agency_id).exclude(directory_entry__isnull=False).first()
    assert client.post("/api/service-providers/", {"agency": other.pk, "services": ["medical"],
                                                   "contact_point": "x"}, format="json").status_code == 403
    assert ServiceProvider.objects.count() == before
    # Their own agency's entry: those who record and refer victims keep it.
    own = {"services": ["medical", "interpretation"], "languages": ["uk"], "areas": "Porto", "contact_point": "Desk"}
    created = client.post("/api/service-providers/", own, format="json")
    if username in {"caseworker", "caseworker.br"}:  # the entry exists already: one per agency
        assert created.status_code == 400 and "agency" in created.json()
    elif username in RECORDERS:
        assert created.status_code == 201, created.json()
        entry = ServiceProvider.objects.get(pk=created.json()["id"])
        assert entry.agency == clean.user(username).agency and entry.languages == ["uk"]
        assert client.patch(f"/api/service-providers/{entry.pk}/", {"capacity": 7}, format="json").json()[
            "capacity"] == 7
    else:
        assert created.status_code == 403
        assert ServiceProvider.objects.count() == before


def test_an_agency_updates_its_own_entry_and_never_moves_it(clean, api_login):
    safe_harbour, casa = directory(clean)
    client = api_login("caseworker")
    response = client.patch(f"/api/service-providers/{safe_harbour.pk}/", {"capacity": 0, "agency": casa.agency_id,
                                                                           "areas": "Lisbon"}, format="json")
    assert response.status_code == 200, response.json()
    safe_harbour.refresh_from_db()
    assert (safe_harbour.capacity, safe_harbour.areas, safe_harbour.agency) == (0, "Lisbon", clean.user(
        "caseworker").agency)
    bad = client.patch(f"/api/service-providers/{safe_harbour.pk}/", {"services": ["massage"]}, format="json")
    assert bad.status_code == 400 and "services" in bad.json()


def test_without_an_agency_there_is_no_directory(clean, api_login):
    directory(clean)
    system = factories.user(None, username="system-account")
    client = api_login(system.username)
    assert client.get("/api/service-providers/").status_code == 403
    assert client.get("/api/referrals/").json()["results"] == []


def test_directory_filters(clean, api_login):
    directory(clean)
    client = api_login("investigator")

    def names(query):
        response = client.get(f"/api/service-providers/?{query}")
        assert response.status_code == 200, response.json()
        return {row["agency_name"] for row in response.json()["results"]}

    both = {"Safe Harbour Association", "Casa Acolhida"}
    assert names("") == both
    assert names("service=shelter") == both
    assert names("service=legal_aid") == {"Casa Acolhida"}
    assert names("service=medical") == set()
    assert names("language=en") == {"Safe Harbour Association"}
    assert names("language=es&service=shelter") == {"Casa Acolhida"}
    assert names("area=lisbon") == names("area=SETÚBAL") == {"Safe Harbour Association"}
    assert names("area=paulo") == {"Casa Acolhida"}
    assert names("accepts_children=true") == {"Safe Harbour Association"}
    assert names("accepts_children=false") == {"Casa Acolhida"}
    assert client.get("/api/service-providers/?service=massage").status_code == 400


# --- Sending ---------------------------------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_may_send_a_referral(clean, api_login, username):
    victim, shelter = clean.victim("V2"), factories.agency("ngo", name="Shelter House")
    referral_consent(clean, "V2", shelter, actor="caseworker")
    payload = {"victim": victim.pk, "to_agency": shelter.pk, "services": ["shelter"], "urgency": "urgent",
               "note": "Needs a safe place tonight"}
    before = counts()
    client = api_login(username)
    response = client.post("/api/referrals/", payload, format="json")
    if username in SEES_V2 & RECORDERS:
        assert response.status_code == 201, response.json()
        body = response.json()
        referral = Referral.objects.get(pk=body["id"])
        assert (referral.from_agency, referral.sent_by, referral.status) == (
            clean.user(username).agency, clean.user(username), S.SENT)
        assert (body["victim"], body["victim_code"], body["to_agency_name"], body["has_consent"]) == (
            victim.pk, VICTIMS["V2"], "Shelter House", True)
        assert body["services"] == ["shelter"] and body["urgency"] == "urgent" and body["steps"] == ["withdraw"]
        assert body["response_due_at"] == client.get(f"/api/referrals/{referral.pk}/").json()["response_due_at"]
        assert referral.response_due_at - referral.sent_at == datetime.timedelta(hours=24)
        assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3])
        return
    assert counts() == before
    if username in SEES_V2:
        assert response.status_code == 403
    else:
        # A victim one may not see answers exactly like one that does not exist.
        assert response.status_code == 400 and response.json() == {"victim": [NOT_FOUND]}
        assert client.post("/api/referrals/", {**payload, "victim": 99999999}, format="json").json() == \
            response.json()


def test_a_referral_without_consent_is_refused_with_the_reason_and_writes_nothing(clean, api_login):
    victim, ngo = clean.victim("V3"), agency_of(clean, RECEIVER)
    client = api_login(SENDER)
    payload = {"victim": victim.pk, "to_agency": ngo.pk, "services": ["shelter"]}
    before = counts()
    response = client.post("/api/referrals/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "V-DM9RWC3F has not consented to a referral to Safe Harbour Association. Record the victim's consent first."]}
    # Consent to another agency does not cover this one.
    referral_consent(clean, "V3", agency_of(clean, "caseworker.br"))
    assert client.post("/api/referrals/", payload, format="json").status_code == 400
    assert counts() == before
    assert api_login(RECEIVER).get(f"/api/victims/{victim.pk}/").status_code == 404
    # Nor are other rules bypassed: at least one service, another agency, one open referral.
    referral_consent(clean, "V3", ngo)
    assert "services" in client.post("/api/referrals/", {**payload, "services": []}, format="json").json()
    own = client.post("/api/referrals/", {**payload, "to_agency": agency_of(clean, SENDER).pk}, format="json")
    assert own.status_code == 400
    assert client.post("/api/referrals/", payload, format="json").status_code == 201
    again = client.post("/api/referrals/", payload, format="json")
    assert again.json() == {"non_field_errors": ["This victim already has an open referral to that agency."]}
    assert counts()[0] == before[0] + 1


def test_the_override_is_for_investigators_and_prosecutors_with_a_reason_and_logged(clean, api_login):
    shelter = factories.agency("ngo", name="Shelter House")
    child = clean.victim("V4")  # seen by the investigator, the prosecutor and Safe Harbour
    payload = {"victim": child.pk, "to_agency": shelter.pk, "services": ["shelter"], "urgency": "emergency"}
    before = counts()
    caseworker = api_login("caseworker").post("/api/referrals/", {**payload, "override_reason": "In danger tonight"},
                                               format="json")
    assert caseworker.status_code == 403
    assert caseworker.json() == {"detail": "Only investigators and prosecutors may refer without the victim's consent."}
    blank = api_login("investigator").post("/api/referrals/", {**payload, "override_reason": "  "}, format="json")
    assert blank.status_code == 400 and "has not consented" in str(blank.json())
    assert counts() == before
    response = api_login("investigator").post("/api/referrals/", {**payload, "override_reason": "In danger tonight"},
                                              format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["has_consent"], body["consent_override_reason"]) == (False, "In danger tonight")
    assert body["events"][0]["reason"] == "In danger tonight"
    logged = AccessLog.objects.get(action=AccessLog.Action.OVERRIDE)
    assert (logged.user, logged.object_id, logged.requested) == (clean.user("investigator"), str(child.pk), "refer")
    # The override stands in for consent: the shelter sees the referral summary, not the child's
    # file or identity.
    worker = api_login(factories.user(shelter, "caseworker").username)
    assert worker.get(f"/api/victims/{child.pk}/").status_code == 404
    assert worker.get(f"/api/referrals/{body['id']}/").json()["victim_summary"]["is_treated_as_child"] is True


def test_international_referrals_are_marked(clean, api_login):
    referral_consent(clean, "V1", agency_of(clean, "caseworker.br"), actor="caseworker")
    response = api_login("caseworker").post("/api/referrals/", {
        "victim": clean.victim("V1").pk, "to_agency": agency_of(clean, "caseworker.br").pk, "services": ["shelter"]},
        format="json")
    assert response.status_code == 201 and response.json()["is_international"] is True
    # Casa Acolhida sees the referral it received, and the victim as its pseudonymous record only.
    received = api_login("caseworker.br").get(f"/api/referrals/{response.json()['id']}/")
    assert received.status_code == 200 and received.json()["victim_code"] == VICTIMS["V1"]


# --- Reading ---------------------------------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERS)
def test_a_referral_is_seen_by_the_two_agencies_it_joins(clean, api_login, username):
    referral = demo_referral(clean, note="Arrives by train at 18:00")
    client = api_login(username)
    sees = username in {SENDER, RECEIVER}
    assert (referral.pk in ids(client.get("/api/referrals/"))) is sees
    response = client.get(f"/api/referrals/{referral.pk}/")
    if not sees:
        assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND}
        assert client.get("/api/referrals/99999999/").json() == response.json()
        return
    body = response.json()
    assert set(body) == REFERRAL_FIELDS | {"events", "timings", "victim_summary"}
    assert (body["victim"], body["victim_code"], body["note"]) == (
        clean.victim("V3").pk, VICTIMS["V3"], "Arrives by train at 18:00")
    assert body["steps"] == (["withdraw"] if username == SENDER else ["accept", "decline", "assign"])
    assert [(e["from_status"], e["to_status"], e["by"]) for e in body["events"]] == [("", "sent", "Helena Costa")]
    # Never the case file, never the identity: the pseudonymous code and id only.
    text = response.content.decode()
    assert CASES["C2"] not in text and "Elena" not in text and "Popescu" not in text
    for row in client.get("/api/referrals/").json()["results"]:
        assert set(row) == REFERRAL_FIELDS


def test_list_filters(clean, api_login):
    referral = demo_referral(clean, urgency="urgent")
    client = api_login(RECEIVER)
    assert ids(client.get("/api/referrals/?status=sent&urgency=urgent")) == [referral.pk]
    assert ids(client.get("/api/referrals/?status=accepted")) == []
    assert ids(client.get("/api/referrals/?urgency=routine")) == []
    assert ids(client.get(f"/api/referrals/?victim={clean.victim('V3').pk}")) == [referral.pk]
    assert ids(client.get(f"/api/referrals/?victim={clean.victim('V1').pk}")) == []
    assert client.get("/api/referrals/?box=everything").status_code == 400
    # Field filters apply to lists only.
    assert client.get(f"/api/referrals/{referral.pk}/?status=declined").status_code == 200


def test_inbox_boxes(clean, api_login):
    referral = demo_referral(clean)
    receiver, sender = api_login(RECEIVER), api_login(SENDER)

    def box(client, name):
        return ids(client.get(f"/api/referrals/?box={name}"))

    assert box(receiver, "incoming") == [referral.pk] and box(receiver, "outgoing") == []
    assert box(sender, "outgoing") == [referral.pk] and box(sender, "incoming") == []
    assert box(receiver, "overdue") == box(sender, "overdue") == []
    Referral.objects.filter(pk=referral.pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=1))
    assert box(receiver, "overdue") == box(sender, "overdue") == [referral.pk]
    assert receiver.get(f"/api/referrals/{referral.pk}/").json()["is_overdue"] is True
    assert box(receiver, "assigned") == []
    accepted = receiver.post(f"/api/referrals/{referral.pk}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["assigned_to_name"] == "Sofia Almeida"
    assert box(receiver, "assigned") == [referral.pk] and box(sender, "assigned") == []
    assert box(receiver, "overdue") == []  # answered
    for name in ("incoming", "outgoing", "overdue", "assigned"):
        assert box(api_login("investigator"), name) == []


def test_opening_a_received_referral_marks_its_notice_read(clean, api_login):
    referral = demo_referral(clean)
    notice = ReferralNotice.objects.get(referral=referral)
    receiver, sender = api_login(RECEIVER), api_login(SENDER)
    assert [row["unread"] for row in receiver.get("/api/referrals/").json()["results"]] == [True]
    assert receiver.get("/api/referrals/?box=incoming").json()["results"][0]["unread"] is True
    assert sender.get(f"/api/referrals/{referral.pk}/").json()["unread"] is False
    notice.refresh_from_db()
    assert notice.read_at is None  # the sender does not read the receiver's notice
    assert receiver.get(f"/api/referrals/{referral.pk}/").json()["unread"] is False
    notice.refresh_from_db()
    read_at = notice.read_at
    assert read_at is not None
    assert receiver.get("/api/referrals/").json()["results"][0]["unread"] is False
    receiver.get(f"/api/referrals/{referral.pk}/")
    notice.refresh_from_db()
    assert notice.read_at == read_at  # the first reading counts


def test_timings_on_known_data(clean, api_login):
    victim = clean.victim("V3")
    StatusDecision.objects.filter(victim=victim).update(decided_on=datetime.date(2026, 3, 1))
    referral = demo_referral(clean)
    client = api_login(SENDER)
    assert client.get(f"/api/referrals/{referral.pk}/").json()["timings"]["referral_to_acceptance"] is None
    sent = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 0))
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent, accepted_at=sent + datetime.timedelta(hours=6),
        first_service_at=sent + datetime.timedelta(days=2, hours=6))
    # Whole seconds.
    assert client.get(f"/api/referrals/{referral.pk}/").json()["timings"] == {
        "identification_to_referral": 3 * 86400,
        "referral_to_acceptance": 6 * 3600,
        "acceptance_to_first_service": 2 * 86400,
    }


# --- Every step by the right party and by a wrong one -----------------------------------------

STEPS = [  # (step, status before, the party whose step it is, payload)
    ("accept", S.SENT, RECEIVER, {}),
    ("decline", S.SENT, RECEIVER, {"reason": "No place for men"}),
    ("start", S.ACCEPTED, RECEIVER, {}),
    ("complete", S.IN_PROGRESS, RECEIVER, {}),
    ("withdraw", S.SENT, SENDER, {"reason": "Victim moved abroad"}),
    ("withdraw", S.IN_PROGRESS, SENDER, {"reason": "Victim asked to stop"}),
    ("assign", S.ACCEPTED, RECEIVER, None),
]
TARGETS = {"accept": S.ACCEPTED, "decline": S.DECLINED, "start": S.IN_PROGRESS, "complete": S.COMPLETED,
           "withdraw": S.WITHDRAWN}


def snapshot(referral):
    fresh = Referral.objects.get(pk=referral.pk)
    return (fresh.status, fresh.assigned_to_id, fresh.assigned_at, fresh.accepted_at, fresh.declined_at,
            fresh.first_service_at, fresh.completed_at, fresh.withdrawn_at, fresh.events.count())


@pytest.mark.parametrize("step,status,right,payload", STEPS)
def test_each_step_by_every_role(clean, api_login, step, status, right, payload):
    referral = at_status(clean, status)
    colleague = factories.user(agency_of(clean, RECEIVER), "caseworker")
    if payload is None:
        payload = {"assigned_to": colleague.pk}
    before = snapshot(referral)
    url = f"/api/referrals/{referral.pk}/{step}/"
    for username in DEMO_USERS:
        if username == right:
            continue
        response = api_login(username).post(url, payload, format="json")
        if username in {SENDER, RECEIVER}:  # sees the referral, but it is the other side's step
            assert response.status_code == 403, (username, response.json())
        else:
            assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND}, username
        assert snapshot(referral) == before, username
    denied = AccessLog.objects.filter(action=AccessLog.Action.DENIED, object_id=str(referral.pk))
    assert denied.exists()

    response = api_login(right).post(url, payload, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    fresh = Referral.objects.get(pk=referral.pk)
    if step == "assign":
        assert (fresh.status, fresh.assigned_to, body["assigned_to"]) == (status, colleague, colleague.pk)
        return
    assert fresh.status == TARGETS[step] == body["status"]
    event = body["events"][-1]
    assert (event["from_status"], event["to_status"], event["by"], event["reason"]) == (
        status, TARGETS[step], str(clean.user(right)), payload.get("reason", ""))
    stamp = services.STEPS[step][4]
    assert getattr(fresh, stamp) is not None and body[stamp] is not None
    if step == "decline":
        assert body["decline_reason"] == "No place for men"


def test_steps_out_of_order_and_missing_reasons_answer_with_the_services_messages(clean, api_login):
    referral = at_status(clean, S.SENT)
    receiver, sender = api_login(RECEIVER), api_login(SENDER)
    before = snapshot(referral)
    assert receiver.post(f"/api/referrals/{referral.pk}/complete/", {}, format="json").json() == {
        "non_field_errors": ["A referral that is “Sent” cannot be moved to “Completed”."]}
    assert receiver.post(f"/api/referrals/{referral.pk}/decline/", {"reason": " "}, format="json").json() == {
        "non_field_errors": ["“Declined” needs a reason."]}
    assert sender.post(f"/api/referrals/{referral.pk}/withdraw/", {}, format="json").status_code == 400
    # Only someone of the receiving agency takes it on.
    wrong = receiver.post(f"/api/referrals/{referral.pk}/accept/", {"assigned_to": clean.user(SENDER).pk},
                          format="json")
    assert wrong.status_code == 400 and "assigned_to" in wrong.json()
    assert receiver.post(f"/api/referrals/{referral.pk}/assign/", {}, format="json").status_code == 400
    assert snapshot(referral) == before
    assert receiver.post("/api/referrals/x/accept/", {}, format="json").status_code == 404


# --- The receiving agency's access to the victim ----------------------------------------------

@pytest.mark.parametrize("ending", ["decline", "withdraw", "consent", "complete"])
def test_access_to_the_victim_appears_and_disappears(clean, api_login, ending):
    victim, c2 = clean.victim("V3"), clean.case("C2")
    receiver, sender = api_login(RECEIVER), api_login(SENDER)
    assert receiver.get(f"/api/victims/{victim.pk}/").status_code == 404
    referral_consent(clean, "V3", agency_of(clean, RECEIVER))
    sent = sender.post("/api/referrals/", {"victim": victim.pk, "to_agency": agency_of(clean, RECEIVER).pk,
                                           "services": ["shelter"]}, format="json")
    assert sent.status_code == 201, sent.json()
    pk = sent.json()["id"]
    # The referral summary, not the victim's file: no record, no identity, no sections.
    seen = receiver.get(f"/api/referrals/{pk}/")
    assert seen.json()["victim_summary"] == {"age_group": "adult", "is_treated_as_child": False, "sex": "Feminine",
                                             "nationality": "RO", "languages": [], "interpreter_needed": False}
    assert "Elena" not in seen.content.decode()
    assert receiver.get(f"/api/victims/{victim.pk}/").status_code == 404
    assert victim.pk not in [row["id"] for row in receiver.get("/api/victims/").json()["results"]]
    assert receiver.get(f"/api/consents/?victim={victim.pk}").json()["results"] == []
    # Never the case file: not the case, its proceedings, nor even its reference.
    assert receiver.get(f"/api/cases/{c2.pk}/").status_code == 404
    assert receiver.get(f"/api/charges/?case={c2.pk}").json()["results"] == []
    assert receiver.get(f"/api/victim-case-links/?victim={victim.pk}").json()["results"] == []

    if ending == "decline":
        assert receiver.post(f"/api/referrals/{pk}/decline/", {"reason": "Full"}, format="json").status_code == 200
    elif ending == "withdraw":
        assert sender.post(f"/api/referrals/{pk}/withdraw/", {"reason": "Moved"}, format="json").status_code == 200
    elif ending == "consent":
        victim_services.withdraw_consent(Referral.objects.get(pk=pk).consent, note="Changed their mind")
    else:
        for step in ("accept", "start", "complete"):
            assert receiver.post(f"/api/referrals/{pk}/{step}/", {}, format="json").status_code == 200
    keeps = ending == "complete"
    assert (receiver.get(f"/api/referrals/{pk}/").json()["victim_summary"] is not None) is keeps
    assert receiver.get(f"/api/victims/{victim.pk}/").status_code == 404
    # The referral itself stays on both sides' record; the sender keeps the victim.
    assert receiver.get(f"/api/referrals/{pk}/").status_code == 200
    assert sender.get(f"/api/victims/{victim.pk}/").status_code == 200


# --- Query counts ----------------------------------------------------------------------------

def _count(count_queries, client, url):
    queries, response = count_queries(client, url)
    return queries, response.json()["count"]


def test_lists_run_a_constant_number_of_queries(clean, api_login, count_queries):
    caseworker = clean.user("caseworker")
    client = api_login("caseworker")
    urls = ["/api/referrals/", "/api/referrals/?box=incoming", "/api/referrals/?box=outgoing",
            "/api/service-providers/", "/api/service-providers/?service=shelter"]

    def grow():
        # One referral in, one out, one directory entry, each from new agencies and victims.
        sender_agency = factories.agency("police")
        sender = factories.user(sender_agency, "investigator")
        victim = factories.victim(sender, status="presumed")
        victim_services.give_consent(victim, actor=sender, purpose=Consent.Purpose.REFERRAL,
                                     agency=caseworker.agency, informed=True)
        incoming = services.send_referral(victim, actor=sender, to_agency=caseworker.agency, services=["shelter"])
        services.move(incoming, "accept", actor=caseworker)
        ours = factories.victim(caseworker, status="presumed")
        target = factories.agency("ngo")
        victim_services.give_consent(ours, actor=caseworker, purpose=Consent.Purpose.REFERRAL, agency=target,
                                     informed=True)
        services.send_referral(ours, actor=caseworker, to_agency=target, services=["medical"])
        ServiceProvider.objects.create(agency=target, services=["shelter"], contact_point="Desk")

    grow()
    small = [_count(count_queries, client, url) for url in urls]
    grow()
    grow()
    large = [_count(count_queries, client, url) for url in urls]
    for url, (queries, rows), (more_queries, more_rows) in zip(urls, small, large):
        assert more_rows > rows, url
        assert more_queries == queries, url
