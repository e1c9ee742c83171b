"""Protection orders and violations through the API: the same services and access policy as
the pages. Listing and filtering, what each user sees of an order (relatives' names only with
the victim's identity, the restrained defendant only with the case's proceedings), recording
and the vary/review/revoke actions with the version lock, violations and their consequences,
404 for what one may not see, 403 for what one may not do, and constant list queries."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Defendant
from deadlines.models import Deadline, Notification
from protection import services
from protection.models import OrderEvent, ProtectionOrder, Violation
from victims.models import ProtectedRelative

from .conftest import DEMO_USERS

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
READERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker"}
KEEPERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge"}
NOT_FOUND = "No such record, or you are not allowed to see it."


@pytest.fixture
def order(demo):
    return ProtectionOrder.objects.get(victim=demo.victim("V2"))


def snapshot():
    return (ProtectionOrder.objects.count(), OrderEvent.objects.count(), Deadline.objects.count(),
            Violation.objects.count(), Notification.objects.count(),
            list(ProtectionOrder.objects.order_by("pk").values_list("status", "version", "conditions")))


def payload(demo, **fields):
    data = {"victim": demo.victim("V2").pk, "case": demo.case("C1").pk, "kind": "restraining",
            "issuing_court": demo.user("judge").agency_id, "court_reference": "API-1",
            "issued_on": TODAY.isoformat(), "effective_from": TODAY.isoformat(),
            "expires_on": (TODAY + 90 * DAY).isoformat(), "next_review_on": (TODAY + 30 * DAY).isoformat(),
            "conditions": "Stay away."}
    data.update(fields)
    return data


# --- Reading --------------------------------------------------------------------------------

def test_who_lists_and_reads_the_order(order, demo, api_login):
    for name in DEMO_USERS:
        client = api_login(name)
        listed = [row["id"] for row in client.get("/api/protection-orders/").json()["results"]]
        detail = client.get(f"/api/protection-orders/{order.pk}/")
        if name in READERS:
            assert listed == [order.pk], name
            assert detail.status_code == 200, name
            body = detail.json()
            assert (body["may_change"], body["may_report_violation"]) == (name in KEEPERS, True), name
        else:
            assert listed == [], name
            assert detail.status_code == 404 and detail.json()["detail"] == NOT_FOUND, name


def test_what_each_reader_sees_of_the_order(order, demo, api_login):
    ramos = Defendant.objects.get(case=order.case, name="António Ramos")
    mother = ProtectedRelative.objects.get(victim=order.victim)
    prosecutor = api_login("prosecutor").get(f"/api/protection-orders/{order.pk}/").json()
    assert (prosecutor["status"], prosecutor["version"], prosecutor["victim_code"], prosecutor["case_reference"]) == (
        "active", 1, order.victim.code, order.case.reference)
    assert (prosecutor["restrained_defendant"], prosecutor["restrained_defendant_name"]) == (ramos.pk, "António Ramos")
    assert prosecutor["protected_relatives"] == [{"id": mother.pk, "name": "Ana Santos", "relationship": "mother"}]
    assert [event["kind"] for event in prosecutor["events"]] == ["issued"]
    # The court sees the defendant, not the relative's name (no right to the victim's identity).
    judge = api_login("judge").get(f"/api/protection-orders/{order.pk}/").json()
    assert judge["restrained_defendant_name"] == "António Ramos"
    assert judge["protected_relatives"] is None and judge["relatives_count"] == 1
    # The NGO sees the relative, not the defendant (no investigative detail).
    caseworker = api_login("caseworker").get("/api/protection-orders/").json()["results"][0]
    assert caseworker["protected_relatives"][0]["name"] == "Ana Santos"
    assert caseworker["restrained_defendant"] is None and caseworker["restrained_defendant_name"] is None
    assert "Ana Santos" not in str(api_login("judge").get("/api/protection-orders/").json())


def test_filters(order, demo, api_login):
    other = services.record_order(ProtectionOrder(
        victim=demo.victim("V1"), case=demo.case("C1"), kind="protection", issuing_court=order.issuing_court,
        issued_on=TODAY, effective_from=TODAY, conditions="x"), actor=demo.user("prosecutor"))
    services.revoke(other, actor=demo.user("prosecutor"), version=1, on=TODAY, reason="Lifted.")
    client = api_login("prosecutor")

    def ids(query):
        return [row["id"] for row in client.get(f"/api/protection-orders/?{query}").json()["results"]]

    assert sorted(ids("")) == sorted([order.pk, other.pk])
    assert ids(f"victim={order.victim_id}") == [order.pk]
    assert sorted(ids(f"case={order.case_id}")) == sorted([order.pk, other.pk])
    assert ids(f"case={demo.case('C3').pk}") == []
    assert ids("status=revoked") == [other.pk] and ids("status=active") == [order.pk]


# --- Recording ------------------------------------------------------------------------------

def test_recording_an_order(demo, api_login):
    mother = ProtectedRelative.objects.get(victim=demo.victim("V2"))
    ramos = Defendant.objects.get(case=demo.case("C1"), name="António Ramos")
    response = api_login("prosecutor").post("/api/protection-orders/", payload(
        demo, restrained_defendant=ramos.pk, protected_relatives=[mother.pk]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    created = ProtectionOrder.objects.get(pk=body["id"])
    assert (body["status"], body["version"], created.recorded_by.username, created.restrained_defendant) == (
        "active", 1, "prosecutor", ramos)
    assert list(created.protected_relatives.all()) == [mother]
    assert set(Deadline.objects.filter(protection_order=created).values_list("kind", flat=True)) == {
        "order_review", "order_expiry"}


def test_recording_is_refused_without_the_right(demo, api_login):
    before = snapshot()
    for name in DEMO_USERS:
        if name in KEEPERS:
            continue
        response = api_login(name).post("/api/protection-orders/", payload(demo), format="json")
        if name in {"caseworker", "focalpoint"}:  # they see the victim but may not record orders
            assert response.status_code == 403, (name, response.json())
        else:  # the victim is hidden from them: answered like a missing one
            assert response.status_code == 400 and response.json()["victim"] == [NOT_FOUND], name
    # The court's staff record their own court's orders only.
    response = api_login("judge").post("/api/protection-orders/", payload(
        demo, issuing_court=demo.user("prosecutor").agency_id), format="json")
    assert response.status_code == 400 and "issuing_court" in response.json()
    assert snapshot() == before


def test_bad_orders_are_refused_with_messages_and_write_nothing(demo, api_login):
    client = api_login("prosecutor")
    stranger = Defendant.objects.create(case=demo.case("C3"), name="Someone Else")
    relative_of_v1 = ProtectedRelative.objects.create(victim=demo.victim("V1"), name="Rui Dias", relationship="brother")
    before = snapshot()
    answers = [
        (payload(demo, restrained_defendant=stranger.pk), "restrained_defendant",
         "This defendant is not in the order's case."),
        (payload(demo, protected_relatives=[relative_of_v1.pk]), "protected_relatives",
         "Only the protected victim's own relatives can be named."),
        (payload(demo, expires_on=(TODAY - DAY).isoformat()), "non_field_errors",
         "An order cannot expire before it takes effect."),
        (payload(demo, case=demo.case("C3").pk), "case", "The protected victim is not linked to this case."),
        (payload(demo, conditions=""), "conditions", "This field may not be blank."),
    ]
    for data, field, message in answers:
        response = client.post("/api/protection-orders/", data, format="json")
        assert response.status_code == 400, response.json()
        assert message in response.json()[field], response.json()
    # Relatives are named only by those who may see the victim's identity.
    mother = ProtectedRelative.objects.get(victim=demo.victim("V2"))
    response = api_login("judge").post("/api/protection-orders/", payload(demo, protected_relatives=[mother.pk]),
                                       format="json")
    assert response.status_code == 400 and response.json()["protected_relatives"] == [NOT_FOUND]
    assert snapshot() == before


# --- Changing -------------------------------------------------------------------------------

def test_vary_review_revoke_with_the_version(order, demo, api_login):
    client = api_login("prosecutor")
    url = f"/api/protection-orders/{order.pk}"
    varied = client.post(f"{url}/vary/", {"version": 1, "on": TODAY.isoformat(), "reason": "Wider distance.",
                                          "conditions": "Stay 1 km away.",
                                          "expires_on": (TODAY + 150 * DAY).isoformat()}, format="json")
    assert varied.status_code == 200, varied.json()
    body = varied.json()
    assert (body["status"], body["version"], body["conditions"], body["expires_on"]) == (
        "varied", 2, "Stay 1 km away.", (TODAY + 150 * DAY).isoformat())
    assert body["protected_relatives"][0]["name"] == "Ana Santos"  # unchanged when left out
    stale = client.post(f"{url}/review/", {"version": 1, "on": TODAY.isoformat(), "outcome": "x"}, format="json")
    assert stale.status_code == 400 and "Someone else changed this record" in stale.json()["version"][0]
    reviewed = client.post(f"{url}/review/", {"version": 2, "on": TODAY.isoformat(), "outcome": "Still needed.",
                                              "next_review_on": (TODAY + 45 * DAY).isoformat()}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["next_review_on"] == (TODAY + 45 * DAY).isoformat()
    assert Deadline.objects.get(protection_order=order, kind="order_review", status="met")
    assert Deadline.objects.get(protection_order=order, kind="order_review", status="open").due_at.date() == (
        TODAY + 45 * DAY)
    no_reason = client.post(f"{url}/revoke/", {"version": 3, "on": TODAY.isoformat(), "reason": ""}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    revoked = client.post(f"{url}/revoke/", {"version": 3, "on": TODAY.isoformat(), "reason": "Acquitted."},
                          format="json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert [event["kind"] for event in revoked.json()["events"]] == ["issued", "varied", "reviewed", "revoked"]
    again = client.post(f"{url}/vary/", {"version": 4, "on": TODAY.isoformat(), "reason": "x"}, format="json")
    assert again.status_code == 400
    assert again.json()["non_field_errors"] == ["This order is revoked: it can no longer change."]


def test_changes_refused_404_or_403_and_no_direct_update(order, demo, api_login):
    before = snapshot()
    for name in sorted(set(DEMO_USERS) - KEEPERS):
        response = api_login(name).post(f"/api/protection-orders/{order.pk}/revoke/",
                                        {"version": 1, "on": TODAY.isoformat(), "reason": "x"}, format="json")
        assert response.status_code == (403 if name in READERS else 404), name
    for method in ("put", "patch", "delete"):
        response = getattr(api_login("prosecutor"), method)(f"/api/protection-orders/{order.pk}/",
                                                            {"conditions": "x"}, format="json")
        assert response.status_code == 405
    assert snapshot() == before


# --- Violations -----------------------------------------------------------------------------

def test_reporting_a_violation(order, demo, api_login):
    occurred = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    response = api_login("caseworker").post("/api/violations/", {
        "order": order.pk, "occurred_at": occurred, "description": "Sent her messages.", "escalation": "police"},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["victim_code"], body["action_taken"], body["escalation"]) == (order.victim.code, "none_yet", "police")
    violation = Violation.objects.get(pk=body["id"])
    assert violation.reported_by.username == "caseworker"
    assert sorted(Notification.objects.filter(violation=violation).values_list("recipient__username", flat=True)) == [
        "caseworker", "prosecutor"]
    assert Deadline.objects.filter(kind="risk_reassessment", victim=order.victim, status="open").count() == 1
    # Then only the action and escalation change; the report itself stays as it was.
    response = api_login("investigator").patch(f"/api/violations/{violation.pk}/", {
        "action_taken": "charged", "action_details": "Charged with breach.", "escalation": "prosecutor",
        "description": "Rewritten."}, format="json")
    assert response.status_code == 200, response.json()
    violation.refresh_from_db()
    assert (violation.action_taken, violation.escalation, violation.description) == (
        "charged", "prosecutor", "Sent her messages.")
    assert Notification.objects.filter(violation=violation).count() == 2


def test_violations_refused(order, demo, api_login):
    violation = services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="Phoned."),
                                          actor=demo.user("prosecutor"))
    before = snapshot()
    for name in sorted(set(DEMO_USERS) - READERS):
        client = api_login(name)
        response = client.post("/api/violations/", {"order": order.pk, "occurred_at": timezone.now().isoformat(),
                                                    "description": "x"}, format="json")
        assert response.status_code == 400 and response.json()["order"] == [NOT_FOUND], name
        assert client.get(f"/api/violations/{violation.pk}/").status_code == 404, name
        assert client.patch(f"/api/violations/{violation.pk}/", {"action_taken": "arrest"},
                            format="json").status_code == 404, name
        assert client.get("/api/violations/").json()["count"] == 0, name
    # The NGO reports violations; what was done about them is the order keepers' to record.
    assert api_login("caseworker").patch(f"/api/violations/{violation.pk}/", {"action_taken": "arrest"},
                                         format="json").status_code == 403
    future = api_login("caseworker").post("/api/violations/", {
        "order": order.pk, "occurred_at": (timezone.now() + DAY).isoformat(), "description": "x"}, format="json")
    assert future.status_code == 400
    assert future.json()["occurred_at"] == ["A violation cannot be reported before it happens."]
    assert snapshot() == before
    for name in READERS:
        assert [row["id"] for row in api_login(name).get("/api/violations/").json()["results"]] == [violation.pk]


# --- Queries --------------------------------------------------------------------------------

def count(count_queries, client, url):
    queries, response = count_queries(client, url)
    return queries, response.json()["count"]


def test_lists_run_the_same_queries_for_one_row_as_for_many(order, demo, api_login, count_queries):
    judge, prosecutor = demo.user("judge"), demo.user("prosecutor")
    clients = {name: api_login(name) for name in ("prosecutor", "caseworker", "judge")}
    urls = ("/api/protection-orders/", "/api/violations/")
    services.report_violation(Violation(order=order, occurred_at=timezone.now(), description="First."),
                              actor=prosecutor)
    few = {(name, url): count(count_queries, client, url) for name, client in clients.items() for url in urls}
    assert all(rows == 1 for _queries, rows in few.values())
    for number in range(6):
        extra = services.record_order(ProtectionOrder(
            victim=order.victim, case=order.case, kind="protection", issuing_court=order.issuing_court,
            issued_on=TODAY - 30 * DAY, effective_from=TODAY - 30 * DAY, conditions=f"Order {number}"),
            actor=judge, relatives=list(ProtectedRelative.objects.filter(victim=order.victim)))
        services.report_violation(Violation(order=extra, occurred_at=timezone.now(), description=f"V {number}"),
                                  actor=prosecutor)
    for (name, url), (queries, _rows) in few.items():
        many, rows = count(count_queries, clients[name], url)
        assert rows == 7 and many == queries, (name, url, queries, many)
