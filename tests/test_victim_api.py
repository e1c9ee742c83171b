"""Victims through the API: what each demo role sees of a victim and of each part of the
file, recording and editing through the services, name search (refused, narrowed, logged),
consent withdrawal revoking access, the repatriation hold, the child-detention refusal, the
NGO's data export, refusals that write nothing, and a constant number of queries per list."""

import datetime

import pytest

from accounts.models import AccessLog
from cases import services as case_services
from cases.models import Charge, Defendant
from victims import services
from victims.models import (
    MAILING_ADDRESS_FIELDS, AssistanceService, AsylumClaim, Consent, CooperationWithAuthorities, CounsellingNote,
    DataSubjectRequest, Detention, IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative,
    ReflectionPeriod, ResidencePermit, Return, RiskAssessment, SafetyPlan, StatusDecision, Victim, VictimIdentity,
)

from . import factories
from .conftest import DEMO_USERS, VICTIMS

NONE = set()
# Per demo user: the victims they see, whose identity they see, whose shelter and address
# they see, whose cooperation with the authorities they see, and whose record they may edit.
SEES = {
    "investigator": {"V1", "V2", "V4"}, "frontline": {"V6"}, "prosecutor": {"V1", "V2", "V3", "V4"},
    "supervisor": {"V1", "V2"}, "clerk": {"V1", "V2"}, "judge": {"V1", "V2"},
    "caseworker": {"V1", "V2", "V4", "V6"}, "focalpoint": {"V1", "V2"}, "auditor": NONE, "admin": NONE,
    "investigator.br": {"V5"}, "caseworker.br": {"V5"},
}
IDENTITY = {**SEES, "prosecutor": {"V1", "V2", "V3"}, "supervisor": NONE, "clerk": NONE, "judge": NONE,
            "focalpoint": NONE}
SHELTER = {username: NONE for username in DEMO_USERS} | {"caseworker": SEES["caseworker"],
                                                         "caseworker.br": {"V5"}}
COOPERATION = {username: NONE for username in DEMO_USERS} | {
    name: SEES[name] for name in ("investigator", "prosecutor", "caseworker", "investigator.br", "caseworker.br")}
CHANGES = {username: NONE for username in DEMO_USERS} | {
    name: SEES[name] for name in ("investigator", "frontline", "prosecutor", "caseworker", "investigator.br",
                                  "caseworker.br")}
RECORDERS = {"frontline", "investigator", "prosecutor", "caseworker", "investigator.br", "caseworker.br"}

PSEUDONYMOUS = {
    "id", "code", "status", "sex", "age_group", "estimated_age", "is_treated_as_child", "nationality", "languages",
    "interpreter_needed", "identification_channel", "indicators", "exploitation_forms", "sex_exploitation_types",
    "forced_labour_industries", "methods_of_control", "recruitment", "recruitment_lures", "has_accompanying_adult",
    "accompanying_adult_verified_on", "accompanying_adult_unverified", "values_to_review", "recruitment_country",
    "recruitment_place", "exploitation_country", "exploitation_place",
    "non_criminalisation_flag", "recording_agency", "created_at", "updated_at", "version",
}
NAMES = {"V1": "João Silva", "V2": "Maria Santos", "V3": "Elena Popescu", "V4": "Nikolai", "V5": "Rosa Quispe",
         "V6": "Ram Thapa"}
SHELTERS = {"V1": "Shelter A (address held by Safe Harbour)", "V2": "Shelter B",
            "V4": "Children's home (Safe Harbour)", "V5": "Casa Acolhida, unit 2", "V6": ""}
NOT_FOUND = ["No such record, or you are not allowed to see it."]


def version_of(victim):
    """The version a client would have read just now."""
    return Victim.objects.get(pk=victim.pk).version


def write_one_of_everything(demo, victim):
    """One record of each part of the file for `victim`, written as the pages would."""
    caseworker = demo.user("caseworker")
    ngo = caseworker.agency
    IdentityDocument.objects.create(victim=victim, kind="passport", number="X123", held_by="suspect")
    services.give_consent(victim, actor=caseworker, purpose="data_processing", informed=True)
    AssistanceService.objects.create(victim=victim, kind="medical", provider=ngo)
    CooperationWithAuthorities.objects.create(victim=victim, status="considering")
    ReflectionPeriod.objects.create(victim=victim, jurisdiction=ngo.jurisdiction, started_on=datetime.date(2026, 1, 1))
    ResidencePermit.objects.create(victim=victim, kind="victim", status="applied")
    AsylumClaim.objects.create(victim=victim, filed_on=datetime.date(2026, 2, 1))
    assessment = RiskAssessment.objects.create(victim=victim, level="high", assessed_by=caseworker, agency=ngo,
                                               threats_to_relatives="Brother threatened")
    SafetyPlan.objects.create(victim=victim, risk_assessment=assessment, measures="Safe phone")
    ProtectedRelative.objects.create(victim=victim, name="Pedro Silva", relationship="brother", country="BR")
    Detention.objects.create(victim=victim, place="Airport holding", started_on=datetime.date(2026, 3, 1),
                             authority="Border police", legal_basis="Art. 146", necessity_reasoning="Flight risk")
    ParticipationEntry.objects.create(victim=victim, kind="views", summary="Wants to testify", recorded_by=caseworker)
    DataSubjectRequest.objects.create(victim=victim, kind="access")
    CounsellingNote.objects.create(victim=victim, author=caseworker, agency=ngo, text="Sleeping better.")


# --- The victim record, role by role ----------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERS)
def test_what_each_role_sees_of_a_victim(demo, api_login, username):
    client = api_login(username)
    for key in VICTIMS:
        CooperationWithAuthorities.objects.get_or_create(victim=demo.victim(key), defaults={"status": "cooperating"})
    listed = client.get("/api/victims/").json()["results"]
    assert {row["code"] for row in listed} == {VICTIMS[k] for k in SEES[username]}
    for row in listed:
        assert set(row) == PSEUDONYMOUS  # no identity, no cooperation in lists
    for key, code in VICTIMS.items():
        victim = demo.victim(key)
        response = client.get(f"/api/victims/{victim.pk}/")
        if key not in SEES[username]:
            assert response.status_code == 404 and response.json() == {"detail": NOT_FOUND[0]}, key
            continue
        body = response.json()
        assert PSEUDONYMOUS <= set(body) and body["code"] == code
        assert ("cooperation" in body) is (key in COOPERATION[username]), key
        if "cooperation" in body:
            assert body["cooperation"]["status"] == "cooperating"
        identity = body["identity"]
        assert (identity is not None) is (key in IDENTITY[username]), key
        if identity is None:
            text = response.content.decode()
            assert NAMES[key].split()[0] not in text
            continue
        assert identity["full_name"] == NAMES[key]
        if key in SHELTER[username]:
            assert identity["shelter_location"] == SHELTERS[key]
            assert identity["mailing_street"] == ("Rua das Flores 12, 3.º dto." if key == "V1" else
                                                  "Travessa do Fala-Só 4" if key == "V6" else "")
        else:
            assert identity["shelter_location"] is None
            assert all(identity[name] is None for name in MAILING_ADDRESS_FIELDS), key
            assert "Shelter" not in response.content.decode() and "Rua das Flores" not in response.content.decode()


def test_pseudonymous_fields_and_flags(demo, api_login):
    v4 = api_login("caseworker").get(f"/api/victims/{demo.victim('V4').pk}/").json()
    assert (v4["age_group"], v4["is_treated_as_child"], v4["nationality"], v4["status"]) == (
        "in_doubt", True, "BG", "presumed")
    # The demo child arrived with an adult nobody has verified yet.
    assert v4["non_criminalisation_flag"] is False and v4["accompanying_adult_unverified"] is True
    v1 = api_login("caseworker").get(f"/api/victims/{demo.victim('V1').pk}/").json()
    assert v1["is_treated_as_child"] is False and v1["identity"]["date_of_birth"] == "1994-05-17"


def test_police_never_get_counselling_notes_or_shelter(demo, api_login):
    victim = demo.victim("V1")
    write_one_of_everything(demo, victim)
    note = CounsellingNote.objects.get(victim=victim)
    for username in DEMO_USERS:
        client = api_login(username)
        rows = client.get(f"/api/counselling-notes/?victim={victim.pk}").json()["results"]
        allowed = username == "caseworker"
        assert [row["text"] for row in rows] == (["Sleeping better."] if allowed else []), username
        assert client.get(f"/api/counselling-notes/{note.pk}/").status_code == (200 if allowed else 404)
    investigator = api_login("investigator").get(f"/api/victims/{victim.pk}/").json()
    assert investigator["identity"]["full_name"] == "João Silva"
    assert investigator["identity"]["mailing_street"] is None and investigator["identity"]["shelter_location"] is None


@pytest.mark.parametrize("username", DEMO_USERS)
def test_reading_each_part_of_a_victims_file_follows_the_policy(demo, api_login, username):
    victim = demo.victim("V1")
    write_one_of_everything(demo, victim)
    sees = "V1" in SEES[username]
    identity = "V1" in IDENTITY[username]
    workers = "V1" in COOPERATION[username]  # police, prosecution, the supporting NGO
    expected = {
        # V1 was recorded as identified: the ladder recorded that step at first contact.
        "status-decisions": 1 * sees, "victim-supports": 1 * sees, "victim-case-links": 1 * sees, "consents": 1 * sees,
        "services": 1 * sees, "reflection-periods": 1 * sees, "residence-permits": 1 * sees,
        "asylum-claims": 1 * sees, "detentions": 1 * sees, "participation": 1 * sees,
        "identity-documents": 1 * identity, "protected-relatives": 1 * identity,
        "cooperation": 1 * workers, "risk-assessments": 1 * workers, "safety-plans": 1 * workers,
        "data-requests": 1 * workers, "counselling-notes": 1 * (username == "caseworker"),
        "returns": 0, "non-punishment-decisions": 0,
    }
    client = api_login(username)
    for endpoint, count in expected.items():
        response = client.get(f"/api/{endpoint}/?victim={victim.pk}")
        assert response.status_code == 200, endpoint
        assert response.json()["count"] == count, (endpoint, response.json())
    relative = client.get(f"/api/protected-relatives/{ProtectedRelative.objects.get(victim=victim).pk}/")
    assert relative.status_code == (200 if identity else 404)


def test_case_links_hide_cases_the_caller_may_not_see(demo, api_login):
    v3 = demo.victim("V3")  # in the restricted case C2
    services.add_supporting_agency(v3, demo.user("caseworker").agency)
    rows = api_login("caseworker").get(f"/api/victim-case-links/?victim={v3.pk}").json()["results"]
    assert [(row["case"], row["case_reference"], row["role"]) for row in rows] == [(None, None, "victim_witness")]
    assert "PT-LIS-2026-0002" not in api_login("caseworker").get("/api/victim-case-links/").content.decode()
    rows = api_login("prosecutor").get(f"/api/victim-case-links/?victim={v3.pk}").json()["results"]
    assert [row["case_reference"] for row in rows] == ["PT-LIS-2026-0002"]


# --- Name search ---------------------------------------------------------------------------

def test_name_search_only_among_identities_the_caller_may_see_and_logged(demo, api_login):
    def search(username, name):
        response = api_login(username).get("/api/victims/", {"name": name})
        assert response.status_code == 200, response.content
        return {row["code"] for row in response.json()["results"]}

    logged = AccessLog.objects.filter(action=AccessLog.Action.VIEW_IDENTITY, purpose="name search")
    assert search("caseworker", "joão") == {VICTIMS["V1"]}
    entry = logged.get(username="caseworker")
    assert (entry.object_label, entry.path) == (VICTIMS["V1"], "/api/victims/")  # never the name searched
    assert search("caseworker", "Silva João") == {VICTIMS["V1"]}  # each word, any order
    assert search("caseworker", "Nikolai") == {VICTIMS["V4"]}
    # The prosecutor sees V4 but not its identity: the name finds nothing; the search is logged
    # (who searched), with no victim and no name.
    assert search("prosecutor", "Nikolai") == set()
    assert list(logged.filter(username="prosecutor").values_list("object_id", "object_label")) == [("", "")]
    assert search("prosecutor", "Elena") == {VICTIMS["V3"]}
    assert search("frontline", "Ram") == {VICTIMS["V6"]}  # the victim they recorded
    assert search("investigator", "Ram") == set()
    assert search("investigator.br", "Maria") == set()
    # Combined with the other filters.
    assert api_login("caseworker").get("/api/victims/", {"name": "a", "sex": "Feminine"}).json()["count"] == 1


@pytest.mark.parametrize("username", ["supervisor", "clerk", "judge", "focalpoint", "auditor", "admin"])
def test_name_search_is_refused_without_any_right_to_identity(demo, api_login, username):
    response = api_login(username).get("/api/victims/", {"name": "Silva"})
    assert response.status_code == 403
    assert "Silva" not in response.content.decode()
    assert not AccessLog.objects.filter(username=username, action=AccessLog.Action.VIEW_IDENTITY).exists()
    assert AccessLog.objects.filter(username=username, action=AccessLog.Action.DENIED,
                                    requested="name search").exists()
    # The code search stays open to them.
    assert api_login(username).get("/api/victims/", {"q": "V-DM"}).status_code == 200


def test_victim_list_filters(demo, api_login):
    client = api_login("caseworker")

    def codes(query):
        response = client.get(f"/api/victims/?{query}")
        assert response.status_code == 200, response.json()
        return {row["code"] for row in response.json()["results"]}

    assert codes("") == {VICTIMS[k] for k in ("V1", "V2", "V4", "V6")}
    assert codes("status=identified") == {VICTIMS["V1"]}
    assert codes("age_group=in_doubt") == {VICTIMS["V4"]}
    assert codes("sex=Feminine") == {VICTIMS["V2"]}
    assert codes("nationality=NP") == {VICTIMS["V6"]}
    assert codes("q=dm7k") == {VICTIMS["V1"]}
    assert codes("nationality=BO") == set()  # V5 exists, but not for this caller
    assert client.get("/api/victims/?status=nonsense").status_code == 400


# --- Recording and editing ---------------------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_records_victims(demo, api_login, username):
    before = (Victim.objects.count(), VictimIdentity.objects.count())
    response = api_login(username).post("/api/victims/", {
        "sex": "Feminine", "age_group": "adult", "nationality": "NG", "languages": ["en"],
        "identity": {"given_names": "Blessing", "family_name": "Okafor"},
    }, format="json")
    allowed = username in RECORDERS
    assert response.status_code == (201 if allowed else 403), response.json()
    assert (Victim.objects.count(), VictimIdentity.objects.count()) == tuple(n + allowed for n in before)
    if allowed:
        body = response.json()
        victim = Victim.objects.get(code=body["code"])
        assert (victim.recorded_by.username, victim.status) == (username, "potential")
        assert body["identity"]["full_name"] == "Blessing Okafor"  # the recorder sees what they recorded
        assert VictimIdentity.objects.get(victim=victim).family_name == "Okafor"


def test_recording_a_victim_with_every_field(demo, api_login):
    ngo = demo.user("caseworker").agency
    payload = {
        "sex": "Masculine", "age_group": "child", "estimated_age": 15, "nationality": "AF", "languages": ["fa", "en"],
        "interpreter_needed": True, "identification_channel": "border_control",
        "indicators": ["documents_withheld", "debt"], "exploitation_forms": ["ForcedLabour"],
        "methods_of_control": [], "recruitment": [], "has_accompanying_adult": True,
    }
    identity = {"given_names": "Ahmad", "family_name": "Rahimi", "aliases": "Ali", "date_of_birth": "2011-04-02",
                "contact": "via NGO", "guardian": "Guardian office Lisbon", "accompanying_adult": "Uncle (stated)",
                "mailing_street": "Rua X 1", "mailing_postal_code": "1000-999", "shelter_location": "Children's home"}
    response = api_login("investigator").post(
        "/api/victims/", {**payload, "identity": identity, "supporting_agencies": [ngo.pk]}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    for name, value in payload.items():
        assert body[name] == value, name
    assert body["accompanying_adult_unverified"] is True and body["status"] == "potential"
    assert body["identity"]["guardian"] == "Guardian office Lisbon"
    assert body["identity"]["accompanying_adult"] == "Uncle (stated)"
    # Written by the recorder, read by the NGO only.
    assert body["identity"]["mailing_street"] is None and body["identity"]["mailing_postal_code"] is None
    victim = Victim.objects.get(code=body["code"])
    ngo_view = api_login("caseworker").get(f"/api/victims/{victim.pk}/").json()
    assert ngo_view["identity"]["shelter_location"] == "Children's home"
    assert (ngo_view["identity"]["mailing_street"], ngo_view["identity"]["mailing_postal_code"]) == (
        "Rua X 1", "1000-999")
    assert ngo_view["identity"]["full_name"] == "Ahmad Rahimi"


def test_bad_input_when_recording_writes_nothing(demo, api_login):
    client = api_login("caseworker")
    police = demo.user("investigator").agency
    before = (Victim.objects.count(), VictimIdentity.objects.count())
    cases = [
        ({"age_group": "adult", "estimated_age": 15}, "age_group"),
        ({"identity": {"date_of_birth": "not a date"}}, "identity"),
        ({"languages": ["klingon"]}, "languages"),
        ({"indicators": ["guessing"]}, "indicators"),
        ({"supporting_agencies": [police.pk]}, "supporting_agencies"),  # supporting agencies are NGOs
        ({"sex": "robot"}, "sex"),
    ]
    for payload, field in cases:
        response = client.post("/api/victims/", payload, format="json")
        assert response.status_code == 400 and field in response.json(), (payload, response.json())
    assert (Victim.objects.count(), VictimIdentity.objects.count()) == before
    status_ignored = client.post("/api/victims/", {"status": "identified"}, format="json")
    assert status_ignored.status_code == 201 and status_ignored.json()["status"] == "potential"


def test_editing_a_victim_and_its_identity(demo, api_login):
    victim = demo.victim("V4")
    caseworker = api_login("caseworker")
    response = caseworker.patch(f"/api/victims/{victim.pk}/", {"version": version_of(victim),
        "languages": ["bg"], "interpreter_needed": True,
        "identity": {"guardian": "Public guardian, Lisbon", "family_name": "Petrov", "shelter_location": "Home B"},
    }, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["languages"] == ["bg"] and body["identity"]["full_name"] == "Nikolai Petrov"
    assert body["identity"]["guardian"] == "Public guardian, Lisbon"
    assert body["identity"]["shelter_location"] == "Home B"
    assert api_login("investigator").get(f"/api/victims/{victim.pk}/").json()["identity"]["guardian"] == (
        "Public guardian, Lisbon")
    # A known date of birth decides the age group, except while the age is in doubt.
    v1 = demo.victim("V1")
    caseworker.patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1), "identity": {"date_of_birth": "2012-01-01"}}, format="json")
    assert Victim.objects.get(pk=v1.pk).age_group == "child"
    # Fields that move only through their actions are not edited here.
    caseworker.patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1), "status": "potential", "code": "V-HACKED"}, format="json")
    assert (Victim.objects.get(pk=v1.pk).status, Victim.objects.get(pk=v1.pk).code) == ("identified", VICTIMS["V1"])


def test_editing_identity_needs_the_right_to_see_it(demo, api_login):
    v4, v1 = demo.victim("V4"), demo.victim("V1")
    # The prosecutor may edit V4's record but not see its identity.
    refused = api_login("prosecutor").patch(f"/api/victims/{v4.pk}/", {"version": version_of(v4),
        "sex": "Feminine", "identity": {"family_name": "X"}}, format="json")
    assert refused.status_code == 403
    assert Victim.objects.get(pk=v4.pk).sex == "Masculine" and VictimIdentity.objects.get(victim=v4).family_name == ""
    assert api_login("prosecutor").patch(f"/api/victims/{v4.pk}/", {"version": version_of(v4), "interpreter_needed": True},
                                         format="json").status_code == 200
    # The investigator sees V1's identity but not its address or shelter.
    shelter = api_login("investigator").patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1),
        "identity": {"shelter_location": ""}}, format="json")
    assert shelter.status_code == 403
    assert VictimIdentity.objects.get(victim=v1).shelter_location.startswith("Shelter A")
    # An edit made against an older version is refused.
    stale = api_login("caseworker").patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1) - 1, "sex": "Feminine"},
                                          format="json")
    assert stale.status_code == 400 and "changed this record" in str(stale.json()["version"])
    unversioned = api_login("caseworker").patch(f"/api/victims/{v1.pk}/", {"sex": "Feminine"}, format="json")
    assert unversioned.status_code == 400 and "version" in unversioned.json()
    # Seeing is not editing; not seeing answers 404.
    assert api_login("judge").patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1), "sex": "Feminine"}, format="json").status_code == 403
    assert api_login("caseworker.br").patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1), "sex": "Feminine"},
                                            format="json").status_code == 404
    bad = api_login("caseworker").patch(f"/api/victims/{v1.pk}/", {"version": version_of(v1), "estimated_age": 12}, format="json")
    assert bad.status_code == 400 and "age_group" in bad.json()
    assert Victim.objects.get(pk=v1.pk).estimated_age is None and Victim.objects.get(pk=v1.pk).sex == "Masculine"


def test_status_moves_up_the_ladder_through_the_api(demo, api_login):
    victim = demo.victim("V2")  # presumed
    client = api_login("caseworker")
    url = f"/api/victims/{victim.pk}/status/"
    assert client.post(url, {"status": "identified", "authority": "Police"}, format="json").status_code == 400
    down = client.post(url, {"status": "potential", "authority": "x", "criteria": "y"}, format="json")
    assert down.status_code == 400 and "only moves up the ladder" in str(down.json())
    at_first_contact = [("presumed", "Judicial Police – Anti-Trafficking Unit")]  # recorded as presumed by police
    assert list(StatusDecision.objects.filter(victim=victim).values_list("status", "authority")) == at_first_contact
    assert api_login("judge").post(url, {"status": "identified", "authority": "x", "criteria": "y"},
                                   format="json").status_code == 403
    moved = client.post(url, {"status": "identified", "authority": "Judicial Police", "criteria": "NRM indicators",
                              "channel": "ngo_drop_in", "decided_on": "2026-10-01"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["status"], moved.json()["identification_channel"]) == ("identified", "ngo_drop_in")
    decisions = client.get(f"/api/status-decisions/?victim={victim.pk}").json()["results"]
    assert [(d["status"], d["authority"], d["recorded_by"], d["decided_on"]) for d in decisions
            if d["status"] == "identified"] == [("identified", "Judicial Police", "Sofia Almeida", "2026-10-01")]
    assert len(decisions) == 2
    assert client.post("/api/status-decisions/", {}, format="json").status_code == 405


def test_accompanying_adult_verification(demo, api_login):
    victim = demo.victim("V6")  # recorded without an accompanying adult
    client = api_login("caseworker")
    url = f"/api/victims/{victim.pk}/verify-accompanying-adult/"
    none = client.post(url, {}, format="json")
    assert none.status_code == 400 and none.json() == {"non_field_errors": ["No accompanying adult is recorded."]}
    assert client.patch(f"/api/victims/{victim.pk}/", {"version": version_of(victim), "has_accompanying_adult": True},
                        format="json").json()["accompanying_adult_unverified"] is True
    assert api_login("focalpoint").post(url, {}, format="json").status_code == 404  # does not see V6
    verified = client.post(url, {"verified_on": "2026-10-02"}, format="json")
    assert verified.status_code == 200 and verified.json()["accompanying_adult_unverified"] is False
    assert verified.json()["accompanying_adult_verified_on"] == "2026-10-02"


# --- Adding to a victim's file ----------------------------------------------------------------

def section_payloads(demo):
    """endpoint -> (model, what to POST for V1, who may add it)."""
    v1 = demo.victim("V1")
    ngo = demo.user("caseworker").agency
    workers = {"investigator", "prosecutor", "caseworker"}  # edit V1 (police, prosecution, its NGO)
    return {
        "identity-documents": (IdentityDocument, {"victim": v1.pk, "kind": "passport", "held_by": "police"}, workers),
        "consents": (Consent, {"victim": v1.pk, "purpose": "photographs", "informed": True}, workers),
        "services": (AssistanceService, {"victim": v1.pk, "kind": "legal_aid", "provider": ngo.pk}, workers),
        "cooperation": (CooperationWithAuthorities, {"victim": v1.pk, "status": "cooperating"}, workers),
        "reflection-periods": (ReflectionPeriod, {"victim": v1.pk, "jurisdiction": ngo.jurisdiction_id}, workers),
        "residence-permits": (ResidencePermit, {"victim": v1.pk, "kind": "victim", "status": "granted",
                                                "issued_on": "2026-01-01", "expires_on": "2027-01-01"}, workers),
        "asylum-claims": (AsylumClaim, {"victim": v1.pk, "filed_on": "2026-02-02"}, workers),
        "risk-assessments": (RiskAssessment, {"victim": v1.pk, "level": "medium"}, workers),
        "protected-relatives": (ProtectedRelative, {"victim": v1.pk, "name": "Ana", "relationship": "mother"},
                                workers),
        "detentions": (Detention, {"victim": v1.pk, "place": "Station", "started_on": "2026-03-01",
                                   "authority": "Police", "legal_basis": "Art. 1", "necessity_reasoning": "x"},
                       workers),
        "participation": (ParticipationEntry, {"victim": v1.pk, "kind": "notice", "notice_about": "hearing_date",
                                               "summary": "Told of the hearing"}, workers),
        "data-requests": (DataSubjectRequest, {"victim": v1.pk, "kind": "correction"}, workers),
        "counselling-notes": (CounsellingNote, {"victim": v1.pk, "text": "First session."}, {"caseworker"}),
    }


@pytest.mark.parametrize("username", DEMO_USERS)
def test_adding_to_a_victims_file_follows_the_policy_for_every_role(demo, api_login, username):
    client = api_login(username)
    for endpoint, (model, payload, may_add) in section_payloads(demo).items():
        before = model.objects.count()
        response = client.post(f"/api/{endpoint}/", payload, format="json")
        if username in may_add:
            assert response.status_code == 201, (endpoint, response.json())
            assert model.objects.count() == before + 1
        elif username in SEES and "V1" in SEES[username]:
            assert response.status_code == 403, (endpoint, response.status_code)
            assert model.objects.count() == before
        else:
            # A victim one may not see answers exactly like one that does not exist.
            assert response.status_code == 400, (endpoint, response.status_code)
            assert response.json() == {"victim": NOT_FOUND}
            missing = client.post(f"/api/{endpoint}/", {**payload, "victim": 99999999}, format="json")
            assert missing.json() == response.json()
            assert model.objects.count() == before


def test_who_wrote_it_comes_from_the_caller(demo, api_login):
    v1 = demo.victim("V1")
    caseworker = demo.user("caseworker")
    client = api_login("caseworker")
    other = demo.user("investigator")
    note = client.post("/api/counselling-notes/", {"victim": v1.pk, "text": "t", "author": other.pk,
                                                   "agency": other.agency_id}, format="json")
    assert note.status_code == 201
    saved = CounsellingNote.objects.get(pk=note.json()["id"])
    assert (saved.author, saved.agency) == (caseworker, caseworker.agency)
    assessment = client.post("/api/risk-assessments/", {"victim": v1.pk, "level": "low"}, format="json").json()
    assert (assessment["assessed_by"], assessment["agency"]) == ("Sofia Almeida", "Safe Harbour Association")
    consent = client.post("/api/consents/", {"victim": v1.pk, "purpose": "photographs", "informed": True},
                          format="json").json()
    assert consent["recorded_by"] == "Sofia Almeida"
    entry = client.post("/api/participation/", {"victim": v1.pk, "kind": "views", "summary": "s"}, format="json")
    assert ParticipationEntry.objects.get(pk=entry.json()["id"]).recorded_by == caseworker
    request = client.post("/api/data-requests/", {"victim": v1.pk, "kind": "access"}, format="json").json()
    assert request["handled_by"] is None
    done = client.patch(f"/api/data-requests/{request['id']}/", {"status": "done", "handled_on": "2026-10-03",
                                                                  "outcome": "Copy handed over"}, format="json")
    assert done.status_code == 200 and done.json()["handled_by"] == "Sofia Almeida"
    unfinished = client.patch(f"/api/data-requests/{request['id']}/", {"status": "refused", "outcome": ""},
                              format="json")
    assert unfinished.status_code == 400
    assert unfinished.json() == {"non_field_errors": ["A handled request needs the date and how it was handled."]}


def test_changing_a_part_one_may_not_read_answers_like_a_hidden_record(demo, api_login):
    v4 = demo.victim("V4")
    document = IdentityDocument.objects.create(victim=v4, kind="passport", number="P1")
    prosecutor = api_login("prosecutor")  # edits V4, does not see its identity
    assert prosecutor.get(f"/api/identity-documents/{document.pk}/").status_code == 404
    response = prosecutor.patch(f"/api/identity-documents/{document.pk}/", {"number": "P2"}, format="json")
    assert response.status_code == 404 and "P1" not in response.content.decode()
    assert IdentityDocument.objects.get(pk=document.pk).number == "P1"
    assert api_login("investigator").patch(f"/api/identity-documents/{document.pk}/", {"number": "P2"},
                                           format="json").json()["number"] == "P2"
    # The parent is fixed once created.
    api_login("investigator").patch(f"/api/identity-documents/{document.pk}/", {"victim": demo.victim("V1").pk},
                                    format="json")
    assert IdentityDocument.objects.get(pk=document.pk).victim == v4


def test_consent_withdrawal_through_the_api_revokes_the_agencys_access(demo, api_login):
    victim = demo.victim("V1")
    outsider = api_login("investigator.br")
    brazil_police = demo.user("investigator.br").agency
    assert outsider.get(f"/api/victims/{victim.pk}/").status_code == 404
    no_agency = api_login("caseworker").post("/api/consents/", {"victim": victim.pk, "purpose": "share_record",
                                                                "informed": True}, format="json")
    assert no_agency.status_code == 400
    assert no_agency.json() == {"non_field_errors": ["Consent to share or refer names the agency."]}
    given = api_login("caseworker").post("/api/consents/", {
        "victim": victim.pk, "purpose": "share_record", "agency": brazil_police.pk, "informed": True,
    }, format="json")
    assert given.status_code == 201, given.json()
    seen = outsider.get(f"/api/victims/{victim.pk}/")
    assert seen.status_code == 200 and seen.json()["identity"] is None  # the record, not the identity
    assert VICTIMS["V1"] in {row["code"] for row in outsider.get("/api/victims/").json()["results"]}

    consent_id = given.json()["id"]
    assert api_login("judge").post(f"/api/consents/{consent_id}/withdraw/", {}, format="json").status_code == 403
    withdrawn = api_login("caseworker").post(f"/api/consents/{consent_id}/withdraw/",
                                             {"note": "Victim asked on the phone"}, format="json")
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["withdrawn_on"] is not None
    assert withdrawn.json()["withdrawal_note"] == "Victim asked on the phone"
    assert outsider.get(f"/api/victims/{victim.pk}/").status_code == 404
    assert VICTIMS["V1"] not in {row["code"] for row in outsider.get("/api/victims/").json()["results"]}
    again = api_login("caseworker").post(f"/api/consents/{consent_id}/withdraw/", {}, format="json")
    assert again.status_code == 400 and "withdrawn already" in str(again.json())
    assert api_login("caseworker").patch(f"/api/consents/{consent_id}/", {"informed": False},
                                         format="json").status_code == 405


def test_repatriation_hold_through_the_api(demo, api_login):
    client = api_login("caseworker")
    v1 = demo.victim("V1")  # linked to C1, which is open
    incomplete = client.post("/api/risk-assessments/", {"victim": v1.pk, "level": "high", "completed": True},
                             format="json")
    assert incomplete.status_code == 400 and "limits_of_protection_explained" in incomplete.json()
    assessment = client.post("/api/risk-assessments/", {
        "victim": v1.pk, "level": "low", "completed": True, "limits_of_protection_explained": True,
    }, format="json")
    assert assessment.status_code == 201, assessment.json()
    payload = {"victim": v1.pk, "destination": "BR", "returned_on": "2026-12-01", "non_refoulement_checked": True,
               "risk_assessment": assessment.json()["id"]}
    held = client.post("/api/returns/", payload, format="json")
    assert held.status_code == 400
    assert held.json() == {"non_field_errors": [
        "Repatriation hold: 1 linked case(s) still open. A return can be recorded once the proceedings are closed."]}
    assert not Return.objects.exists()

    v6 = demo.victim("V6")  # no case
    other = RiskAssessment.objects.get(pk=assessment.json()["id"])
    wrong = client.post("/api/returns/", {**payload, "victim": v6.pk}, format="json")
    assert wrong.status_code == 400 and "risk_assessment" in wrong.json()
    own = client.post("/api/risk-assessments/", {"victim": v6.pk, "level": "low", "completed": True,
                                                 "limits_of_protection_explained": True}, format="json").json()
    unchecked = client.post("/api/returns/", {**payload, "victim": v6.pk, "risk_assessment": own["id"],
                                              "non_refoulement_checked": False}, format="json")
    assert unchecked.status_code == 400 and "non-refoulement" in str(unchecked.json())
    assert not Return.objects.exists()
    done = client.post("/api/returns/", {**payload, "victim": v6.pk, "risk_assessment": own["id"]}, format="json")
    assert done.status_code == 201, done.json()
    assert Return.objects.get().recorded_by == demo.user("caseworker") and other.victim == v1


def test_detention_of_a_child_is_refused_through_the_api(demo, api_login):
    client = api_login("investigator")
    v4 = demo.victim("V4")  # age in doubt: treated as a child
    payload = {"victim": v4.pk, "place": "Police station", "started_on": "2026-10-01", "authority": "Police",
               "legal_basis": "Illegal stay", "necessity_reasoning": "No address"}
    refused = client.post("/api/detentions/", payload, format="json")
    assert refused.status_code == 400
    assert "Routine detention of a child is refused" in refused.json()["non_field_errors"][0]
    assert not Detention.objects.filter(victim=v4).exists()
    ordered = client.post("/api/detentions/", {**payload, "court_order": "Order 12/2026",
                                               "last_resort_reasoning": "Immediate danger; no place in care",
                                               "review_dates": ["2026-10-08"]}, format="json")
    assert ordered.status_code == 201, ordered.json()
    assert ordered.json()["review_dates"] == ["2026-10-08"]
    # Nor may an edit turn a court-ordered detention into a routine one.
    cleared = client.patch(f"/api/detentions/{ordered.json()['id']}/", {"court_order": ""}, format="json")
    assert cleared.status_code == 400
    assert Detention.objects.get(victim=v4).court_order == "Order 12/2026"


def test_service_and_reflection_rules(demo, api_login):
    client = api_login("caseworker")
    ngo = demo.user("caseworker").agency
    recorded = client.post("/api/victims/", {"age_group": "adult"}, format="json").json()
    potential = Victim.objects.get(code=recorded["code"])
    early = client.post("/api/services/", {"victim": potential.pk, "kind": "shelter", "provider": ngo.pk},
                        format="json")
    assert early.status_code == 400 and "presumed" in str(early.json())
    assert not AssistanceService.objects.filter(victim=potential).exists()
    backwards = client.post("/api/services/", {"victim": demo.victim("V2").pk, "kind": "shelter", "provider": ngo.pk,
                                               "started_on": "2026-05-01", "ended_on": "2026-04-01"}, format="json")
    assert backwards.status_code == 400
    assert backwards.json() == {"non_field_errors": ["A service cannot end before it starts."]}
    period = client.post("/api/reflection-periods/", {"victim": demo.victim("V2").pk, "started_on": "2026-01-10",
                                                      "jurisdiction": ngo.jurisdiction_id}, format="json")
    assert period.status_code == 201, period.json()
    days = ngo.jurisdiction.reflection_period_days
    assert period.json()["ends_on"] == str(datetime.date(2026, 1, 10) + datetime.timedelta(days=days))
    moved = client.patch(f"/api/reflection-periods/{period.json()['id']}/", {"started_on": "2026-02-01"},
                         format="json")
    assert moved.json()["ends_on"] == str(datetime.date(2026, 2, 1) + datetime.timedelta(days=days))
    twice = client.post("/api/cooperation/", {"victim": demo.victim("V4").pk}, format="json")
    assert twice.status_code == 201
    again = client.post("/api/cooperation/", {"victim": demo.victim("V4").pk, "status": "declined"}, format="json")
    assert again.status_code == 400 and CooperationWithAuthorities.objects.get(victim=demo.victim("V4")).status == (
        "not_asked")


def test_non_punishment_decision_clears_the_flag(demo, api_login):
    v1, case = demo.victim("V1"), demo.case("C1")
    defendant = case_services.save_defendant(Defendant(case=case, name="João Silva", victim=v1))
    Charge.objects.create(defendant=defendant, statute_reference="art. 256", offence="documents")
    client = api_login("prosecutor")
    assert client.get(f"/api/victims/{v1.pk}/").json()["non_criminalisation_flag"] is True
    flagged = {row["code"] for row in client.get("/api/victims/").json()["results"] if row["non_criminalisation_flag"]}
    assert flagged == {VICTIMS["V1"], VICTIMS["V2"]}  # V2: the demo's false-passport charge
    other = case.defendants.exclude(pk=defendant.pk).first()
    wrong = client.post("/api/non-punishment-decisions/", {
        "victim": v1.pk, "defendant": other.pk, "outcome": "not_prosecuted", "authority": "PPS", "reasoning": "r",
    }, format="json")
    assert wrong.status_code == 400 and "defendant" in wrong.json()
    decided = client.post("/api/non-punishment-decisions/", {
        "victim": v1.pk, "defendant": defendant.pk, "outcome": "not_prosecuted", "authority": "PPS Lisbon",
        "reasoning": "Compelled by the traffickers",
    }, format="json")
    assert decided.status_code == 201, decided.json()
    assert decided.json()["recorded_by"] == "Helena Costa"
    assert NonPunishmentDecision.objects.get().recorded_by == demo.user("prosecutor")
    assert client.get(f"/api/victims/{v1.pk}/").json()["non_criminalisation_flag"] is False


def test_safety_plan_and_permit_belong_to_the_same_victim(demo, api_login):
    client = api_login("caseworker")
    v1, v2 = demo.victim("V1"), demo.victim("V2")
    assessment = client.post("/api/risk-assessments/", {"victim": v1.pk, "level": "low"}, format="json").json()
    plan = client.post("/api/safety-plans/", {"victim": v2.pk, "risk_assessment": assessment["id"],
                                              "measures": "m"}, format="json")
    assert plan.status_code == 400 and plan.json() == {"risk_assessment": ["Choose an assessment of this victim."]}
    permit = client.post("/api/residence-permits/", {"victim": v1.pk, "kind": "victim", "status": "granted"},
                         format="json")
    assert permit.status_code == 400
    assert permit.json() == {"non_field_errors": ["A granted permit needs its issue and expiry dates."]}
    short = client.post("/api/residence-permits/", {"victim": v1.pk, "kind": "victim", "status": "granted",
                                                    "issued_on": "2026-01-01", "expires_on": "2026-03-01"},
                        format="json")
    assert short.status_code == 201 and short.json()["shorter_than_six_months"] is True
    renewal = client.post("/api/residence-permits/", {"victim": v2.pk, "kind": "victim",
                                                      "renewal_of": short.json()["id"]}, format="json")
    assert renewal.status_code == 400 and "renewal_of" in renewal.json()
    assert not SafetyPlan.objects.filter(victim__in=[v1, v2], risk_assessment_id=assessment["id"]).exists()
    assert ResidencePermit.objects.filter(victim__in=[v1, v2]).count() == 1 + v2.residence_permits.count()


# --- Export ------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERS)
def test_only_the_supporting_ngo_exports_a_victims_data(demo, api_login, username):
    victim = demo.victim("V1")
    write_one_of_everything(demo, victim)
    response = api_login(username).get(f"/api/victims/{victim.pk}/export/")
    exports = AccessLog.objects.filter(username=username, action=AccessLog.Action.EXPORT)
    if username != "caseworker":
        assert response.status_code == (403 if "V1" in SEES[username] else 404), username
        assert not exports.exists()
        return
    assert response.status_code == 200
    body = response.json()
    assert body["victim"]["code"] == VICTIMS["V1"]
    assert body["identity"]["full_name"] == "João Silva"
    assert body["identity"]["mailing_street"] == "Rua das Flores 12, 3.º dto."
    assert (body["identity"]["mailing_postal_code"], body["identity"]["mailing_country"]) == ("1200-999", "PT")
    assert body["cooperation"]["status"] == "considering"
    assert [note["text"] for note in body["counselling_notes"]] == ["Sleeping better."]
    assert [doc["number"] for doc in body["identity_documents"]] == ["X123"]
    assert [rel["name"] for rel in body["protected_relatives"]] == ["Pedro Silva"]
    assert [link["case_reference"] for link in body["victim_case_links"]] == ["PT-LIS-2026-0001"]
    for name in ("consents", "services", "reflection_periods", "residence_permits", "asylum_claims",
                 "risk_assessments", "safety_plans", "detentions", "participation", "data_requests",
                 "victim_supports"):
        assert len(body[name]) == 1, name
    entry = exports.get()
    assert (entry.object_label, entry.requested) == (VICTIMS["V1"], "export")
    assert AccessLog.objects.filter(username=username, action=AccessLog.Action.VIEW_IDENTITY,
                                    purpose="victim data export").count() == 1


def test_export_shows_only_the_exporting_agencys_counselling_notes(demo, api_login):
    victim = demo.victim("V1")
    other_ngo = factories.agency("ngo")
    writer = factories.user(other_ngo, "caseworker")
    services.add_supporting_agency(victim, other_ngo)
    CounsellingNote.objects.create(victim=victim, author=writer, agency=other_ngo, text="Other NGO's note")
    CounsellingNote.objects.create(victim=victim, author=demo.user("caseworker"), agency=demo.user("caseworker").agency,
                                   text="Ours")
    body = api_login("caseworker").get(f"/api/victims/{victim.pk}/export/").json()
    assert [note["text"] for note in body["counselling_notes"]] == ["Ours"]


# --- Query counts ----------------------------------------------------------------------------

def _count(count_queries, client, url):
    queries, response = count_queries(client, url)
    return queries, response.json()["count"]


def test_victim_lists_run_a_constant_number_of_queries(demo, api_login, count_queries):
    client = api_login("caseworker")
    victim = demo.victim("V1")
    ngo = demo.user("caseworker").agency
    recorder = demo.user("caseworker")

    def grow(n):
        for _ in range(n):
            write_one_of_everything(demo, victim)
            services.withdraw_consent(Consent.objects.filter(victim=victim, withdrawn_on__isnull=True).first())
            CooperationWithAuthorities.objects.filter(victim=victim).delete()
            extra = factories.victim(recorder, supporting_agencies=[ngo])
            CooperationWithAuthorities.objects.create(victim=extra)
            services.link_to_case(extra, demo.case("C1"), "complainant")
            services.set_status(extra, "presumed", actor=recorder, authority="a", criteria="c")
            services.add_supporting_agency(victim, factories.agency("ngo"))
            assessment = RiskAssessment.objects.create(victim=extra, level="low", assessed_by=recorder, agency=ngo)
            Return.objects.create(victim=extra, destination="BR", returned_on="2026-01-01", recorded_by=recorder,
                                  non_refoulement_checked=True, risk_assessment=assessment)

    endpoints = ["victims", "status-decisions", "identity-documents", "victim-supports", "victim-case-links",
                 "consents", "services", "cooperation", "reflection-periods", "residence-permits", "asylum-claims",
                 "returns", "risk-assessments", "safety-plans", "protected-relatives", "detentions", "participation",
                 "data-requests", "counselling-notes"]
    urls = [f"/api/{endpoint}/" for endpoint in endpoints] + [
        f"/api/consents/?victim={victim.pk}", "/api/victims/?name=Test", "/api/victims/?status=presumed"]
    grow(2)
    small = {url: _count(count_queries, client, url) for url in urls}
    grow(10)
    for url in urls:
        count, rows = _count(count_queries, client, url)
        assert count == small[url][0], (url, small[url], count)
        assert count <= 8, (url, count)
        assert rows > small[url][1], url


def test_victim_detail_runs_a_constant_number_of_queries(demo, api_login, count_queries):
    client = api_login("caseworker")
    victim = demo.victim("V1")
    small = count_queries(client, f"/api/victims/{victim.pk}/")[0]
    write_one_of_everything(demo, victim)
    for _ in range(5):
        services.link_to_case(victim, factories.case(demo.user("investigator")), "complainant")
    assert count_queries(client, f"/api/victims/{victim.pk}/")[0] == small
