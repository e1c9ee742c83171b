"""Links to cases and supporting agencies, in the pages and the API: the facts that give
access to a victim, so each change must move access with it."""

import access
from accounts.models import Agency
from cases.models import Defendant
from victims.models import VictimCaseLink, VictimSupport


def test_linking_a_victim_to_a_case_through_the_api(demo, api_login):
    v1, c3 = demo.victim("V1"), demo.case("C3")
    payload = {"victim": v1.pk, "case": c3.pk, "role": "complainant"}
    # Seeing the case is not enough: the caseworker may not edit C1.
    refused = api_login("caseworker").post("/api/victim-case-links/", {**payload, "case": demo.case("C1").pk},
                                           format="json")
    assert refused.status_code == 403 and not VictimCaseLink.objects.filter(victim=v1, role="complainant").exists()
    hidden = api_login("investigator.br").post("/api/victim-case-links/", payload, format="json")
    not_found = ["No such record, or you are not allowed to see it."]
    assert hidden.status_code == 400 and hidden.json() == {"victim": not_found, "case": not_found}
    linked = api_login("investigator").post("/api/victim-case-links/", payload, format="json")
    assert linked.status_code == 201, linked.json()
    assert linked.json()["case_reference"] == c3.reference
    link = VictimCaseLink.objects.get(victim=v1, case=c3)
    assert link.role == "complainant"
    # The judge sees V1 (through C1) but may not unlink it.
    assert api_login("judge").delete(f"/api/victim-case-links/{link.pk}/").status_code == 403
    assert api_login("investigator").delete(f"/api/victim-case-links/{link.pk}/").status_code == 204
    assert not VictimCaseLink.objects.filter(victim=v1, case=c3).exists()


def test_a_restricted_case_link_hides_its_reference(demo, api_login):
    v3 = demo.victim("V3")  # linked to C2, restricted to its team (the prosecutor)
    rows = api_login("prosecutor").get(f"/api/victim-case-links/?victim={v3.pk}").json()["results"]
    assert [row["case_reference"] for row in rows] == [demo.case("C2").reference]


def test_support_is_added_by_editors_and_ended_by_the_agency_itself(demo, api_login):
    v1 = demo.victim("V1")
    casa = Agency.objects.get(users__username="caseworker.br")
    other = api_login("caseworker.br")
    assert other.get(f"/api/victims/{v1.pk}/").status_code == 404
    assert api_login("judge").post("/api/victim-supports/", {"victim": v1.pk, "agency": casa.pk},
                                   format="json").status_code == 403
    police = Agency.objects.get(users__username="investigator")
    not_ngo = api_login("prosecutor").post("/api/victim-supports/", {"victim": v1.pk, "agency": police.pk},
                                           format="json")
    assert not_ngo.status_code == 400
    added = api_login("prosecutor").post("/api/victim-supports/", {"victim": v1.pk, "agency": casa.pk}, format="json")
    assert added.status_code == 201, added.json()
    body = other.get(f"/api/victims/{v1.pk}/").json()
    assert body["identity"]["shelter_location"] == "Shelter A (address held by Safe Harbour)"
    support = VictimSupport.objects.get(victim=v1, agency=casa)
    # Nobody else can cut the victim off from an NGO.
    assert api_login("prosecutor").post(f"/api/victim-supports/{support.pk}/end/", {},
                                        format="json").status_code == 403
    ended = other.post(f"/api/victim-supports/{support.pk}/end/", {}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] is not None
    assert other.get(f"/api/victims/{v1.pk}/").status_code == 404
    assert not access.can(demo.user("caseworker.br"), "view", v1)


def test_link_and_support_pages(demo, login):
    v1, c3 = demo.victim("V1"), demo.case("C3")
    investigator = login("investigator")
    form = investigator.get(f"/victims/{v1.pk}/cases/link/").content.decode()
    assert c3.reference in form and demo.case("C1").reference not in form  # already linked
    assert demo.case("C2").reference not in form  # restricted, not on its team
    response = investigator.post(f"/victims/{v1.pk}/cases/link/", {"case": c3.pk, "role": "victim_witness"})
    assert response.status_code == 302
    link = VictimCaseLink.objects.get(victim=v1, case=c3)
    page = investigator.get(f"/victims/{v1.pk}/").content.decode()
    assert f"/victims/{v1.pk}/cases/{link.pk}/unlink/" in page
    assert login("judge").get(f"/victims/{v1.pk}/cases/{link.pk}/unlink/").status_code == 403
    assert investigator.post(f"/victims/{v1.pk}/cases/{link.pk}/unlink/").status_code == 302
    assert not VictimCaseLink.objects.filter(pk=link.pk).exists()

    casa = Agency.objects.get(users__username="caseworker.br")
    assert login("clerk").get(f"/victims/{v1.pk}/supports/add/").status_code == 403
    assert login("prosecutor").post(f"/victims/{v1.pk}/supports/add/", {"agency": casa.pk}).status_code == 302
    support = VictimSupport.objects.get(victim=v1, agency=casa, ended_on__isnull=True)
    ngo_page = login("caseworker.br").get(f"/victims/{v1.pk}/").content.decode()
    assert "End our support" in ngo_page
    assert "End our support" not in login("prosecutor").get(f"/victims/{v1.pk}/").content.decode()
    assert login("prosecutor").post(f"/victims/{v1.pk}/supports/{support.pk}/end/").status_code == 403
    assert login("caseworker.br").post(f"/victims/{v1.pk}/supports/{support.pk}/end/").status_code == 302
    assert VictimSupport.objects.get(pk=support.pk).ended_on is not None


def test_a_defendant_names_only_a_victim_the_user_may_see(demo, api_login, login):
    c1 = demo.case("C1")
    hidden = demo.victim("V5")  # Brazil
    response = api_login("prosecutor").post("/api/defendants/", {"case": c1.pk, "name": "X", "victim": hidden.pk},
                                            format="json")
    assert response.status_code == 400 and "victim" in response.json()
    assert not Defendant.objects.filter(name="X").exists()
    form = login("prosecutor").get(f"/cases/{c1.pk}/defendants/add/").content.decode()
    assert demo.victim("V1").code in form and hidden.code not in form
    same = api_login("prosecutor").post("/api/defendants/", {"case": c1.pk, "name": "Maria S.",
                                                             "victim": demo.victim("V2").pk}, format="json")
    assert same.status_code == 201
