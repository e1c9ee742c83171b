"""The hearings API: reading and writing hearings, witnesses and special measures through the
same services and policy as the pages; scheduling warnings as a 400 the client confirms by key;
404 for what the caller may not see, 403 for what they may not do; constant queries per list."""

import json

import pytest
from django.utils import timezone

from hearings import services
from hearings.models import Hearing, HearingWitness, SpecialMeasure

from . import factories
from .conftest import DEMO_USERS
from .test_scheduling import World, at

C1_READERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}
SCHEDULERS = {"prosecutor", "supervisor", "clerk", "judge"}


@pytest.fixture
def world(demo):
    return World(demo)


def body(world, **overrides):
    data = {"case": world.c1.pk, "kind": "preliminary", "court": world.court.pk, "courtroom": world.room2.pk,
            "starts_at": at(12, 10).isoformat(), "duration_minutes": 60}
    data.update(overrides)
    return data


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


# --- Reading -------------------------------------------------------------------------------------------

def test_list_filters_and_retrieve(world, api_login):
    client = api_login("prosecutor")
    rows = client.get(f"/api/hearings/?case={world.c1.pk}").json()
    assert rows["count"] == 2
    assert [r["status"] for r in rows["results"]] == ["adjourned", "scheduled"]
    today = timezone.localdate().isoformat()
    upcoming = client.get(f"/api/hearings/?case={world.c1.pk}&from={today}").json()["results"]
    assert [r["id"] for r in upcoming] == [world.trial.pk]
    past = client.get(f"/api/hearings/?case={world.c1.pk}&to={today}").json()["results"]
    assert [r["status"] for r in past] == ["adjourned"]
    assert client.get(f"/api/hearings/?court={world.court.pk}").json()["count"] == 2
    assert client.get(f"/api/hearings/?court={factories.agency('court').pk}").json()["count"] == 0

    trial = client.get(f"/api/hearings/{world.trial.pk}/").json()
    assert {k: trial[k] for k in ("case_reference", "kind", "court_name", "courtroom_name", "judge_name",
                                  "prosecutor_name", "video_link", "status", "version")} == {
        "case_reference": "PT-LIS-2026-0001", "kind": "trial_day", "court_name": "Lisbon Criminal Court",
        "courtroom_name": "Room 1", "judge_name": "Paulo Lima", "prosecutor_name": "Helena Costa",
        "video_link": "https://video.justice.example.pt/lisbon-room-1", "status": "scheduled",
        "version": world.trial.version}
    first = past[0]
    assert (first["adjournment_requested_by"], first["adjourned_to"], trial["adjourned_from"]) == (
        "defence", world.trial.pk, first["id"])


@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_sees_and_changes_a_hearing(world, api_login, username):
    client = api_login(username)
    url = f"/api/hearings/{world.trial.pk}/"
    response = client.get(url)
    if username in C1_READERS:
        assert response.status_code == 200
        assert response.json()["video_link"] == (
            "" if username == "focalpoint" else "https://video.justice.example.pt/lisbon-room-1")
    else:
        assert response.status_code == 404
    listed = {r["id"] for r in client.get("/api/hearings/").json()["results"]}
    assert (world.trial.pk in listed) == (username in C1_READERS)

    response = patch(client, url, {"notes": "Bring the wage records.", "version": world.trial.version})
    if username in SCHEDULERS:
        assert response.status_code == 200 and response.json()["version"] == world.trial.version + 1
    else:
        assert response.status_code == (403 if username in C1_READERS else 404)
        assert Hearing.objects.get(pk=world.trial.pk).notes == ""
    response = post(client, f"{url}close/", {"status": "cancelled", "reason": "x", "version": world.trial.version})
    if username not in SCHEDULERS:
        assert response.status_code == (403 if username in C1_READERS else 404)
        assert Hearing.objects.get(pk=world.trial.pk).status == "scheduled"
    response = post(client, "/api/hearings/", body(world))
    if username in SCHEDULERS:
        assert response.status_code == 201
    else:
        assert response.status_code in (400, 403)
        assert not Hearing.objects.filter(starts_at=at(12, 10)).exists()


# --- Writing, with warnings ----------------------------------------------------------------------------

def test_create_with_a_warning_answers_400_and_writes_nothing_until_confirmed(world, api_login):
    client = api_login("prosecutor")
    before = Hearing.objects.count()
    data = body(world, starts_at=at(7, 10).isoformat(), prosecutor=world.prosecutor.pk,
                video_link="https://video.example.pt/api")
    response = post(client, "/api/hearings/", data)
    assert response.status_code == 400
    answer = response.json()
    assert answer["warnings"] == [{
        "code": "prosecutor_double_booked", "key": f"prosecutor_double_booked:{world.trial.pk}",
        "message": answer["warnings"][0]["message"]}]
    assert "The prosecutor is already in court then: PT-LIS-2026-0001" in answer["warnings"][0]["message"]
    assert "confirm_warnings" in answer["detail"]
    assert Hearing.objects.count() == before

    response = post(client, "/api/hearings/", {**data, "confirm_warnings": ["something-else"]})
    assert response.status_code == 400 and Hearing.objects.count() == before
    response = post(client, "/api/hearings/", {**data, "confirm_warnings": [w["key"] for w in answer["warnings"]]})
    assert response.status_code == 201, response.json()
    created = Hearing.objects.get(pk=response.json()["id"])
    assert (created.video_link, created.prosecutor, created.created_by, created.status) == (
        "https://video.example.pt/api", world.prosecutor, world.prosecutor, "scheduled")
    assert "confirm_warnings" not in response.json()


def test_an_absolute_problem_answers_400_with_its_message(world, api_login):
    before = Hearing.objects.count()
    response = post(api_login("clerk"), "/api/hearings/", body(
        world, starts_at=at(31, 10).isoformat(), judge=world.judge.pk, confirm_warnings=["judge_unavailable"]))
    assert response.status_code == 400
    assert "warnings" not in response.json()
    assert "The judge is not available from" in " ".join(response.json()["non_field_errors"])
    assert Hearing.objects.count() == before


def test_bad_input_and_hidden_cases(world, api_login, demo):
    client = api_login("prosecutor")
    response = post(client, "/api/hearings/", body(world, case=demo.case("C4").pk))
    assert response.status_code == 400
    assert response.json()["case"] == ["No such record, or you are not allowed to see it."]
    response = post(client, "/api/hearings/", body(world, duration_minutes=0))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A hearing lasts at least a minute."]}
    response = post(client, "/api/hearings/", body(world, court=factories.agency("court").pk))
    assert response.status_code == 400 and response.json() == {
        "courtroom": ["This courtroom is not in the chosen court."]}
    # The focal point sees C1 but may not set hearings.
    response = post(api_login("focalpoint"), "/api/hearings/", body(world))
    assert response.status_code == 403
    assert not Hearing.objects.filter(starts_at=at(12, 10)).exists()


def test_update_needs_the_version_and_asks_about_new_warnings(world, api_login):
    client = api_login("clerk")
    url = f"/api/hearings/{world.trial.pk}/"
    version = world.trial.version
    assert patch(client, url, {"duration_minutes": 200}).json() == {"version": ["Send the version you read."]}
    assert patch(client, url, {"duration_minutes": 200, "version": version - 1}).status_code == 400
    # Moving the trial to Room 2 puts V1 (in person) in a building with the defendants: refused.
    response = patch(client, url, {"courtroom": world.room2.pk, "version": version})
    assert response.status_code == 400 and "no safe waiting room" in json.dumps(response.json())
    assert Hearing.objects.get(pk=world.trial.pk).courtroom == world.room1
    # Moving it onto another hearing of the judge: a warning, then confirmed.
    other = services.schedule(world.hearing(starts_at=at(8, 9), courtroom=None, judge=world.judge),
                              actor=world.clerk)
    data = {"starts_at": at(8, 9).isoformat(), "version": version}
    answer = patch(client, url, data).json()
    assert [w["key"] for w in answer["warnings"]] == [f"judge_double_booked:{other.pk}"]
    assert Hearing.objects.get(pk=world.trial.pk).starts_at == world.trial.starts_at
    response = patch(client, url, {**data, "confirm_warnings": [f"judge_double_booked:{other.pk}"]})
    assert response.status_code == 200
    assert Hearing.objects.get(pk=world.trial.pk).starts_at == at(8, 9)


def test_adjourn_and_close_actions(world, api_login):
    client = api_login("judge")
    url = f"/api/hearings/{world.trial.pk}/"
    response = post(client, f"{url}adjourn/", {"version": world.trial.version, "reason": "",
                                               "requested_by": "defence"})
    assert response.status_code == 400 and "reason" in response.json()
    response = post(client, f"{url}adjourn/", {"version": world.trial.version, "reason": "Interpreter ill",
                                               "requested_by": "court", "new_starts_at": at(22, 9, 30).isoformat()})
    assert response.status_code == 200, response.json()
    answer = response.json()
    follow_up = Hearing.objects.get(case=world.c1, status="scheduled")
    assert (answer["status"], answer["adjournment_reason"], answer["adjourned_to"]) == (
        "adjourned", "Interpreter ill", follow_up.pk)
    assert HearingWitness.objects.filter(hearing=follow_up).count() == 2
    assert services.adjournments(type(world.c1).objects.filter(pk=world.c1.pk)).get().adjournments == 2

    response = post(client, f"/api/hearings/{follow_up.pk}/close/", {"version": follow_up.version,
                                                                      "status": "vacated"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Cancelling or vacating a hearing needs a reason."]}
    response = post(client, f"/api/hearings/{follow_up.pk}/close/", {"version": follow_up.version,
                                                                      "status": "vacated", "reason": "Settled"})
    assert response.status_code == 200 and response.json()["status"] == "vacated"
    assert Hearing.objects.get(pk=follow_up.pk).status_reason == "Settled"


# --- Witnesses and special measures ------------------------------------------------------------------

def test_witnesses_show_codes_never_identity_and_follow_the_policy(world, api_login, demo):
    services.save_witness(HearingWitness(hearing=world.trial, role="Labour inspector"), actor=world.prosecutor)
    everything = api_login("prosecutor").get(f"/api/hearing-witnesses/?hearing={world.trial.pk}")
    codes = {r["victim_code"] or r["role"] for r in everything.json()["results"]}
    assert codes == {world.v1.code, world.v2.code, "Labour inspector"}
    for username in ("prosecutor", "caseworker", "clerk"):
        raw = api_login(username).get("/api/hearing-witnesses/").content.decode()
        assert "João" not in raw and "Maria" not in raw and "Santos" not in raw
    ngo = api_login("caseworker").get(f"/api/hearing-witnesses/?case={world.c1.pk}").json()["results"]
    assert {r["victim_code"] for r in ngo} == {world.v1.code, world.v2.code}
    assert api_login("caseworker.br").get("/api/hearing-witnesses/").json()["count"] == 0
    assert api_login("focalpoint").get("/api/hearing-witnesses/").json()["count"] == 0
    witness = HearingWitness.objects.get(hearing=world.trial, victim=world.v1)
    assert api_login("caseworker.br").get(f"/api/hearing-witnesses/{witness.pk}/").status_code == 404
    assert patch(api_login("caseworker"), f"/api/hearing-witnesses/{witness.pk}/",
                 {"appearance": "video_link"}).status_code == 403


def test_adding_a_witness_runs_the_checks(world, api_login):
    client = api_login("prosecutor")
    hearing = services.schedule(world.hearing(starts_at=at(12, 10)), actor=world.prosecutor)  # Room 2
    data = {"hearing": hearing.pk, "victim": world.v1.pk, "appearance": "in_person"}
    response = post(client, "/api/hearing-witnesses/", data)
    assert response.status_code == 400 and "would be at court with a defendant" in json.dumps(response.json())
    data.update(appearance="video_link", interpreter_language="Portuguese")
    answer = post(client, "/api/hearing-witnesses/", data).json()
    assert [w["code"] for w in answer["warnings"]] == ["interpreter_not_booked"]
    assert not HearingWitness.objects.filter(hearing=hearing).exists()
    response = post(client, "/api/hearing-witnesses/", {**data, "confirm_warnings": [answer["warnings"][0]["key"]]})
    assert response.status_code == 201
    assert response.json()["victim_code"] == world.v1.code and response.json()["case"] == world.c1.pk
    # A victim of another case, or one she may not see, is refused.
    response = post(client, "/api/hearing-witnesses/", {"hearing": hearing.pk, "victim": world.demo.victim("V5").pk})
    assert response.status_code == 400 and HearingWitness.objects.filter(hearing=hearing).count() == 1
    # The caseworker sees the hearing but may not add to it.
    response = post(api_login("caseworker"), "/api/hearing-witnesses/", {"hearing": hearing.pk, "role": "Doctor"})
    assert response.status_code == 403


def test_special_measures_as_court_records(world, api_login):
    witness = HearingWitness.objects.get(hearing=world.trial, victim=world.v1)
    client = api_login("judge")
    data = {"witness": witness.pk, "measure": "safe_waiting_room", "requested_by": "service_provider",
            "requested_on": "2026-05-02", "decision": "refused"}
    response = post(client, "/api/special-measures/", data)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A decision needs the date it was made."]}
    response = post(client, "/api/special-measures/", {**data, "decided_on": "2026-05-04", "defence_heard": True})
    assert response.status_code == 201 and response.json()["is_in_force"] is False
    pk = response.json()["id"]
    response = patch(client, f"/api/special-measures/{pk}/", {"appeal": "overturned", "appeal_notes": "Appeal court"})
    assert response.status_code == 200 and response.json()["is_in_force"] is True
    measure = SpecialMeasure.objects.get(pk=pk)
    assert (measure.decision, measure.appeal, measure.defence_heard, measure.witness) == (
        "refused", "overturned", True, witness)
    assert response.json()["hearing"] == world.trial.pk
    ngo = api_login("caseworker").get(f"/api/special-measures/?hearing={world.trial.pk}").json()
    assert ngo["count"] == 3
    assert post(api_login("caseworker"), "/api/special-measures/", {**data, "measure": "screen"}).status_code == 403
    assert api_login("auditor").get(f"/api/special-measures/{pk}/").status_code == 404


def test_courtrooms_are_readable_by_anyone_signed_in(world, api_login, client):
    rooms = api_login("caseworker.br").get(f"/api/courtrooms/?court={world.court.pk}").json()["results"]
    assert [(r["name"], r["has_safe_waiting_room"]) for r in rooms] == [("Room 1", True), ("Room 2", False)]
    assert post(api_login("admin"), "/api/courtrooms/", {"court": world.court.pk, "name": "X"}).status_code == 405
    assert client.get("/api/courtrooms/").status_code in (401, 403)


# --- Queries -----------------------------------------------------------------------------------------

def test_lists_run_the_same_number_of_queries_for_few_or_many_rows(world, api_login, count_queries):
    client = api_login("prosecutor")
    case = world.case_without_defendants()

    def add(count, start):
        for n in range(count):
            hearing = Hearing.objects.create(case=case, kind="preliminary", court=world.court, courtroom=world.room2,
                                             starts_at=at(60 + start + n, 10), judge=world.judge,
                                             prosecutor=world.prosecutor)
            witness = HearingWitness.objects.create(hearing=hearing, role=f"Expert {n}")
            SpecialMeasure.objects.create(witness=witness, measure="screen", requested_by="prosecution",
                                          requested_on=timezone.localdate())

    def count(url):
        queries, response = count_queries(client, url)
        return queries, response.json()["count"]

    urls = [f"/api/hearings/?case={case.pk}", f"/api/hearing-witnesses/?case={case.pk}",
            f"/api/special-measures/?case={case.pk}", "/api/courtrooms/"]
    add(1, 0)
    small = {url: count(url) for url in urls}
    add(9, 10)
    for url in urls:
        queries, rows = count(url)
        assert queries == small[url][0], (url, small[url], queries)
        if url != "/api/courtrooms/":
            assert (small[url][1], rows) == (1, 10)
