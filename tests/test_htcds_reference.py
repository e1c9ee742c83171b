"""The HTCDS 2.0 reference the vocabularies are checked against [SPEC 2.2, 2.3]:
tests/data/htcds-2.0.json, derived from IOM's field standards spreadsheet by
tests/data/derive_htcds.py. These tests hold the file to what the spreadsheet says, so an edit
by hand (a value renamed, one dropped) is caught before any vocabulary is compared with it."""

import json
import re
from pathlib import Path

import pytest

REFERENCE = json.loads((Path(__file__).parent / "data" / "htcds-2.0.json").read_text(encoding="utf-8"))
FIELDS = REFERENCE["fields"]
PICKLISTS = {name: field for name, field in FIELDS.items() if "values" in field}

# Sizes as the spreadsheet gives them (v2.0, 24 Dec 2021), for the picklists the product records.
SIZES = {
    "prs_Gender": 6, "vic_TraffickingStatus": 3, "vic_TraffickingStatusDecisionMakingOrg": 5,
    "vic_MethodOfRecruitment": 10, "vic_MethodsOfControl": 16, "vic_TypeOfExploitation": 11,
    "vic_ForcedLabourIndustry": 21, "vic_TypeOfSexExploitation": 4, "per_RoleInProcess": 15,
    "cas_Status": 4, "cas_ReasonForIncomingReferral": 3, "cas_ReasonForOutgoingReferral": 3,
}


def test_the_reference_names_its_source_version_and_licence():
    source = REFERENCE["source"]
    assert source["repository"] == "https://github.com/UNMigration/HTCDS"
    assert source["file"] == "HTCDS Field Standards 2.0.ods"
    assert (source["version"], source["version_date"]) == ("2.0", "2021-12-24")
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert source["license"].startswith("CC BY 4.0")


@pytest.mark.parametrize("field, size", SIZES.items())
def test_each_recorded_picklist_is_whole(field, size):
    assert len(PICKLISTS[field]["values"]) == size


@pytest.mark.parametrize("field", PICKLISTS)
def test_value_names_are_unique_codes_each_with_a_label(field):
    values = PICKLISTS[field]["values"]
    names = [value["name"] for value in values]
    assert len(set(names)) == len(names)
    for value in values:
        assert re.fullmatch(r"[A-Za-z0-9_]+", value["name"]), value
        assert value["label"] and value["label"] == value["label"].strip(), value


def test_the_core_fields_are_the_38_of_the_standard():
    core = [name for name, field in FIELDS.items() if field["core"] and field["status"] != "DEPRECATED"]
    assert len(core) == 38
    assert {"prs_Salutation", "prs_Title", "prs_Email", "prs_MobilePhone", "prs_MailingStreet",
            "vic_LocationOfRecruitment", "vic_LocationOfExploitation", "cas_ReasonForOutgoingReferral",
            "vic_TraffickingStatusDecisionMakingOrg"} <= set(core)
    # Fields that follow a code standard instead of a list say which.
    assert FIELDS["prs_Citizenship"]["values_from"].startswith("Use ISO 3166")
    assert "values" not in FIELDS["prs_Citizenship"]


def test_the_names_are_the_standards_own():
    exploitation = [value["name"] for value in PICKLISTS["vic_TypeOfExploitation"]["values"]]
    assert exploitation[:2] == ["ForcedLabour", "SexualExploitation"] and exploitation[-1] == "Other"
    assert PICKLISTS["vic_ForcedLabourIndustry"]["values"][0] == {
        "name": "A_AgricultureForestryAndFishing", "label": "Agriculture, forestry and fishing"}
