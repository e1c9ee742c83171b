"""The victim file in the browser's terms: what each function sees on the list and the page,
name search, every form's happy path and a refusal that writes nothing."""

import datetime
import json

import pytest
from django.test import Client

import access
from accounts.models import AccessLog, Agency
from cases import services as case_services
from cases.models import CaseAgency, CaseAssignment, Charge, Defendant
from victims import services as victim_services
from victims.models import (
    AssistanceService, AsylumClaim, Consent, CooperationWithAuthorities, CounsellingNote, DataSubjectRequest,
    Detention, IdentityDocument, NonPunishmentDecision, ParticipationEntry, ProtectedRelative, ReflectionPeriod,
    ResidencePermit, Return, RiskAssessment, SafetyPlan, StatusDecision, Victim, VictimCaseLink,
)

from . import factories
from .conftest import DEMO_USERS, VICTIMS

NOTE = "Sleeps badly; afraid the recruiter will find her sister"
SAFE_HARBOUR = "Safe Harbour Association"
POLICE = "Judicial Police – Anti-Trafficking Unit"


def agency(name):
    return Agency.objects.get(name=name)


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def noted_v1(demo):
    """V1 with a counselling note by the supporting NGO."""
    victim = demo.victim("V1")
    CounsellingNote.objects.create(victim=victim, author=demo.user("caseworker"), agency=agency(SAFE_HARBOUR),
                                   text=NOTE)
    return victim


# --- What each function sees ----------------------------------------------------------------

# V1 (case C1, supported by Safe Harbour): which boxes of the page each function gets.
V1_SECTIONS = {
    'id="identity"': {"investigator", "prosecutor", "caseworker"},
    "Shelter A": {"caseworker"},
    "Rua das Flores": {"caseworker"},
    'id="mailing-address"': {"caseworker"},
    "1200-999": {"caseworker"},
    "joao.silva@example.net": {"investigator", "prosecutor", "caseworker"},
    'id="cooperation"': {"investigator", "prosecutor", "caseworker"},
    'id="safety"': {"investigator", "prosecutor", "caseworker"},
    'id="data-requests"': {"investigator", "prosecutor", "caseworker"},
    'id="counselling"': {"caseworker"},
    NOTE: {"caseworker"},
    "/export/": {"caseworker"},
    "/edit/": {"investigator", "prosecutor", "caseworker"},
    'id="status"': {"investigator", "prosecutor", "caseworker", "supervisor", "clerk", "judge", "focalpoint"},
}


@pytest.mark.parametrize("username", DEMO_USERS)
def test_victim_page_sections_per_function(noted_v1, login, username):
    response = login(username).get(f"/victims/{noted_v1.pk}/")
    readers = V1_SECTIONS['id="status"']
    if username not in readers:
        assert response.status_code == 404
        return
    page = html(response)
    for marker, who in V1_SECTIONS.items():
        assert (marker in page) is (username in who), marker
    assert ("João" in page) is (username in V1_SECTIONS['id="identity"'])


def test_police_never_see_counselling_notes_or_shelter_anywhere(noted_v1, login):
    for username in ("investigator", "prosecutor"):
        client = login(username)
        page = html(client.get(f"/victims/{noted_v1.pk}/"))
        assert NOTE not in page and "Counselling notes</h2>" not in page and "Shelter A" not in page
        assert client.get(f"/victims/{noted_v1.pk}/export/").status_code == 403
        assert client.get(f"/victims/{noted_v1.pk}/counselling/add/").status_code == 403
        listed = html(client.get("/victims/"))
        assert "Shelter A" not in listed and NOTE not in listed


def test_focal_point_never_sees_identity(demo, login):
    client = login("focalpoint")
    for key, name in (("V1", "João"), ("V2", "Maria")):
        page = html(client.get(f"/victims/{demo.victim(key).pk}/"))
        assert "not shown to you" in page and 'id="identity"' not in page and name not in page
    listed = html(client.get("/victims/"))
    assert 'name="name"' not in listed
    assert client.get("/victims/?name=Silva").status_code == 403
    assert not AccessLog.objects.filter(username="focalpoint", action=AccessLog.Action.VIEW_IDENTITY).exists()


@pytest.mark.parametrize("username", DEMO_USERS)
def test_list_and_search_by_code_per_function(demo, login, username):
    client = login(username)
    visible = set(access.visible(demo.user(username), Victim).values_list("code", flat=True))
    response = client.get("/victims/")
    if not access.may_use(demo.user(username), Victim):
        # Auditors and administrators have no victim list beyond an empty one.
        assert not visible
    page = html(response)
    for code in VICTIMS.values():
        assert (code in page) is (code in visible), code
    assert ('name="name"' in page) is access.may_use(demo.user(username), Victim, "view_identity")
    found = html(client.get("/victims/", {"q": VICTIMS["V1"][-4:].lower()}))
    assert (VICTIMS["V1"] in found) is (VICTIMS["V1"] in visible)
    assert VICTIMS["V2"] not in found


def test_flags_on_list_rows(demo, login):
    v1, v4 = demo.victim("V1"), demo.victim("V4")
    victim_services.update_victim(demo.victim("V3"), has_accompanying_adult=True)
    defendant = case_services.save_defendant(Defendant(case=demo.case("C1"), name="João Silva", victim=v1))
    Charge.objects.create(defendant=defendant, statute_reference="Aliens Act art. 181", offence="immigration")
    page = html(login("prosecutor").get("/victims/"))
    rows = {code: row for row in page.split("<tr>")[1:] for code in VICTIMS.values() if code in row}
    assert "non-criminalisation" in rows[v1.code] and "age in doubt" not in rows[v1.code]
    assert "age in doubt" in rows[v4.code]
    assert "accompanying adult unverified" in rows[VICTIMS["V3"]]
    assert "non-criminalisation" not in rows[VICTIMS["V3"]]
    assert "non-criminalisation" in rows[VICTIMS["V2"]]  # the demo's false-passport charge


# --- Name search --------------------------------------------------------------------------------

def codes_found(client, name):
    page = html(client.get("/victims/", {"name": name}))
    return {key for key, code in VICTIMS.items() if code in page}


def test_name_search_is_limited_to_identities_the_user_may_see(login):
    investigator = login("investigator")
    assert codes_found(investigator, "maria") == {"V2"}
    assert codes_found(investigator, "Silva") == {"V1"}
    assert codes_found(investigator, "Elena") == set()  # V3: a restricted case of another team
    prosecutor = login("prosecutor")
    assert codes_found(prosecutor, "Elena") == {"V3"}
    assert codes_found(prosecutor, "Nikolai") == set()  # sees V4 by code, not its identity
    assert codes_found(login("caseworker"), "Nikolai") == {"V4"}
    assert codes_found(login("investigator.br"), "Silva") == set()


def test_name_search_ignores_accents_and_case_on_both_sides(demo, login):
    investigator = login("investigator")
    for spelling in ("joao silva", "JOAO", "João", "jOãO SILVA", "Joao Sílva"):
        assert codes_found(investigator, spelling) == {"V1"}, spelling
    assert codes_found(investigator, "Joana") == set()
    # Letters that are not a plain letter with a mark (ø, ß) are folded too.
    identity = demo.victim("V2").identity
    identity.aliases = "Søren Straße"
    identity.save()
    assert codes_found(investigator, "soren strasse") == {"V2"}
    assert codes_found(investigator, "Søren") == {"V2"}


def test_name_search_results_are_logged_without_the_name(demo, login):
    login("investigator").get("/victims/", {"name": "João Silva"})
    rows = AccessLog.objects.filter(username="investigator", action=AccessLog.Action.VIEW_IDENTITY,
                                    purpose="name search")
    assert list(rows.values_list("object_label", flat=True)) == [VICTIMS["V1"]]
    assert "João" not in rows.get().path and "Silva" not in rows.get().path


@pytest.mark.parametrize("username", ["supervisor", "clerk", "judge", "focalpoint", "auditor"])
def test_name_search_is_refused_and_logged(login, username):
    response = login(username).get("/victims/", {"name": "João"})
    assert response.status_code == 403
    assert AccessLog.objects.filter(username=username, action=AccessLog.Action.DENIED,
                                    requested="name search").exists()
    assert not AccessLog.objects.filter(username=username, action=AccessLog.Action.VIEW_IDENTITY).exists()


# --- Recording a victim -------------------------------------------------------------------------

RECORD = {
    "status": "presumed", "sex": "Feminine", "age_group": "adult", "estimated_age": "24", "nationality": "NG",
    "languages": ["en"], "interpreter_needed": "on", "identification_channel": "ngo_drop_in",
    "indicators": ["documents_withheld", "debt"], "exploitation_forms": ["SexualExploitation"],
    "identity_given_names": "Grace", "identity_family_name": "Okafor", "identity_contact": "+351 900 111 222",
    "identity_shelter_location": "Shelter C, room 4",
}


def test_a_caseworker_records_a_victim_with_consent(demo, login):
    client = login("caseworker")
    form = html(client.get("/victims/new/"))
    assert 'name="identity_shelter_location"' in form and 'name="consent_informed"' in form
    response = client.post("/victims/new/", {**RECORD, "supporting_agency": agency(SAFE_HARBOUR).pk,
                                             "consent_to_processing": "on", "consent_informed": "on"})
    victim = Victim.objects.get(recorded_by__username="caseworker", nationality="NG")
    assert response.status_code == 302 and response["Location"] == f"/victims/{victim.pk}/"
    assert victim.status == "presumed" and victim.interpreter_needed and victim.indicators == ["documents_withheld",
                                                                                               "debt"]
    assert victim.identity.full_name == "Grace Okafor" and victim.identity.shelter_location == "Shelter C, room 4"
    assert list(victim.supports.values_list("agency__name", flat=True)) == [SAFE_HARBOUR]
    assert list(victim.consents.values_list("purpose", "informed")) == [("data_processing", True)]
    page = html(client.get(f"/victims/{victim.pk}/"))
    assert "Grace Okafor" in page and "Shelter C, room 4" in page and 'id="counselling"' in page


def test_a_frontline_officer_records_a_victim_without_shelter_fields(login):
    client = login("frontline")
    form = html(client.get("/victims/new/"))
    assert 'name="identity_shelter_location"' not in form
    data = {**RECORD, "identity_given_names": "Bikash", "nationality": "NP"}
    assert client.post("/victims/new/", data).status_code == 302
    victim = Victim.objects.get(recorded_by__username="frontline", nationality="NP", identity__given_names="Bikash")
    assert victim.identity.shelter_location == "" and not victim.supports.exists()
    assert "Bikash" in html(client.get(f"/victims/{victim.pk}/"))


def test_consent_without_being_informed_writes_nothing(login):
    before = Victim.objects.count()
    response = login("caseworker").post("/victims/new/", {**RECORD, "consent_to_processing": "on"})
    assert "Consent counts only if the victim was told what it means." in html(response)
    assert Victim.objects.count() == before


def test_a_child_recorded_as_an_adult_is_refused(login):
    before = Victim.objects.count()
    response = login("investigator").post("/victims/new/", {**RECORD, "estimated_age": "15"})
    assert "An estimated age under 18 is a child" in html(response)
    assert Victim.objects.count() == before


@pytest.mark.parametrize("username", ["clerk", "judge", "focalpoint", "supervisor", "auditor", "admin"])
def test_only_recorders_record_victims(login, username):
    client = login(username)
    before = Victim.objects.count()
    assert client.get("/victims/new/").status_code == 403
    assert client.post("/victims/new/", RECORD).status_code == 403
    assert Victim.objects.count() == before
    assert "/victims/new/" not in client.get("/victims/").content.decode()


# --- Forms on the victim page ---------------------------------------------------------------------

def test_editing_the_record_and_a_refusal(demo, login):
    victim = demo.victim("V1")
    data = {"sex": "Masculine", "age_group": "adult", "nationality": "BR", "languages": ["pt"], "indicators": ["debt"],
            "version": victim.version}
    response = login("investigator").post(f"/victims/{victim.pk}/edit/", data)
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.languages == ["pt"] and victim.indicators == ["debt"] and victim.version == data["version"] + 1
    # Someone else's edit made from the page loaded before this one is refused, not overwritten.
    stale = login("caseworker").post(f"/victims/{victim.pk}/edit/", {**data, "languages": ["en"]})
    assert stale.status_code == 200 and "Someone else changed this record" in stale.content.decode()
    assert login("clerk").post(f"/victims/{victim.pk}/edit/", {**data, "languages": ["en"]}).status_code == 403
    assert login("investigator.br").post(f"/victims/{victim.pk}/edit/", data).status_code == 404
    victim.refresh_from_db()
    assert victim.languages == ["pt"]


def test_editing_the_identity(demo, login):
    victim = demo.victim("V1")
    investigator_form = html(login("investigator").get(f"/victims/{victim.pk}/identity/"))
    assert "Silva" in investigator_form and 'name="shelter_location"' not in investigator_form
    assert 'name="mailing_street"' not in investigator_form and "Rua das Flores" not in investigator_form
    assert AccessLog.objects.filter(username="investigator", purpose="identity edit").exists()
    client = login("caseworker")
    assert "Rua das Flores" in html(client.get(f"/victims/{victim.pk}/identity/"))
    response = client.post(f"/victims/{victim.pk}/identity/", {
        "given_names": "João", "family_name": "Silva", "guardian": "", "mailing_street": "Rua Nova 3",
        "mailing_city": "Lisboa", "shelter_location": "Shelter A", "version": victim.version,
    })
    assert response.status_code == 302
    victim.identity.refresh_from_db()
    assert (victim.identity.mailing_street, victim.identity.mailing_city) == ("Rua Nova 3", "Lisboa")
    assert login("supervisor").get(f"/victims/{victim.pk}/identity/").status_code == 403
    assert login("supervisor").post(f"/victims/{victim.pk}/identity/", {"given_names": "X"}).status_code == 403
    victim.identity.refresh_from_db()
    assert victim.identity.given_names == "João"


def test_moving_up_the_status_ladder(demo, login):
    victim = demo.victim("V2")  # presumed
    client = login("prosecutor")
    form = html(client.get(f"/victims/{victim.pk}/status/"))
    assert 'value="identified"' in form and 'value="potential"' not in form
    response = client.post(f"/victims/{victim.pk}/status/", {
        "status": "identified", "decided_on": "2026-11-03", "authority": "National Referral Mechanism",
        "criteria": "Indicators of forced labour confirmed in interview", "channel": "inspection",
    })
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.status == "identified" and victim.identification_channel == "inspection"
    page = html(client.get(f"/victims/{victim.pk}/"))
    assert "National Referral Mechanism" in page and "Move up the ladder" not in page
    assert login("clerk").post(f"/victims/{victim.pk}/status/", {"status": "identified"}).status_code == 403
    # The step recorded at first contact (presumed), and this one.
    assert list(StatusDecision.objects.filter(victim=victim).order_by("id").values_list("status", flat=True)) == [
        "presumed", "identified"]


def test_consent_to_share_identity_gives_and_withdrawal_takes_access(demo, login):
    victim, investigator = demo.victim("V6"), demo.user("investigator")
    client = login("caseworker")
    assert login("investigator").get(f"/victims/{victim.pk}/").status_code == 404
    response = client.post(f"/victims/{victim.pk}/consents/add/", {
        "purpose": "share_identity", "agency": agency(POLICE).pk, "given_on": "2026-11-03", "informed": "on"})
    assert response.status_code == 302
    assert "Ram Thapa" in html(login("investigator").get(f"/victims/{victim.pk}/"))
    consent = Consent.objects.get(victim=victim, purpose="share_identity")
    response = client.post(f"/victims/{victim.pk}/consents/{consent.pk}/withdraw/", {"note": "Asked on the phone"})
    assert response.status_code == 302
    assert not access.can(investigator, "view", victim)
    assert login("investigator").get(f"/victims/{victim.pk}/").status_code == 404


def test_uninformed_or_agencyless_consent_writes_nothing(demo, login):
    victim = demo.victim("V1")
    client = login("caseworker")
    before = Consent.objects.filter(victim=victim).count()
    page = html(client.post(f"/victims/{victim.pk}/consents/add/", {"purpose": "share_record", "given_on":
                                                                    "2026-11-03", "informed": "on"}))
    assert "names the agency" in page
    page = html(client.post(f"/victims/{victim.pk}/consents/add/", {"purpose": "photographs", "given_on":
                                                                    "2026-11-03"}))
    assert "told what it means" in page
    assert login("clerk").post(f"/victims/{victim.pk}/consents/add/", {
        "purpose": "photographs", "given_on": "2026-11-03", "informed": "on"}).status_code == 403
    assert Consent.objects.filter(victim=victim).count() == before


def test_assistance_starts_at_presumed(demo, login):
    client = login("caseworker")
    service = {"kind": "shelter", "provider": agency(SAFE_HARBOUR).pk, "started_on": "2026-11-03"}
    v1 = demo.victim("V1")
    assert client.post(f"/victims/{v1.pk}/services/add/", service).status_code == 302
    assert "Shelter / safe accommodation" in html(client.get(f"/victims/{v1.pk}/"))
    potential = factories.victim(demo.user("caseworker"), status="potential",
                                 supporting_agencies=[agency(SAFE_HARBOUR)])
    page = html(client.post(f"/victims/{potential.pk}/services/add/", service))
    assert "Record the victim as presumed first" in page
    assert not AssistanceService.objects.filter(victim=potential).exists()
    assert login("judge").post(f"/victims/{v1.pk}/services/add/", service).status_code == 403
    assert AssistanceService.objects.filter(victim=v1).count() == 1


def test_cooperation_is_its_own_box(demo, login):
    victim = demo.victim("V1")
    client = login("investigator")
    assert client.post(f"/victims/{victim.pk}/cooperation/", {"status": "cooperating", "since": "2026-10-01",
                                                              "notes": "Gave a statement"}).status_code == 302
    assert CooperationWithAuthorities.objects.get(victim=victim).status == "cooperating"
    assert "Gave a statement" in html(login("caseworker").get(f"/victims/{victim.pk}/"))
    for username in ("clerk", "judge", "focalpoint", "supervisor"):
        assert "Gave a statement" not in html(login(username).get(f"/victims/{victim.pk}/"))
    assert login("clerk").get(f"/victims/{victim.pk}/cooperation/").status_code == 403


def test_reflection_permits_asylum(demo, login):
    victim = demo.victim("V1")
    client = login("caseworker")
    jurisdiction = demo.case("C1").jurisdiction
    assert client.post(f"/victims/{victim.pk}/reflection/add/", {
        "jurisdiction": jurisdiction.pk, "started_on": "2026-11-01", "granted_by": "SEF"}).status_code == 302
    period = ReflectionPeriod.objects.get(victim=victim)
    assert period.ends_on == datetime.date(2026, 11, 1) + datetime.timedelta(days=jurisdiction.reflection_period_days)
    assert client.post(f"/victims/{victim.pk}/permits/add/", {
        "kind": "victim", "status": "granted", "issued_on": "2026-11-01", "expires_on": "2027-02-01"}).status_code == 302
    page = html(client.post(f"/victims/{victim.pk}/permits/add/", {"kind": "victim", "status": "granted"}))
    assert "A granted permit needs its issue and expiry dates." in page
    assert ResidencePermit.objects.filter(victim=victim).count() == 1
    assert client.post(f"/victims/{victim.pk}/asylum/add/", {"filed_on": "2026-10-01", "status": "pending"}
                       ).status_code == 302
    page = html(client.get(f"/victims/{victim.pk}/"))
    assert "shorter than six months" in page and "Pending" in page
    assert AsylumClaim.objects.filter(victim=victim).count() == 1


def test_return_waits_for_the_proceedings_and_a_completed_assessment(demo, login):
    client = login("caseworker")
    held = demo.victim("V1")  # C1 is open
    page = html(client.get(f"/victims/{held.pk}/"))
    assert 'id="repatriation-hold"' in page and "Record a return" not in page
    assessment = RiskAssessment.objects.create(
        victim=held, level="low", completed=True, limits_of_protection_explained=True,
        assessed_by=demo.user("caseworker"), agency=agency(SAFE_HARBOUR))
    data = {"destination": "BR", "returned_on": "2026-12-01", "voluntary": "on", "risk_assessment": assessment.pk,
            "non_refoulement_checked": "on"}
    page = html(client.post(f"/victims/{held.pk}/returns/add/", data))
    assert "Repatriation hold" in page and not Return.objects.filter(victim=held).exists()

    free = demo.victim("V6")  # no case
    page = html(client.post(f"/victims/{free.pk}/risks/add/", {
        "assessed_on": "2026-11-20", "level": "medium", "completed": "on"}))
    assert "limits of protection were explained" in page and not free.risk_assessments.exists()
    assert client.post(f"/victims/{free.pk}/risks/add/", {
        "assessed_on": "2026-11-20", "level": "medium", "completed": "on",
        "limits_of_protection_explained": "on"}).status_code == 302
    assessment = free.risk_assessments.get()
    page = html(client.post(f"/victims/{free.pk}/returns/add/", {**data, "destination": "NP",
                                                                 "risk_assessment": assessment.pk,
                                                                 "non_refoulement_checked": ""}))
    assert "non-refoulement" in page and not Return.objects.filter(victim=free).exists()
    assert client.post(f"/victims/{free.pk}/returns/add/", {**data, "destination": "NP",
                                                            "risk_assessment": assessment.pk}).status_code == 302
    assert Return.objects.get(victim=free).recorded_by.username == "caseworker"


def test_safety_plans_and_protected_relatives(demo, login):
    victim = demo.victim("V1")
    client = login("investigator")
    assert client.post(f"/victims/{victim.pk}/risks/add/", {"assessed_on": "2026-11-20", "level": "high",
                                                            "threats_to_relatives": "Sister threatened"}
                       ).status_code == 302
    assessment = RiskAssessment.objects.get(victim=victim)
    assert client.post(f"/victims/{victim.pk}/safety-plans/add/", {
        "risk_assessment": assessment.pk, "measures": "Panic button; new phone", "agreed_on": "2026-11-21"}
    ).status_code == 302
    assert client.post(f"/victims/{victim.pk}/relatives/add/", {
        "name": "Ana Silva", "relationship": "sister", "country": "BR"}).status_code == 302
    assert SafetyPlan.objects.filter(victim=victim).count() == 1
    assert ProtectedRelative.objects.filter(victim=victim).count() == 1
    assert "Ana Silva" in html(login("caseworker").get(f"/victims/{victim.pk}/"))
    for username in ("clerk", "focalpoint", "supervisor"):
        page = html(login(username).get(f"/victims/{victim.pk}/"))
        assert "Ana Silva" not in page and "Panic button" not in page and "Sister threatened" not in page
    assert login("clerk").post(f"/victims/{victim.pk}/relatives/add/", {
        "name": "Other", "relationship": "brother"}).status_code == 403
    assert ProtectedRelative.objects.filter(victim=victim).count() == 1


def test_the_non_punishment_decision_clears_the_flag(demo, login):
    victim = demo.victim("V1")
    defendant = case_services.save_defendant(Defendant(case=demo.case("C1"), name="João Silva", victim=victim))
    Charge.objects.create(defendant=defendant, statute_reference="Aliens Act art. 181", offence="immigration")
    prosecutor = login("prosecutor")
    page = html(prosecutor.get(f"/victims/{victim.pk}/"))
    assert "Decision needed" in page and "Immigration offence" in page and "Record the non-punishment decision" in page
    caseworker_page = html(login("caseworker").get(f"/victims/{victim.pk}/"))
    assert "Decision needed" in caseworker_page and "Record the non-punishment decision" not in caseworker_page
    # The decision is for police and prosecution to record, not the NGO.
    assert login("caseworker").post(f"/victims/{victim.pk}/non-punishment/add/", {
        "defendant": defendant.pk, "outcome": "not_prosecuted", "authority": "x", "reasoning": "y"}
    ).status_code == 403
    assert not NonPunishmentDecision.objects.filter(defendant=defendant).exists()
    response = prosecutor.post(f"/victims/{victim.pk}/non-punishment/add/", {
        "defendant": defendant.pk, "outcome": "not_prosecuted", "decided_on": "2026-11-20",
        "authority": "Public Prosecution Service – Lisbon", "reasoning": "Entered irregularly under the traffickers' "
        "control [PR 2.1]."})
    assert response.status_code == 302
    assert NonPunishmentDecision.objects.get(victim=victim).recorded_by.username == "prosecutor"
    page = html(prosecutor.get(f"/victims/{victim.pk}/"))
    assert "Decision needed" not in page and "Not prosecuted" in page


def test_the_prosecutor_dashboard_flags_non_criminalisation(demo, login):
    from django.urls import reverse

    victim = demo.victim("V3")
    url = reverse("prosecutor-dashboard")
    client = login("prosecutor")

    def row_of(page, key):
        return next(row for row in page.split("<tr")[1:] if demo.case(key).reference in row)

    page = html(client.get(url))
    assert "non-criminalisation" in row_of(page, "C1")  # the demo's false-passport charge against V2
    assert "non-criminalisation" not in row_of(page, "C2")
    # The victim in C2 is charged there with a prostitution offence: C2 is flagged too.
    defendant = case_services.save_defendant(Defendant(case=demo.case("C2"), name="E.", victim=victim))
    Charge.objects.create(defendant=defendant, statute_reference="Penal Code art. 169", offence="prostitution")
    assert "non-criminalisation" in row_of(html(client.get(url)), "C2")


def test_detention_register_refuses_routine_detention_of_a_child(demo, login):
    client = login("investigator")
    detention = {"place": "Lisbon detention centre", "started_on": "2026-11-01", "authority": "SEF",
                 "legal_basis": "Aliens Act art. 146", "necessity_reasoning": "Risk of absconding",
                 "review_dates": "2026-11-15, 2026-12-01"}
    child = demo.victim("V4")  # age in doubt
    page = html(client.post(f"/victims/{child.pk}/detentions/add/", detention))
    assert "Routine detention of a child is refused" in page
    assert not Detention.objects.filter(victim=child).exists()
    adult = demo.victim("V1")
    assert client.post(f"/victims/{adult.pk}/detentions/add/", detention).status_code == 302
    assert Detention.objects.get(victim=adult).review_dates == [datetime.date(2026, 11, 15),
                                                                 datetime.date(2026, 12, 1)]
    assert login("clerk").post(f"/victims/{adult.pk}/detentions/add/", detention).status_code == 403
    assert Detention.objects.filter(victim=adult).count() == 1


def test_participation_log_and_data_requests(demo, login):
    victim, case = demo.victim("V1"), demo.case("C1")
    client = login("prosecutor")
    assert client.post(f"/victims/{victim.pk}/participation/add/", {
        "kind": "notice", "case": case.pk, "notice_about": "hearing_date", "on": "2026-11-20", "channel": "via_ngo",
        "summary": "Told of the hearing on 2 December"}).status_code == 302
    page = html(client.post(f"/victims/{victim.pk}/participation/add/", {
        "kind": "notice", "on": "2026-11-20", "summary": "Something"}))
    assert "Say what the notice was about." in page
    assert ParticipationEntry.objects.filter(victim=victim).count() == 1
    assert "Told of the hearing" in html(login("judge").get(f"/victims/{victim.pk}/"))

    caseworker = login("caseworker")
    assert caseworker.post(f"/victims/{victim.pk}/requests/add/", {
        "kind": "access", "received_on": "2026-11-20", "status": "received"}).status_code == 302
    request = DataSubjectRequest.objects.get(victim=victim)
    page = html(caseworker.post(f"/victims/{victim.pk}/requests/{request.pk}/edit/", {
        "kind": "access", "received_on": "2026-11-20", "status": "done"}))
    assert "A handled request needs the date and how it was handled." in page
    assert caseworker.post(f"/victims/{victim.pk}/requests/{request.pk}/edit/", {
        "kind": "access", "received_on": "2026-11-20", "status": "done", "handled_on": "2026-11-22",
        "outcome": "Export handed over in person"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "done" and request.handled_by.username == "caseworker"


def test_counselling_notes_for_the_supporting_ngo_only(demo, login):
    victim = demo.victim("V1")
    assert login("caseworker").post(f"/victims/{victim.pk}/counselling/add/", {"text": NOTE}).status_code == 302
    note = CounsellingNote.objects.get(victim=victim)
    assert note.agency.name == SAFE_HARBOUR and note.author.username == "caseworker"
    for username in ("investigator", "prosecutor"):
        assert login(username).post(f"/victims/{victim.pk}/counselling/add/", {"text": "x"}).status_code == 403
    assert login("caseworker.br").post(f"/victims/{victim.pk}/counselling/add/", {"text": "x"}).status_code == 404
    assert CounsellingNote.objects.filter(victim=victim).count() == 1


def test_export_of_the_victims_own_data(noted_v1, login):
    response = login("caseworker").get(f"/victims/{noted_v1.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert f'filename="{noted_v1.code}.json"' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["victim"]["code"] == noted_v1.code
    assert data["identity"]["full_name"] == "João Silva"
    assert [note["text"] for note in data["counselling_notes"]] == [NOTE]
    assert AccessLog.objects.filter(username="caseworker", action=AccessLog.Action.EXPORT,
                                    object_label=noted_v1.code).exists()
    for username in ("investigator", "prosecutor", "clerk", "focalpoint"):
        assert login(username).get(f"/victims/{noted_v1.pk}/export/").status_code == 403
    assert login("investigator.br").get(f"/victims/{noted_v1.pk}/export/").status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 1


def test_identity_documents(demo, login):
    victim = demo.victim("V1")
    client = login("caseworker")
    assert client.post(f"/victims/{victim.pk}/documents/add/", {
        "kind": "passport", "number": "BR1234567", "issuing_country": "BR", "held_by": "suspect"}).status_code == 302
    assert "BR1234567" in html(login("investigator").get(f"/victims/{victim.pk}/"))
    for username in ("clerk", "supervisor", "focalpoint"):
        assert "BR1234567" not in html(login(username).get(f"/victims/{victim.pk}/"))
    assert login("clerk").post(f"/victims/{victim.pk}/documents/add/", {
        "kind": "passport", "held_by": "victim"}).status_code == 403
    assert IdentityDocument.objects.filter(victim=victim).count() == 1


def test_accompanying_adult_verification(demo, login):
    victim = victim_services.update_victim(demo.victim("V4"), has_accompanying_adult=True)
    client = login("investigator")
    assert "accompanying adult unverified" in html(client.get(f"/victims/{victim.pk}/"))
    assert login("clerk").post(f"/victims/{victim.pk}/verify-adult/").status_code == 404
    assert client.post(f"/victims/{victim.pk}/verify-adult/").status_code == 302
    victim.refresh_from_db()
    assert victim.accompanying_adult_verified_on is not None


# --- Query counts ---------------------------------------------------------------------------------

def build(rows, ngo, investigator):
    for n in range(rows):
        case = factories.case(investigator, agencies=[(ngo, CaseAgency.Role.SUPPORTING)])
        case_services.assign(case, investigator, CaseAssignment.TeamRole.LEAD_INVESTIGATOR)
        victim = factories.victim(investigator, supporting_agencies=[ngo],
                                  has_accompanying_adult=bool(n % 2), age_group="in_doubt" if n % 3 else "adult")
        victim_services.link_to_case(victim, case, VictimCaseLink.Role.COMPLAINANT)
        defendant = case_services.save_defendant(Defendant(case=case, name="Same person", victim=victim))
        Charge.objects.create(defendant=defendant, statute_reference="x", offence="begging")


def client_of(user):
    client = Client()
    factories.log_in(client, user)
    return client


def test_list_query_count_does_not_grow_with_rows(db, count_queries):
    ngo = factories.agency("ngo")
    people = [factories.user(factories.agency("police"), "investigator"), factories.user(ngo, "caseworker")]
    build(4, ngo, people[0])
    urls = ["/victims/", "/victims/?q=V-", "/victims/?name=Person"]
    small = {(user.pk, url): count_queries(client_of(user), url)[0] for user in people for url in urls}
    build(26, ngo, people[0])
    for user in people:
        for url in urls:
            count, response = count_queries(client_of(user), url)
            page = response.content.decode()
            assert count == small[user.pk, url], (url, small[user.pk, url], count)
            assert count <= 12, (url, count)
            assert page.count('class="flag-non-criminalisation"') == 30 and page.count("age in doubt") == 19
            if "name=" in url:  # every victim a name search finds is logged, in one insert
                assert AccessLog.objects.filter(username=user.username, purpose="name search").count() == 30 + 30 + 4 + 4


def test_the_victim_page_runs_the_same_queries_however_many_cases_and_deadlines(db, count_queries):
    """The victim page as the benchmark opens it (the victim with the most cases, deadlines and
    consents): one case and one deadline cost the queries six of each do."""
    from deadlines.models import Deadline

    police, ngo = factories.agency("police"), factories.agency("ngo")
    investigator = factories.user(police, "investigator")
    victim = factories.victim(investigator, supporting_agencies=[ngo])

    def add(count):
        for n in range(count):
            case = factories.case(investigator, agencies=[(ngo, CaseAgency.Role.SUPPORTING)])
            case_services.assign(case, investigator, CaseAssignment.TeamRole.LEAD_INVESTIGATOR)
            victim_services.link_to_case(victim, case, VictimCaseLink.Role.COMPLAINANT)
            Deadline.objects.create(kind=Deadline.Kind.RISK_REASSESSMENT, title=f"Reassess {case.reference}",
                                    victim=victim, due_at=datetime.datetime.now(datetime.timezone.utc)
                                    + datetime.timedelta(days=10 + n), responsible_user=investigator,
                                    responsible_agency=police)

    url = f"/victims/{victim.pk}/"
    add(1)
    few, response = count_queries(client_of(investigator), url)
    assert response.content.decode().count("Reassess ") == 1
    add(5)
    many, response = count_queries(client_of(investigator), url)
    assert response.content.decode().count("Reassess ") == 6
    assert many == few, (few, many)
