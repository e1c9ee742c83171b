"""Regressions from the review of the victim file: each test is a leak or a bypass that was
possible, written as the request that made it possible."""

import datetime

from accounts.models import AccessLog, Agency
from cases import services as case_services
from cases.models import Defendant
from victims import services as victim_services
from victims.models import (
    CooperationWithAuthorities, IdentityDocument, NonPunishmentDecision, ParticipationEntry, RiskAssessment,
)

NOT_FOUND = ["No such record, or you are not allowed to see it."]


def test_no_one_grants_their_own_agency_a_victims_identity_by_recording_consent(demo, api_login):
    v4 = demo.victim("V4")  # the prosecutor's agency sees V4 through C3; only C3's team sees its identity
    client = api_login("prosecutor")
    own = Agency.objects.get(users__username="prosecutor")
    assert client.get(f"/api/victims/{v4.pk}/").json()["identity"] is None
    refused = client.post("/api/consents/", {"victim": v4.pk, "purpose": "share_identity", "agency": own.pk,
                                             "informed": True}, format="json")
    assert refused.status_code == 403 and "already know the victim" in refused.json()["detail"]
    assert client.get(f"/api/victims/{v4.pk}/").json()["identity"] is None


def test_consent_page_refuses_the_same(demo, login):
    v4 = demo.victim("V4")
    own = Agency.objects.get(users__username="prosecutor")
    response = login("prosecutor").post(f"/victims/{v4.pk}/consents/add/", {
        "purpose": "share_identity", "agency": own.pk, "given_on": "2026-11-03", "informed": "on"})
    assert response.status_code == 403
    assert not v4.consents.exists()


def test_non_punishment_decisions_only_for_defendants_one_may_see(demo, api_login):
    v1, c2 = demo.victim("V1"), demo.case("C2")  # C2 is restricted to its team (the prosecutor)
    hidden = case_services.save_defendant(Defendant(case=c2, name="Hidden", victim=v1))
    payload = {"victim": v1.pk, "outcome": "not_prosecuted", "authority": "PPS", "reasoning": "r"}
    client = api_login("investigator")
    into_hidden = client.post("/api/non-punishment-decisions/", {**payload, "defendant": hidden.pk}, format="json")
    missing = client.post("/api/non-punishment-decisions/", {**payload, "defendant": 99999999}, format="json")
    other = c2.defendants.exclude(pk=hidden.pk).first()
    not_her = client.post("/api/non-punishment-decisions/", {**payload, "defendant": other.pk}, format="json")
    assert into_hidden.status_code == missing.status_code == not_her.status_code == 400
    assert into_hidden.json() == missing.json() == not_her.json() == {"defendant": NOT_FOUND}
    assert not NonPunishmentDecision.objects.exists()


def test_the_access_log_never_carries_a_defendants_name(demo, api_login):
    defendant = demo.case("C2").defendants.first()
    api_login("investigator").get(f"/api/defendants/{defendant.pk}/")
    denied = AccessLog.objects.filter(action=AccessLog.Action.DENIED).latest("id")
    assert denied.object_id == str(defendant.pk) and defendant.name not in denied.object_label


def test_the_return_form_is_for_those_who_may_read_risk_assessments(demo, login, api_login):
    v6 = demo.victim("V6")  # recorded by the front-line officer
    RiskAssessment.objects.create(victim=v6, level="critical", completed=True, limits_of_protection_explained=True,
                                  assessed_by=demo.user("caseworker"), agency=demo.user("caseworker").agency)
    assert login("frontline").get(f"/victims/{v6.pk}/returns/add/").status_code == 403
    assessment = RiskAssessment.objects.get(victim=v6)
    hidden = api_login("frontline").post("/api/returns/", {
        "victim": v6.pk, "destination": "NP", "returned_on": "2026-11-01", "risk_assessment": assessment.pk,
        "non_refoulement_checked": True}, format="json")
    assert hidden.status_code == 400 and hidden.json() == {"risk_assessment": NOT_FOUND}
    assert not v6.returns.exists()


def test_nobody_adds_to_a_part_of_a_file_they_may_not_read(demo, api_login):
    v6, v4 = demo.victim("V6"), demo.victim("V4")
    cooperation = api_login("frontline").post("/api/cooperation/", {"victim": v6.pk, "status": "declined"},
                                              format="json")
    assert cooperation.status_code == 403
    assert not CooperationWithAuthorities.objects.filter(victim=v6).exists()
    document = api_login("prosecutor").post("/api/identity-documents/", {"victim": v4.pk, "kind": "passport"},
                                            format="json")
    assert document.status_code == 403 and not IdentityDocument.objects.filter(victim=v4).exists()


def test_a_defendants_victim_answers_alike_hidden_or_missing(demo, api_login):
    c1 = demo.case("C1")
    client = api_login("prosecutor")
    hidden = client.post("/api/defendants/", {"case": c1.pk, "name": "X", "victim": demo.victim("V5").pk},
                         format="json")
    missing = client.post("/api/defendants/", {"case": c1.pk, "name": "X", "victim": 99999999}, format="json")
    assert hidden.status_code == missing.status_code == 400 and hidden.json() == missing.json() == {
        "victim": NOT_FOUND}


def test_participation_hides_a_restricted_case_and_is_never_rewritten(demo, api_login):
    v3 = demo.victim("V3")  # linked to C2
    victim_services.link_to_case(v3, demo.case("C1"), "complainant")
    entry = ParticipationEntry.objects.create(victim=v3, case=demo.case("C2"), kind="views", summary="Wants to testify",
                                              recorded_by=demo.user("prosecutor"), on=datetime.date(2026, 11, 1))
    rows = api_login("investigator").get(f"/api/participation/?victim={v3.pk}").json()["results"]
    assert [row["case"] for row in rows] == [None]  # C2 is restricted; the investigator is not on its team
    assert api_login("prosecutor").get(f"/api/participation/?victim={v3.pk}").json()["results"][0]["case"] == (
        demo.case("C2").pk)
    rewrite = api_login("prosecutor").patch(f"/api/participation/{entry.pk}/", {"summary": "rewritten"},
                                            format="json")
    assert rewrite.status_code == 405
    assert ParticipationEntry.objects.get(pk=entry.pk).summary == "Wants to testify"


def test_a_withdrawal_request_is_done_only_once_the_consent_is_withdrawn(demo, api_login, login):
    v2 = demo.victim("V2")  # the demo's consent to data processing
    consent = v2.consents.get(purpose="data_processing")
    client = api_login("caseworker")
    payload = {"victim": v2.pk, "kind": "withdrawal", "consent": consent.pk, "status": "done",
               "handled_on": "2026-11-20", "outcome": "Explained; consent withdrawn."}
    early = client.post("/api/data-requests/", payload, format="json")
    assert early.status_code == 400 and "withdraw that consent first" in str(early.json())
    page = login("caseworker").post(f"/victims/{v2.pk}/requests/add/", {**payload, "received_on": "2026-11-19"})
    assert page.status_code == 200 and "withdraw that consent first" in page.content.decode()
    assert not v2.data_requests.exists()
    victim_services.withdraw_consent(consent, note="At the victim's request")
    done = client.post("/api/data-requests/", payload, format="json")
    assert done.status_code == 201, done.json()
    assert done.json()["handled_by"] == "Sofia Almeida"
