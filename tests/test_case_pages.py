"""The case file in the browser's terms: forms, sections per function, notes, team."""

import pytest
from django.utils.html import escape

import access
from accounts.models import Agency
from cases.models import Case, CaseAgency, CaseAssignment, CaseNote, Charge, CompensationClaim, Defendant, Verdict

from .conftest import CASES


def test_a_prosecutor_opens_a_case_and_their_office_takes_part(demo, login):
    client = login("prosecutor")
    response = client.post("/cases/new/", {
        "reference": "PT-LIS-2026-0099", "title": "Restaurant kitchen: forced labour", "jurisdiction":
        demo.case("C1").jurisdiction_id, "opened_on": "2026-11-20", "priority": "high", "origin": "inspection",
        "exploitation_forms": ["ForcedLabour"], "investigation_summary": "",
    })
    case = Case.objects.get(reference="PT-LIS-2026-0099")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.stage == Case.Stage.INTAKE and case.created_by.username == "prosecutor"
    assert list(case.agency_roles.values_list("agency__name", "role")) == [
        ("Public Prosecution Service – Lisbon", CaseAgency.Role.PROSECUTING)]
    assert access.can(demo.user("supervisor"), "view", case)
    assert not access.can(demo.user("investigator"), "view", case)
    assert list(case.assignments.values_list("user__username", "team_role")) == [("prosecutor", "prosecutor")]


@pytest.mark.parametrize("username", ["caseworker", "clerk", "focalpoint", "frontline"])
def test_only_investigators_and_prosecutors_open_cases(login, username):
    assert login(username).get("/cases/new/").status_code == 403


def test_a_duplicate_reference_is_refused_with_a_message(demo, login):
    response = login("prosecutor").post("/cases/new/", {
        "reference": CASES["C1"], "title": "x", "jurisdiction": demo.case("C1").jurisdiction_id,
        "opened_on": "2026-11-20", "priority": "normal",
    })
    assert response.status_code == 200
    assert "Case with this Reference number already exists." in response.content.decode()


def test_moving_a_case_from_its_page(demo, login):
    case = demo.case("C1")  # pre-trial, with filed charges
    client = login("prosecutor")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Start the trial" in page and "Discontinue the proceedings" in page
    response = client.post(f"/cases/{case.pk}/move/", {"target": "trial"}, follow=True)
    assert "is now at the stage “Trial”" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/move/", {"target": "judgment"}, follow=True)
    assert "Record a verdict on every charge" in response.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "trial"
    assert "Start the trial" not in login("judge").get(f"/cases/{case.pk}/").content.decode()
    assert login("judge").post(f"/cases/{case.pk}/move/", {"target": "judgment"}).status_code == 403


SECTIONS = {  # heading on the case page -> who sees it on C1
    "Defendants and charges": {"prosecutor", "investigator", "supervisor", "clerk", "judge"},
    "International cooperation": {"prosecutor", "investigator", "supervisor", "focalpoint"},
    "Compensation": {"prosecutor", "investigator", "supervisor", "clerk", "judge", "caseworker"},
    "Investigation</h2>": {"prosecutor", "investigator", "supervisor"},
}


@pytest.mark.parametrize("username", ["prosecutor", "investigator", "supervisor", "clerk", "judge", "caseworker",
                                      "focalpoint"])
def test_case_page_sections_per_function(demo, login, username):
    html = login(username).get(f"/cases/{demo.case('C1').pk}/").content.decode()
    for heading, readers in SECTIONS.items():
        assert (heading in html) is (username in readers), heading
    assert ("António Ramos" in html) is (username in SECTIONS["Defendants and charges"])


def test_recording_defendant_charge_verdict_and_appeal(demo, login):
    case = demo.case("C1")
    client = login("prosecutor")
    response = client.post(f"/cases/{case.pk}/defendants/add/", {
        "kind": "natural", "name": "Carla Mendes", "roles": ["Transporter"], "custody": "bail",
        "bail_conditions": "Report weekly; no contact with victims",
    })
    assert response.status_code == 302
    defendant = Defendant.objects.get(name="Carla Mendes", case=case)
    client.post(f"/cases/{case.pk}/defendants/{defendant.pk}/charges/add/", {
        "statute_reference": "Penal Code art. 160", "offence": "trafficking", "acts": ["transportation"],
        "exploitation_forms": ["ForcedLabour"], "status": "filed",
    })
    charge = Charge.objects.get(defendant=defendant)
    client.post(f"/cases/{case.pk}/charges/{charge.pk}/verdict/", {
        "outcome": "convicted", "decided_on": "2026-11-01", "custodial_months": "48",
        "aggravating_circumstances": ["organised_group"],
    })
    client.post(f"/cases/{case.pk}/verdicts/{charge.verdict.pk}/appeals/add/", {
        "appellant": "defence", "filed_on": "2026-11-10", "outcome": "pending"})
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Carla Mendes" in html and "48 months" in html and "Defence appeal: Pending" in html
    assert defendant.history.latest().history_user.username == "prosecutor"


def test_sentences_only_follow_convictions(demo, login):
    case = demo.case("C1")
    charge = Charge.objects.filter(defendant__case=case).first()
    response = login("prosecutor").post(f"/cases/{case.pk}/charges/{charge.pk}/verdict/", {
        "outcome": "acquitted", "decided_on": "2026-11-01", "custodial_months": "12"})
    assert response.status_code == 200
    assert "A custodial sentence or fine can only follow a conviction." in response.content.decode()
    assert not Verdict.objects.filter(charge=charge).exists()


@pytest.mark.parametrize("username,status", [("clerk", 403), ("caseworker", 403), ("investigator.br", 404)])
def test_who_may_not_record_defendants(demo, login, username, status):
    case = demo.case("C1")
    assert login(username).get(f"/cases/{case.pk}/defendants/add/").status_code == status
    response = login(username).post(f"/cases/{case.pk}/defendants/add/", {"kind": "natural", "name": "X",
                                                                          "custody": "at_liberty"})
    assert response.status_code == status
    assert not Defendant.objects.filter(name="X").exists()


def test_objects_of_another_case_cannot_be_edited_through_this_one(demo, login):
    other = Defendant.objects.get(case=demo.case("C2"))
    assert login("prosecutor").get(f"/cases/{demo.case('C1').pk}/defendants/{other.pk}/edit/").status_code == 404


def test_ngo_caseworkers_file_compensation_claims_and_bad_amounts_are_refused(demo, login):
    case, victim = demo.case("C1"), demo.victim("V1")
    client = login("caseworker")
    bad = client.post(f"/cases/{case.pk}/compensation/add/", {
        "victim": victim.pk, "route": "civil_in_criminal", "status": "awarded", "currency": "EUR",
        "amount_awarded": "1000", "amount_paid": "5000"})
    assert bad.status_code == 200 and not CompensationClaim.objects.exists()
    assert "The amount paid cannot exceed the amount awarded." in bad.content.decode()
    good = client.post(f"/cases/{case.pk}/compensation/add/", {
        "victim": victim.pk, "route": "civil_in_criminal", "status": "filed", "currency": "EUR",
        "amount_claimed": "12000"})
    assert good.status_code == 302
    assert CompensationClaim.objects.get().amount_claimed == 12000


def test_notes_reach_the_audience_their_author_chose(demo, login):
    case = demo.case("C1")
    login("prosecutor").post(f"/cases/{case.pk}/notes/add/", {"scope": "team", "text": "Team: hearing strategy"})
    login("investigator").post(f"/cases/{case.pk}/notes/add/", {"scope": "agency", "text": "Police: informant"})
    login("caseworker").post(f"/cases/{case.pk}/notes/add/", {"scope": "ngo", "text": "NGO: victim is anxious"})
    assert CaseNote.objects.count() == 3
    readers = {
        "Team: hearing strategy": {"prosecutor", "investigator", "judge", "caseworker"},
        "Police: informant": {"investigator"},
        "NGO: victim is anxious": {"caseworker"},
    }
    for username in ("prosecutor", "investigator", "judge", "caseworker", "clerk", "supervisor", "focalpoint"):
        html = login(username).get(f"/cases/{case.pk}/").content.decode()
        for text, audience in readers.items():
            assert (escape(text) in html) is (username in audience), (username, text)


def test_handover_from_the_case_page_needs_a_reason(demo, login):
    case = demo.case("C1")
    client = login("supervisor")
    other = Agency.objects.get(name="Public Prosecution Service – Lisbon").users.get(username="supervisor")
    response = client.post(f"/cases/{case.pk}/team/assign/", {"team_role": "prosecutor", "user": other.pk})
    assert response.status_code == 200 and "needs a reason" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/team/assign/", {"team_role": "prosecutor", "user": other.pk,
                                                              "reason": "Prosecutor on long leave"})
    assert response.status_code == 302
    holders = case.assignments.filter(team_role=CaseAssignment.TeamRole.PROSECUTOR).order_by("id")
    assert holders.get(ended_on__isnull=True).user.username == "supervisor"
    assert holders.get(ended_on__isnull=False).reason == "Prosecutor on long leave"
    assert login("prosecutor").get(f"/cases/{case.pk}/team/assign/").status_code == 200  # still via her office


def test_only_prosecutors_and_supervisors_manage_the_team(demo, login):
    case = demo.case("C1")
    assert login("investigator").get(f"/cases/{case.pk}/team/assign/").status_code == 403
    assert login("judge").get(f"/cases/{case.pk}/exclusions/add/").status_code == 403


@pytest.mark.parametrize("query,expected", [
    ({"exploitation_form": "ForcedBegging"}, {"C3"}),
    ({"is_transnational": "true"}, {"C1"}),
    ({"priority": "child"}, {"C3"}),
    ({"stage": "investigation"}, {"C2"}),
    ({"q": "metro"}, {"C3"}),
])
def test_case_list_filters(login, query, expected):
    html = login("prosecutor").get("/cases/", query).content.decode()
    assert {key for key, ref in CASES.items() if ref in html} == expected


def test_the_case_team_shows_who_is_trained(demo, login):
    from cases import services

    services.assign(demo.case("C1"), demo.user("supervisor"), CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE)
    html = login("prosecutor").get(f"/cases/{demo.case('C1').pk}/").content.decode()
    team = html.split('id="team"')[1].split("</section>")[0]
    rows = {row.split("</td><td>")[1].split("<")[0].strip(): "trained</mark>" in row
            for row in team.split("<tr>")[2:]}
    # Inês, Helena, Paulo and Sofia have training records in the demo data; Miguel has none.
    assert rows == {"Inês Duarte": True, "Helena Costa": True, "Sofia Almeida": True, "Paulo Lima": True,
                    "Miguel Sousa": False}
