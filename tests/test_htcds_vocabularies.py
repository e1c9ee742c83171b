"""Vocabularies that speak HTCDS 2.0 value for value [SPEC 2.2, 2.3]: their stored codes are
the standard's value names (tests/data/htcds-2.0.json), in its order, with the documented
extensions before "Other", so a record is exchanged as it is stored. The sub-fields of sexual
exploitation and forced labour are recorded on the victim only with the form they describe, on
the page and through the API alike."""

import json
from pathlib import Path

import pytest

from cases.models.vocabularies import HTCDS_EXTENSIONS as CASE_EXTENSIONS, ExploitationForm, PerpetratorRole
from referrals.models import Referral
from victims.models import HTCDS_TRAFFICKING_STATUS, StatusDecision, Victim
from victims.models.vocabularies import (
    HTCDS_EXTENSIONS as VICTIM_EXTENSIONS, DecidingOrganisation, ForcedLabourIndustry, Gender, MethodOfControl,
    Recruitment, SexExploitationType,
)

REFERENCE = json.loads((Path(__file__).parent / "data" / "htcds-2.0.json").read_text(encoding="utf-8"))["fields"]
EXTENSIONS = {**CASE_EXTENSIONS, **VICTIM_EXTENSIONS}
VOCABULARIES = [
    (Gender, "prs_Gender"),
    (ExploitationForm, "vic_TypeOfExploitation"),
    (SexExploitationType, "vic_TypeOfSexExploitation"),
    (ForcedLabourIndustry, "vic_ForcedLabourIndustry"),
    (MethodOfControl, "vic_MethodsOfControl"),
    (Recruitment, "vic_MethodOfRecruitment"),
    (PerpetratorRole, "per_RoleInProcess"),
    (DecidingOrganisation, "vic_TraffickingStatusDecisionMakingOrg"),
    (Referral.Reason, "cas_ReasonForOutgoingReferral"),
    (Referral.Reason, "cas_ReasonForIncomingReferral"),
]


@pytest.mark.parametrize("vocabulary, field", VOCABULARIES)
def test_the_vocabulary_is_the_standards_picklist_value_for_value(vocabulary, field):
    standard = [value["name"] for value in REFERENCE[field]["values"]]
    extensions = EXTENSIONS.get(vocabulary, {})
    assert [code for code in vocabulary.values if code not in extensions] == standard
    # Each extension is exchanged as a value of the standard, and none shadows one.
    assert not set(extensions) & set(standard)
    assert set(extensions.values()) <= set(standard)
    # "Other" stays last, where a list of checkboxes puts it.
    assert vocabulary.values[-1] == "Other" or "Other" not in standard


@pytest.mark.parametrize("vocabulary", [SexExploitationType, ForcedLabourIndustry])
def test_the_sub_fields_carry_the_standards_labels(vocabulary):
    field = dict((v, f) for v, f in VOCABULARIES)[vocabulary]
    # The labels are the standard's, in sentence case (and ISIC's "services-producing", which
    # the spreadsheet spells "services- producing").
    for code, label in vocabulary.choices:
        standard = next(value["label"] for value in REFERENCE[field]["values"] if value["name"] == code)
        assert str(label).lower() == standard.lower().replace("services- producing", "services-producing")


def test_every_status_is_exchanged_as_a_trafficking_status_of_the_standard():
    """Our ladder has two rungs where HTCDS has "possible"; "not a victim" is the standard's own
    NotAVictimOfTrafficking, and each of the standard's values is reached."""
    standard = [value["name"] for value in REFERENCE["vic_TraffickingStatus"]["values"]]
    assert set(HTCDS_TRAFFICKING_STATUS) == set(Victim.Status.values)
    assert set(HTCDS_TRAFFICKING_STATUS.values()) == set(standard)
    assert HTCDS_TRAFFICKING_STATUS == {
        "potential": "PossibleVictimOfTrafficking", "presumed": "PossibleVictimOfTrafficking",
        "identified": "ActualVictimOfTrafficking", "not_a_victim": "NotAVictimOfTrafficking",
    }
    assert str(Victim.Status.NOT_A_VICTIM.label) == next(
        value["label"] for value in REFERENCE["vic_TraffickingStatus"]["values"]
        if value["name"] == "NotAVictimOfTrafficking")


def record(victim, **changes):
    data = {"sex": victim.sex, "age_group": victim.age_group, "nationality": str(victim.nationality),
            "languages": victim.languages, "exploitation_forms": victim.exploitation_forms,
            "version": Victim.objects.get(pk=victim.pk).version}
    data.update(changes)
    return {key: value for key, value in data.items() if value not in (None, "")}


def test_the_page_records_the_sub_fields_with_their_form_and_refuses_them_without(demo, login):
    victim = demo.victim("V1")
    client = login("investigator")
    refused = client.post(f"/victims/{victim.pk}/edit/", record(
        victim, exploitation_forms=["ForcedBegging"], forced_labour_industries=["A_AgricultureForestryAndFishing"]))
    assert refused.status_code == 200
    assert "Record forced labour among the forms of exploitation to give its industry." in refused.content.decode()
    victim.refresh_from_db()
    assert victim.forced_labour_industries == [] and victim.exploitation_forms != ["ForcedBegging"]

    saved = client.post(f"/victims/{victim.pk}/edit/", record(
        victim, exploitation_forms=["ForcedLabour", "SexualExploitation"],
        forced_labour_industries=["A_AgricultureForestryAndFishing", "I_AccommodationAndFoodServiceActivities"],
        sex_exploitation_types=["RemoteInteractiveServices"]))
    assert saved.status_code == 302
    victim.refresh_from_db()
    assert victim.forced_labour_industries == ["A_AgricultureForestryAndFishing",
                                               "I_AccommodationAndFoodServiceActivities"]
    assert victim.sex_exploitation_types == ["RemoteInteractiveServices"]
    assert victim.history.first().forced_labour_industries == victim.forced_labour_industries
    page = client.get(f"/victims/{victim.pk}/").content.decode()
    assert "Agriculture, forestry and fishing; Accommodation and food service activities" in page
    assert "Remote interactive services" in page


def test_the_api_takes_the_standards_codes_and_refuses_a_sub_field_without_its_form(demo, api_login):
    victim = demo.victim("V4")
    caseworker = api_login("caseworker")
    version = Victim.objects.get(pk=victim.pk).version
    refused = caseworker.patch(f"/api/victims/{victim.pk}/", {
        "version": version, "exploitation_forms": ["ForcedLabour"], "sex_exploitation_types": ["Prostitution"],
    }, format="json")
    assert refused.status_code == 400
    assert refused.json()["sex_exploitation_types"] == [
        "Record sexual exploitation among the forms of exploitation to give its type."]
    unknown = caseworker.patch(f"/api/victims/{victim.pk}/", {
        "version": version, "exploitation_forms": ["ForcedLabour"], "forced_labour_industries": ["agriculture"],
    }, format="json")
    assert unknown.status_code == 400 and "forced_labour_industries" in unknown.json()
    assert Victim.objects.get(pk=victim.pk).version == version
    saved = caseworker.patch(f"/api/victims/{victim.pk}/", {
        "version": version, "exploitation_forms": ["SexualExploitation"], "sex_exploitation_types": ["Prostitution"],
    }, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["sex_exploitation_types"] == ["Prostitution"]
    assert Victim.objects.get(pk=victim.pk).sex_exploitation_types == ["Prostitution"]


def test_a_status_decision_says_which_kind_of_organisation_decided(demo, login, api_login):
    """By default the kind of the recording agency; a prosecutor recording a court's decision
    says so."""
    v2 = demo.victim("V2")  # presumed, recorded by the police at first contact
    assert StatusDecision.objects.get(victim=v2).deciding_organisation == "Police"
    client = login("prosecutor")
    form = client.get(f"/victims/{v2.pk}/status/").content.decode()
    assert '<option value="CourtOrProsecution" selected>' in form
    refused = client.post(f"/victims/{v2.pk}/status/", {
        "status": "identified", "authority": "Lisbon Criminal Court", "criteria": "Judgment", "decided_on": "2026-11-03",
        "deciding_organisation": "Court"})
    assert refused.status_code == 200 and "Select a valid choice." in refused.content.decode()
    assert Victim.objects.get(pk=v2.pk).status == "presumed"
    saved = client.post(f"/victims/{v2.pk}/status/", {
        "status": "identified", "authority": "Labour inspectorate, Lisbon", "criteria": "Inspection report",
        "decided_on": "2026-11-03",
        "deciding_organisation": "NonPoliceGovernmentalOrganization"})
    assert saved.status_code == 302
    decision = StatusDecision.objects.filter(victim=v2).latest("id")
    assert decision.deciding_organisation == "NonPoliceGovernmentalOrganization"
    assert "Non-police governmental organisation" in client.get(f"/victims/{v2.pk}/").content.decode()
    decisions = api_login("prosecutor").get(f"/api/status-decisions/?victim={v2.pk}").json()["results"]
    assert {d["deciding_organisation"] for d in decisions} == {"Police", "NonPoliceGovernmentalOrganization"}


def test_through_the_api_the_kind_defaults_to_the_agency_and_refuses_a_value_outside_the_standard(demo, api_login):
    v2 = demo.victim("V2")
    client = api_login("prosecutor")
    url = f"/api/victims/{v2.pk}/status/"
    wrong = client.post(url, {"status": "identified", "authority": "x", "criteria": "y",
                              "deciding_organisation": "court_or_prosecution"}, format="json")
    assert wrong.status_code == 400 and "deciding_organisation" in wrong.json()
    moved = client.post(url, {"status": "identified", "authority": "Public Prosecution Service", "criteria": "NRM"},
                        format="json")
    assert moved.status_code == 200, moved.json()
    assert StatusDecision.objects.filter(victim=v2).latest("id").deciding_organisation == "CourtOrProsecution"


def test_a_referral_says_why_in_the_standards_reason(demo, login, api_login):
    referral = Referral.objects.get(victim=demo.victim("V6"))
    assert referral.reason == "AdditionalServicesRequired"
    assert "Additional services required" in login("caseworker").get(f"/referrals/{referral.pk}/").content.decode()
    body = api_login("caseworker").get(f"/api/referrals/{referral.pk}/").json()
    assert body["reason"] == "AdditionalServicesRequired"


def test_the_places_of_recruitment_and_exploitation_are_recorded_as_country_and_town(demo, login, api_login):
    """HTCDS's locations of recruitment and of exploitation, per victim, without a street."""
    v2 = demo.victim("V2")
    client = login("investigator")
    assert "Governador Valadares, Minas Gerais, Brazil" in client.get(f"/victims/{v2.pk}/").content.decode()
    saved = client.post(f"/victims/{v2.pk}/edit/", record(
        v2, exploitation_forms=["ForcedLabour"], recruitment_country="PT", recruitment_place="Beja",
        exploitation_country="ES", exploitation_place="Huelva"))
    assert saved.status_code == 302
    v2.refresh_from_db()
    assert (str(v2.recruitment_country), v2.recruitment_place, str(v2.exploitation_country), v2.exploitation_place) == (
        "PT", "Beja", "ES", "Huelva")
    assert "Huelva, Spain" in client.get(f"/victims/{v2.pk}/").content.decode()
    api = api_login("caseworker")
    wrong = api.patch(f"/api/victims/{v2.pk}/", {"version": v2.version, "exploitation_country": "Narnia"},
                      format="json")
    assert wrong.status_code == 400 and wrong.json() == {"exploitation_country": ['"Narnia" is not a valid choice.']}
    assert Victim.objects.get(pk=v2.pk).version == v2.version
    assert api.get(f"/api/victims/{v2.pk}/").json()["exploitation_place"] == "Huelva"
