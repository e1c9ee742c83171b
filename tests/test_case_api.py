"""The case file through the API: every part of it, for every demo role, with the same rules
and services as the pages (opening, stage moves, handovers, restriction, refusals that write
nothing) and a constant number of queries per list."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AccessLog, Agency, Jurisdiction
from cases.models import (
    Appeal, Asset, Case, CaseAgency, CaseAssignment, CaseExclusion, CaseNote, CaseStageChange, Charge,
    CompensationClaim, CooperationRequest, CoordinationMeeting, Defendant, Verdict,
)
from cases import services as case_services

from . import factories
from .conftest import CASES, DEMO_USERS

# Who sees the demo case C1 at all (its agencies and team), and who may see its proceedings.
SEES_C1 = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}
SEES_PROCEEDINGS = {"investigator", "prosecutor", "supervisor", "clerk", "judge"}
INVESTIGATIVE = {"investigator", "prosecutor", "supervisor"}


def payloads(demo):
    """endpoint -> (model, what to POST for C1, who may add it)."""
    c1 = demo.case("C1")
    police = c1.agency_roles.get(role=CaseAgency.Role.INVESTIGATING).agency
    builders = {"investigator", "prosecutor"}
    return {
        "defendants": (Defendant, {"case": c1.pk, "name": "New suspect", "kind": "natural"}, builders),
        "assets": (Asset, {"case": c1.pk, "description": "Farm van", "kind": "instrumentality", "country": "PT"},
                   builders),
        "cooperation-requests": (
            CooperationRequest, {"case": c1.pk, "kind": "mla", "requesting_state": "PT", "requested_state": "BR"},
            builders),
        "compensation-claims": (
            CompensationClaim, {"case": c1.pk, "victim": demo.victim("V1").pk, "route": "civil_in_criminal",
                                "amount_claimed": "12000.00"}, builders | {"caseworker"}),
        "meetings": (CoordinationMeeting, {"case": c1.pk, "held_on": "2026-11-01", "agencies": [police.pk],
                                           "decisions": "Joint interview plan agreed."},
                     SEES_C1 - {"focalpoint"}),
        "notes": (CaseNote, {"case": c1.pk, "scope": "agency", "text": "Witness moved."}, SEES_C1),
    }


@pytest.mark.parametrize("username", DEMO_USERS)
def test_adding_to_a_case_file_follows_the_policy_for_every_role(demo, api_login, username):
    client = api_login(username)
    for endpoint, (model, payload, may_add) in payloads(demo).items():
        before = model.objects.count()
        response = client.post(f"/api/{endpoint}/", payload, format="json")
        if username in may_add:
            assert response.status_code == 201, (endpoint, response.json())
            assert model.objects.count() == before + 1
        elif username in SEES_C1:
            assert response.status_code == 403, (endpoint, response.status_code)
            assert model.objects.count() == before
        else:
            # A case one may not see answers exactly like one that does not exist.
            assert response.status_code == 400, (endpoint, response.status_code)
            hidden = ["No such record, or you are not allowed to see it."]
            # A claim also names a victim, who is as hidden from them as the case.
            expected = {"case": hidden, **({"victim": hidden} if endpoint == "compensation-claims" else {})}
            assert response.json() == expected
            missing = client.post(f"/api/{endpoint}/", {**payload, "case": 99999999}, format="json")
            assert missing.json() == response.json()
            assert model.objects.count() == before


@pytest.mark.parametrize("username", DEMO_USERS)
def test_reading_a_case_file_follows_the_policy_for_every_role(demo, api_login, username):
    client, c1 = api_login(username), demo.case("C1")
    defendants = client.get(f"/api/defendants/?case={c1.pk}").json()["results"]
    # Two traffickers, and the victim charged over her false passport.
    assert len(defendants) == (3 if username in SEES_PROCEEDINGS else 0)
    one = c1.defendants.first()
    assert client.get(f"/api/defendants/{one.pk}/").status_code == (200 if username in SEES_PROCEEDINGS else 404)
    charges = client.get(f"/api/charges/?case={c1.pk}").json()["results"]
    assert len(charges) == (4 if username in SEES_PROCEEDINGS else 0)

    case = client.get(f"/api/cases/{c1.pk}/")
    assert case.status_code == (200 if username in SEES_C1 else 404)
    if case.status_code == 200:
        body = case.json()
        assert ("investigation_summary" in body) == (username in INVESTIGATIVE)
        assert body["reference"] == CASES["C1"] and body["stage"] == "pre_trial"
        assert {(m["team_role"], m["user"]) for m in body["current_team"]} == {
            ("lead_investigator", "Inês Duarte"), ("prosecutor", "Helena Costa"),
            ("ngo_caseworker", "Sofia Almeida"), ("judge", "Paulo Lima")}
    listed = {row["reference"] for row in client.get("/api/cases/").json()["results"]}
    assert (CASES["C1"] in listed) == (username in SEES_C1)
    for row in client.get("/api/cases/").json()["results"]:
        assert ("investigation_summary" in row) == (username in INVESTIGATIVE | {"investigator.br"})


def test_every_field_of_a_case_round_trips(demo, api_login):
    client = api_login("prosecutor")
    lisbon = Jurisdiction.objects.get(cases__reference=CASES["C1"])
    payload = {
        "reference": "PT-LIS-2026-0100", "title": "Domestic servitude in a private household",
        "jurisdiction": lisbon.pk, "opened_on": "2026-11-02", "origin": "ngo_referral",
        "investigation_type": "proactive", "parallel_financial_investigation": True, "priority": "high",
        "exploitation_forms": ["Servitude", "ForcedCriminality"], "is_transnational": True,
        "countries_of_origin": ["NP"], "countries_of_transit": ["AE"], "countries_of_destination": ["PT"],
        "investigation_summary": "Employer holds the passports.",
    }
    response = client.post("/api/cases/", payload, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference="PT-LIS-2026-0100")
    body = client.get(f"/api/cases/{case.pk}/").json()
    for name, value in payload.items():
        assert body[name] == value, name
    assert body["stage"] == "intake" and body["version"] == case.version
    # Whoever opens the case holds it from inception.
    assert [(m["team_role"], m["user"]) for m in body["current_team"]] == [("prosecutor", "Helena Costa")]
    assert {t["target"] for t in body["transitions"]} == {"investigation", "closed_no_charge"}
    assert case.agency_roles.get().agency == demo.user("prosecutor").agency


@pytest.mark.parametrize("username", DEMO_USERS)
def test_only_investigators_and_prosecutors_open_cases(demo, api_login, username):
    jurisdiction = Jurisdiction.objects.get(cases__reference=CASES["C1"])
    before = Case.objects.count()
    response = api_login(username).post("/api/cases/", {
        "reference": f"PT-NEW-{username}", "title": "New case", "jurisdiction": jurisdiction.pk}, format="json")
    allowed = username in {"investigator", "prosecutor", "investigator.br"}
    assert response.status_code == (201 if allowed else 403), response.json()
    assert Case.objects.count() == before + allowed


def test_bad_input_when_opening_a_case_writes_nothing(demo, api_login):
    client = api_login("investigator")
    before = (Case.objects.count(), CaseAssignment.objects.count())
    duplicate = client.post("/api/cases/", {"reference": CASES["C1"], "title": "x", "jurisdiction":
                                            demo.case("C1").jurisdiction_id}, format="json")
    assert duplicate.status_code == 400 and "reference" in duplicate.json()
    wrong_form = client.post("/api/cases/", {"reference": "PT-X-1", "title": "x", "exploitation_forms": ["slavery?"],
                                             "jurisdiction": demo.case("C1").jurisdiction_id}, format="json")
    assert wrong_form.status_code == 400 and "exploitation_forms" in wrong_form.json()
    assert (Case.objects.count(), CaseAssignment.objects.count()) == before


def test_case_list_filters(demo, api_login):
    client = api_login("prosecutor")

    def refs(query):
        response = client.get(f"/api/cases/?{query}")
        assert response.status_code == 200, response.json()
        return {row["reference"] for row in response.json()["results"]}

    everything = refs("")
    assert everything == {CASES["C1"], CASES["C2"], CASES["C3"]}
    assert refs("stage=pre_trial") == {CASES["C1"]}
    assert refs("priority=child") == {CASES["C3"]}
    assert refs("is_transnational=true") == {CASES["C1"]}
    assert refs("exploitation_form=ForcedBegging") == {CASES["C3"]}
    assert refs("q=harvest") == {CASES["C1"]}
    assert refs(f"jurisdiction={demo.case('C1').jurisdiction_id}") == everything
    assert refs(f"jurisdiction={demo.case('C4').jurisdiction_id}") == set()  # not a way to see C4
    assert refs("is_restricted=true") == {CASES["C2"]}
    assert client.get("/api/cases/?stage=nonsense").status_code == 400


def test_editing_a_case_needs_the_version_read(demo, api_login):
    client, case = api_login("investigator"), demo.case("C1")
    assert client.patch(f"/api/cases/{case.pk}/", {"title": "No version"}, format="json").status_code == 400
    ok = client.patch(f"/api/cases/{case.pk}/", {"title": "Renamed", "version": case.version}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == case.version + 1
    stale = client.patch(f"/api/cases/{case.pk}/", {"title": "Again", "version": case.version}, format="json")
    assert stale.status_code == 400 and "changed this record" in str(stale.json())
    fixed = client.patch(f"/api/cases/{case.pk}/", {"reference": "CHANGED", "version": case.version + 1},
                         format="json")
    assert fixed.status_code == 200
    assert Case.objects.get(pk=case.pk).reference == CASES["C1"]  # the reference is fixed once open
    assert Case.objects.get(pk=case.pk).title == "Renamed"
    judge = api_login("judge").patch(f"/api/cases/{case.pk}/", {"title": "Judge", "version": 99}, format="json")
    assert judge.status_code == 403


def test_stage_moves_through_the_api(demo, api_login):
    prosecutor, case = api_login("prosecutor"), demo.case("C3")  # intake, child case
    wrong = prosecutor.post(f"/api/cases/{case.pk}/move/", {"target": "trial"}, format="json")
    assert wrong.status_code == 400 and "cannot move to" in str(wrong.json())
    no_reason = prosecutor.post(f"/api/cases/{case.pk}/move/", {"target": "closed_no_charge"}, format="json")
    assert no_reason.status_code == 400 and "needs a reason" in str(no_reason.json())
    assert Case.objects.get(pk=case.pk).stage == "intake" and not case.stage_changes.exists()

    moved = prosecutor.post(f"/api/cases/{case.pk}/move/", {"target": "investigation"}, format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == "investigation"
    change = CaseStageChange.objects.get(case=case)
    assert (change.from_stage, change.to_stage, change.changed_by.username) == ("intake", "investigation", "prosecutor")
    history = prosecutor.get(f"/api/stage-changes/?case={case.pk}").json()["results"]
    assert [(h["from_stage"], h["to_stage"], h["changed_by"]) for h in history] == [
        ("intake", "investigation", "Helena Costa")]

    # Seeing a case is not moving it; not seeing it answers 404.
    assert api_login("judge").post(f"/api/cases/{demo.case('C1').pk}/move/", {"target": "trial"},
                                   format="json").status_code == 403
    assert api_login("investigator.br").post(f"/api/cases/{case.pk}/move/", {"target": "charging"},
                                             format="json").status_code == 404
    # The guard: no trial without a filed charge.
    c3 = Case.objects.get(pk=case.pk)
    prosecutor.post(f"/api/cases/{c3.pk}/move/", {"target": "charging"}, format="json")
    guarded = prosecutor.post(f"/api/cases/{c3.pk}/move/", {"target": "pre_trial"}, format="json")
    assert guarded.status_code == 400 and "filed charge" in str(guarded.json())


def test_charging_a_defendant_and_deciding_through_the_api(demo, api_login):
    client, case = api_login("prosecutor"), demo.case("C1")
    defendant = client.post("/api/defendants/", {
        "case": case.pk, "name": "Carlos Mendes", "roles": ["Transporter"], "nationality": "PT",
        "custody": "pre_trial_detention", "detention_started_on": "2026-10-01", "detention_limit_on": "2027-04-01",
        "foreign_prior_convictions": "ES 2019: smuggling", "is_organised_crime": True,
    }, format="json")
    assert defendant.status_code == 201, defendant.json()
    charge = client.post("/api/charges/", {
        "defendant": defendant.json()["id"], "statute_reference": "Penal Code art. 160", "offence": "trafficking",
        "acts": ["transportation"], "means": ["deception"], "exploitation_forms": ["OrganRemoval"],
        "charged_on": "2026-11-01",
    }, format="json")
    assert charge.status_code == 201, charge.json()
    assert charge.json()["case"] == case.pk
    verdict = client.post("/api/verdicts/", {
        "charge": charge.json()["id"], "outcome": "convicted", "decided_on": "2026-11-20", "custodial_months": 96,
        "aggravating_circumstances": ["child_victim"],
    }, format="json")
    assert verdict.status_code == 201, verdict.json()
    second = client.post("/api/verdicts/", {"charge": charge.json()["id"], "outcome": "acquitted",
                                            "decided_on": "2026-11-21"}, format="json")
    assert second.status_code == 400 and Verdict.objects.filter(charge_id=charge.json()["id"]).count() == 1
    appeal = client.post("/api/appeals/", {"verdict": verdict.json()["id"], "appellant": "defence",
                                           "filed_on": "2026-11-22"}, format="json")
    assert appeal.status_code == 201, appeal.json()
    assert Appeal.objects.get(pk=appeal.json()["id"]).verdict.charge.defendant.case == case
    # The parent is fixed once created.
    client.patch(f"/api/charges/{charge.json()['id']}/", {"defendant": case.defendants.first().pk}, format="json")
    assert Charge.objects.get(pk=charge.json()["id"]).defendant_id == defendant.json()["id"]
    # A judge reads the verdict but may not change it.
    judge = api_login("judge")
    assert judge.get(f"/api/verdicts/{verdict.json()['id']}/").json()["custodial_months"] == 96
    assert judge.patch(f"/api/verdicts/{verdict.json()['id']}/", {"custodial_months": 1},
                       format="json").status_code == 403
    assert Verdict.objects.get(pk=verdict.json()["id"]).custodial_months == 96


def test_a_public_official_defendant_restricts_the_case_through_the_api(demo, api_login):
    case = demo.case("C1")
    response = api_login("investigator").post("/api/defendants/", {
        "case": case.pk, "name": "Border officer", "is_public_official": True, "official_position": "Border guard",
    }, format="json")
    assert response.status_code == 201
    assert Case.objects.get(pk=case.pk).is_restricted
    # Agency-wide access is gone: the focal point (agency grant only) no longer sees it.
    assert api_login("focalpoint").get(f"/api/cases/{case.pk}/").status_code == 404
    logged = AccessLog.objects.filter(user__username="investigator", object_id=str(case.pk))
    api_login("investigator").get(f"/api/cases/{case.pk}/")
    assert logged.filter(action=AccessLog.Action.VIEW).exists()


def test_cross_case_references_are_refused(demo, api_login):
    client, c1, c2 = api_login("prosecutor"), demo.case("C1"), demo.case("C2")
    other_defendant = c2.defendants.get()
    asset = client.post("/api/assets/", {"case": c1.pk, "description": "Car", "kind": "proceeds", "country": "PT",
                                         "defendant": other_defendant.pk}, format="json")
    assert asset.status_code == 400 and asset.json() == {"defendant": ["This defendant belongs to another case."]}
    claim = client.post("/api/compensation-claims/", {"case": c1.pk, "victim": demo.victim("V3").pk,
                                                      "route": "state_fund"}, format="json")
    assert claim.status_code == 400 and claim.json() == {"victim": ["This victim is not linked to the case."]}
    outsider = Agency.objects.get(users__username="investigator.br")
    meeting = client.post("/api/meetings/", {"case": c1.pk, "held_on": "2026-11-01", "agencies": [outsider.pk],
                                             "decisions": "x"}, format="json")
    assert meeting.status_code == 400 and "take no part" in str(meeting.json())
    assert not Asset.objects.filter(description="Car").exists()
    assert not CoordinationMeeting.objects.filter(decisions="x").exists()


def test_model_rules_answer_with_their_messages(demo, api_login):
    client, case = api_login("prosecutor"), demo.case("C1")
    refused = client.post("/api/cooperation-requests/", {
        "case": case.pk, "kind": "extradition", "requesting_state": "PT", "requested_state": "BR",
        "status": "refused", "refusal_reason": "Own national",
    }, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": ["A refused extradition needs its extradite-or-prosecute follow-up."]}
    overpaid = client.post("/api/compensation-claims/", {
        "case": case.pk, "victim": demo.victim("V1").pk, "route": "sentence", "amount_awarded": "100",
        "amount_paid": "200"}, format="json")
    assert overpaid.json() == {"non_field_errors": ["The amount paid cannot exceed the amount awarded."]}
    assert not CooperationRequest.objects.filter(case=case, kind="extradition").exists()


def test_note_scope_is_enforced_in_the_api(demo, api_login):
    case = demo.case("C1")
    for scope in ("team", "agency", "ngo"):
        assert api_login("caseworker").post("/api/notes/", {"case": case.pk, "scope": scope, "text": f"NGO {scope}"},
                                            format="json").status_code == 201

    def read(username):
        rows = api_login(username).get(f"/api/notes/?case={case.pk}").json()["results"]
        return {row["text"] for row in rows if row["text"].startswith("NGO ")}

    assert read("caseworker") == {"NGO team", "NGO agency", "NGO ngo"}
    assert read("prosecutor") == {"NGO team"}  # on the team, not of the NGO
    assert read("supervisor") == set()  # not on the team, another agency
    assert read("focalpoint") == set()
    note = CaseNote.objects.get(text="NGO agency")
    assert api_login("prosecutor").get(f"/api/notes/{note.pk}/").status_code == 404
    assert note.author.username == "caseworker" and note.author_agency == note.author.agency
    # Notes are not rewritten.
    assert api_login("caseworker").patch(f"/api/notes/{note.pk}/", {"text": "x"}, format="json").status_code == 405


def test_handover_through_the_api_needs_a_reason_and_moves_access(demo, api_login):
    case, prosecutor = demo.case("C1"), api_login("prosecutor")
    newcomer = factories.user(demo.user("prosecutor").agency, "prosecutor", username="prosecutor.two")
    fresh = APIClient()
    fresh.force_authenticate(newcomer)
    case_services.set_restricted(case, True)  # only the named team sees it now
    assert fresh.get(f"/api/cases/{case.pk}/").status_code == 404

    payload = {"case": case.pk, "user": newcomer.pk, "team_role": "prosecutor"}
    no_reason = prosecutor.post("/api/assignments/", payload, format="json")
    assert no_reason.status_code == 400 and "needs a reason" in str(no_reason.json())
    assert fresh.get(f"/api/cases/{case.pk}/").status_code == 404

    handover = prosecutor.post("/api/assignments/", {**payload, "reason": "Helena moves to the appeals unit"},
                               format="json")
    assert handover.status_code == 201, handover.json()
    previous = CaseAssignment.objects.get(case=case, team_role="prosecutor", user__username="prosecutor")
    assert previous.ended_on is not None and previous.reason == "Helena moves to the appeals unit"
    assert fresh.get(f"/api/cases/{case.pk}/").status_code == 200
    assert prosecutor.get(f"/api/cases/{case.pk}/").status_code == 404  # handed over

    # Ending an assignment revokes the access it gave.
    lead = CaseAssignment.objects.get(case=case, team_role="lead_investigator", ended_on__isnull=True)
    assert api_login("investigator").get(f"/api/cases/{case.pk}/").status_code == 200
    assert fresh.post(f"/api/assignments/{lead.pk}/end/", {}, format="json").status_code == 400
    ended = fresh.post(f"/api/assignments/{lead.pk}/end/", {"reason": "Transferred to another unit"}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] is not None
    assert api_login("investigator").get(f"/api/cases/{case.pk}/").status_code == 404
    again = fresh.post(f"/api/assignments/{lead.pk}/end/", {"reason": "Again"}, format="json")
    assert again.status_code == 400 and "ended already" in str(again.json())


def test_who_may_manage_the_team_through_the_api(demo, api_login):
    case = demo.case("C1")
    outsider = demo.user("investigator.br")
    payload = {"case": case.pk, "user": demo.user("clerk").pk, "team_role": "judge", "reason": "Reassigned"}
    for username in ("investigator", "judge", "caseworker", "focalpoint"):
        assert api_login(username).post("/api/assignments/", payload, format="json").status_code == 403
    not_taking_part = api_login("prosecutor").post(
        "/api/assignments/", {**payload, "user": outsider.pk}, format="json")
    assert not_taking_part.status_code == 400 and "agencies taking part" in str(not_taking_part.json())
    assert api_login("prosecutor").post("/api/assignments/", payload, format="json").status_code == 201
    team = api_login("caseworker").get(f"/api/assignments/?case={case.pk}").json()["results"]
    # The clerk took over as judge's function holder from the judge, with the reason recorded.
    assert {(row["team_role"], row["user_name"], row["ended_on"] is None, row["reason"]) for row in team
            if row["team_role"] == "judge"} == {("judge", "Paulo Lima", False, "Reassigned"),
                                                ("judge", "Ana Ferreira", True, "")}


def test_exclusion_through_the_api(demo, api_login):
    case = demo.case("C1")
    judge = demo.user("judge")
    assert api_login("investigator").post(f"/api/cases/{case.pk}/exclude/", {"user": judge.pk, "reason": "x"},
                                          format="json").status_code == 403
    assert api_login("prosecutor").post(f"/api/cases/{case.pk}/exclude/", {"user": judge.pk},
                                        format="json").status_code == 400
    response = api_login("prosecutor").post(f"/api/cases/{case.pk}/exclude/",
                                            {"user": judge.pk, "reason": "Related to a defendant"}, format="json")
    assert response.status_code == 201
    assert CaseExclusion.objects.filter(case=case, user=judge).exists()
    assert api_login("judge").get(f"/api/cases/{case.pk}/").status_code == 404


def test_case_file_lists_run_a_constant_number_of_queries(demo, api_login, count_queries):
    client, case = api_login("prosecutor"), demo.case("C1")
    victim = demo.victim("V1")
    police = case.agency_roles.get(role=CaseAgency.Role.INVESTIGATING).agency
    prosecutor = demo.user("prosecutor")

    def grow(n):
        for i in range(n):
            defendant = case_services.save_defendant(Defendant(case=case, name=f"D{i}"))
            charge = Charge.objects.create(defendant=defendant, statute_reference="art. 160", offence="trafficking")
            verdict = Verdict.objects.create(charge=charge, outcome="convicted", decided_on="2026-11-01")
            Appeal.objects.create(verdict=verdict, appellant="defence", filed_on="2026-11-02")
            Asset.objects.create(case=case, defendant=defendant, description=f"A{i}", kind="proceeds", country="PT")
            CooperationRequest.objects.create(case=case, kind="mla", requesting_state="PT", requested_state="BR")
            CompensationClaim.objects.create(case=case, victim=victim, route="sentence")
            meeting = CoordinationMeeting.objects.create(case=case, held_on="2026-11-01", decisions="d",
                                                         recorded_by=prosecutor)
            meeting.agencies.add(police)
            CaseNote.objects.create(case=case, author=prosecutor, author_agency=prosecutor.agency, text=f"n{i}")

    endpoints = ["defendants", "charges", "verdicts", "appeals", "assets", "cooperation-requests",
                 "compensation-claims", "meetings", "notes", "assignments", "stage-changes"]
    grow(2)
    small = {}
    for e in endpoints:
        count, response = count_queries(client, f"/api/{e}/?case={case.pk}")
        small[e] = count, response.json()["count"]
    grow(20)
    for endpoint in endpoints:
        count, response = count_queries(client, f"/api/{endpoint}/?case={case.pk}")
        rows = response.json()["count"]
        assert count == small[endpoint][0], (endpoint, small[endpoint], count)
        assert count <= 8, (endpoint, count)
        if endpoint not in ("assignments", "stage-changes"):
            assert rows == small[endpoint][1] + 20, endpoint
