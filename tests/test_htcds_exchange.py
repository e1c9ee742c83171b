"""HTCDS files out and in [SPEC 2.3, SPEC 3]: the export (one row per victim whose identity the
user may see, HTCDS field names as headers, extensions as Other with the exact value beside,
address only for the shelter's NGO, cases only those the user may see, each identity read in
the access log), the import (every value checked, the whole file refused with each problem's
row and field, nothing written; a clean file written whole), and the round trip: the demo
exported, the database emptied of victims and cases, the file imported, yields the same
victims, values and links.

Jobs run by calling reports.exports.jobs.run directly, as in test_exports.py.
"""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook

import access
from accounts.models import AccessLog
from cases.models import Case
from reports.exports import jobs
from reports.htcds import fields, importing
from reports.models import ExportJob
from victims import services as victim_services
from victims.models import StatusDecision, Victim, VictimCaseLink, VictimIdentity

from . import factories
from .conftest import VICTIMS

HEADERS = [field.name for field in fields.FIELDS]
IMPORTED = [field.name for field in fields.FIELDS if field.imported]


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def export(user, format="csv"):
    """Run an HTCDS export as `user`: (the job, its rows as dicts of text)."""
    job = jobs.request_export(user=user, report=ExportJob.Report.HTCDS, format=format)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    path = jobs.file_path(job)
    if format == "csv":
        with open(path, encoding="utf-8-sig", newline="") as stream:
            table = list(csv.reader(stream))
    else:
        book = load_workbook(path, read_only=True)
        assert book.sheetnames[0] == "htcds"
        table = [["" if cell is None else cell for cell in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    return job, table


def as_dicts(table):
    return [dict(zip(table[0], row)) for row in table[1:]]


def upload(user, table, name="victims.csv"):
    """Import `table` (headers first) as a CSV file; the finished job."""
    stream = io.StringIO()
    csv.writer(stream).writerows(table)
    job = jobs.request_import(user=user, upload=SimpleUploadedFile(name, stream.getvalue().encode("utf-8-sig")))
    jobs.run(job.pk)
    job.refresh_from_db()
    return job


def empty_the_database():
    """No victims and no cases left, nor anything that hangs on them; users and agencies stay."""
    with connection.cursor() as cursor:
        # The test's own writes leave deferred foreign-key checks, which TRUNCATE will not pass.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE victims_victim, cases_case CASCADE")


# --- The export ---------------------------------------------------------------------------

def test_the_export_has_the_htcds_headers_and_one_row_per_victim_whose_identity_the_user_may_see(demo, export_root):
    investigator = demo.user("investigator")
    _job, table = export(investigator)
    assert table[0] == HEADERS
    rows = {row["tip_VictimCode"]: row for row in as_dicts(table)}
    expected = set(access.visible(investigator, Victim, "view_identity").values_list("code", flat=True))
    assert set(rows) == expected and VICTIMS["V1"] in rows
    # a restricted case's victim the investigator is not on is not there
    assert VICTIMS["V3"] not in rows
    maria = rows[VICTIMS["V2"]]
    identity = VictimIdentity.objects.get(victim__code=VICTIMS["V2"])
    assert (maria["prs_FirstName"], maria["prs_SecondName"]) == (identity.given_names, identity.family_name)
    victim = Victim.objects.get(code=VICTIMS["V2"])
    assert maria["prs_Gender"] == victim.sex
    assert maria["tip_TraffickingStatus"] == victim.status
    assert maria["vic_TraffickingStatus"] in fields.HTCDS_STATUS
    assert maria["tip_CaseLinks"] == ";".join(
        f"{link.case.reference} ({link.role})" for link in VictimCaseLink.objects.filter(victim=victim)
        .select_related("case").order_by("case__reference"))


def test_extensions_go_out_as_other_with_the_exact_value_in_the_tip_column(demo, export_root):
    investigator = demo.user("investigator")
    victim = demo.victim("V1")
    victim_services.update_victim(victim, exploitation_forms=["Slavery", "SexualExploitation"],
                                  methods_of_control=["Isolation", "DebtBondage"],
                                  sex_exploitation_types=["PrivateSexualServices"])
    _job, table = export(investigator, "xlsx")
    row = {row["tip_VictimCode"]: row for row in as_dicts(table)}[VICTIMS["V1"]]
    assert row["vic_TypeOfExploitation"] == "Other;SexualExploitation"
    assert row["tip_TypeOfExploitation"] == "Slavery;SexualExploitation"
    assert row["vic_MethodsOfControl"] == "Other;DebtBondage"
    assert row["tip_MethodsOfControl"] == "Isolation;DebtBondage"
    assert row["vic_TypeOfSexExploitation"] == "PrivateSexualServices"


def test_the_address_is_only_in_the_file_of_the_shelters_ngo_and_the_shelter_location_never(demo, export_root):
    victim = demo.victim("V1")
    victim_services.update_identity(victim, mailing_street="Rua das Flores 12", mailing_city="Lisboa",
                                    mailing_postal_code="1100-001", mailing_country="PT",
                                    shelter_location="Shelter A, back entrance")
    _job, by_caseworker = export(demo.user("caseworker"))
    row = {row["tip_VictimCode"]: row for row in as_dicts(by_caseworker)}[VICTIMS["V1"]]
    assert (row["prs_MailingStreet"], row["prs_MailingCity"], row["prs_MailingPostalCode"],
            row["prs_MailingCountry"]) == ("Rua das Flores 12", "Lisboa", "1100-001", "PT")
    _job, by_investigator = export(demo.user("investigator"))
    text = "\n".join(",".join(map(str, line)) for line in by_investigator)
    assert "Rua das Flores" not in text and "1100-001" not in text
    row = {row["tip_VictimCode"]: row for row in as_dicts(by_investigator)}[VICTIMS["V1"]]
    assert row["prs_MailingStreet"] == row["prs_MailingCity"] == row["prs_MailingCountry"] == ""
    for table in (by_caseworker, by_investigator):
        assert "Shelter A" not in "\n".join(",".join(map(str, line)) for line in table)


def test_a_case_the_exporter_may_not_see_is_not_named_through_its_victim(demo, export_root):
    investigator, caseworker = demo.user("investigator"), demo.user("caseworker")
    hidden = factories.case(factories.user(factories.agency(), "investigator"), is_restricted=True)
    victim_services.link_to_case(demo.victim("V1"), hidden, VictimCaseLink.Role.COMPLAINANT)
    for user in (investigator, caseworker):
        _job, table = export(user)
        assert hidden.reference not in "\n".join(",".join(line) for line in table), user


@pytest.mark.parametrize("username", ["focalpoint", "clerk", "judge", "supervisor", "auditor", "admin"])
def test_only_those_who_may_see_identities_export_or_import_htcds(demo, export_root, login, username):
    user = demo.user(username)
    with pytest.raises(jobs.ExportRefused):
        jobs.request_export(user=user, report=ExportJob.Report.HTCDS, format="csv")
    with pytest.raises(jobs.ExportRefused):
        jobs.request_import(user=user, upload=SimpleUploadedFile("v.csv", b"tip_VictimCode\r\n"))
    client = login(username)
    assert client.get("/reports/htcds/").status_code == 403
    assert client.post("/reports/htcds/export/", {"format": "csv"}).status_code == 403
    assert client.post("/reports/htcds/import/", {"file": SimpleUploadedFile("v.csv", b"x")}).status_code == 403
    assert not ExportJob.objects.exists()


# A front-line officer sees the identity of the victims they recorded, for a while.
@pytest.mark.parametrize("username", ["investigator", "prosecutor", "caseworker", "frontline"])
def test_identity_readers_export_from_the_page_and_only_they_follow_their_job(demo, export_root, login, username):
    client = login(username)
    page = client.get("/reports/htcds/")
    assert page.status_code == 200 and b"HTCDS exchange" in page.content and b'id="htcds-import"' in page.content
    response = client.post("/reports/htcds/export/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{job.pk}/"
    jobs.run(job.pk)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 200
    other = "caseworker" if username != "caseworker" else "investigator"
    assert login(other).get(f"/reports/exports/{job.pk}/").status_code == 404
    assert login(other).get(f"/reports/exports/{job.pk}/download/").status_code == 404
    assert client.post("/reports/htcds/export/", {"format": "pdf"}).status_code == 400


def test_each_identity_in_the_file_is_logged_as_read(demo, export_root):
    investigator = demo.user("investigator")
    job, table = export(investigator)
    reads = set(AccessLog.objects.filter(user=investigator, action=AccessLog.Action.VIEW_IDENTITY,
                                         requested="export").values_list("object_label", flat=True))
    assert reads == {row["tip_VictimCode"] for row in as_dicts(table)}
    logged = AccessLog.objects.get(user=investigator, action=AccessLog.Action.EXPORT, object_id=str(job.pk))
    assert logged.details["rows"] == len(table) - 1 and logged.details["sha256"] == job.sha256


def test_the_csv_is_one_plain_table_with_formula_characters_quoted_and_read_back_unquoted(demo, export_root):
    victim = demo.victim("V1")
    victim_services.update_identity(victim, mobile_phone="+351 912 345 678", aliases="=cmd|' /C calc'!A0")
    job, table = export(demo.user("caseworker"))
    row = {row["tip_VictimCode"]: row for row in as_dicts(table)}[VICTIMS["V1"]]
    assert row["prs_MobilePhone"] == "'+351 912 345 678" and row["tip_Aliases"].startswith("'=")
    # ... and the import reads the file as it was before the quoting
    read_back = as_dicts(importing.read_table(jobs.file_path(job), ExportJob.Format.CSV))
    row = {row["tip_VictimCode"]: row for row in read_back}[VICTIMS["V1"]]
    assert (row["prs_MobilePhone"], row["tip_Aliases"]) == ("+351 912 345 678", "=cmd|' /C calc'!A0")


# --- The import ---------------------------------------------------------------------------

def test_a_file_with_one_bad_value_is_refused_whole_naming_its_row_and_field(demo, export_root):
    investigator = demo.user("investigator")
    before = Victim.objects.count(), VictimIdentity.objects.count(), StatusDecision.objects.count()
    table = [["prs_FirstName", "prs_SecondName", "prs_Gender", "vic_TypeOfExploitation", "prs_Birthdate"],
             ["Ana", "Lima", "Feminine", "ForcedLabour", "1990-01-02"],
             ["Rui", "Sousa", "Masculine", "SexualExploitation", "1985-07-30"],
             ["Ema", "Reis", "Feminine", "Begging", "1999-02-03"]]
    job = upload(investigator, table)
    assert job.status == ExportJob.Status.FAILED
    assert job.problems == [{"row": 4, "field": "vic_TypeOfExploitation",
                             "message": job.problems[0]["message"]}]
    assert job.problems[0]["message"].startswith("value 1 is not one of its values (ForcedLabour, ")
    assert "“Begging”" not in job.problems[0]["message"]
    assert "Nothing was imported" in job.error
    assert (Victim.objects.count(), VictimIdentity.objects.count(), StatusDecision.objects.count()) == before
    assert not list(export_root.glob("*.upload"))  # the uploaded file is not kept


def test_every_problem_of_every_row_is_listed_and_shown_to_the_importer(demo, export_root, login):
    client = login("investigator")
    hidden = demo.case("C2").reference  # restricted, and the investigator is not on its team
    table = [["prs_FirstName", "prs_Gender", "prs_Birthdate", "prs_Email", "tip_VictimCode", "tip_CaseLinks",
              "vic_TypeOfSexExploitation", "vic_TypeOfExploitation", "prs_Citizenship"],
             ["Ana", "Female", "02/01/1990", "not-an-address", "V-AEIOU123", f"{hidden} (complainant)",
              "PrivateSexualServices", "ForcedLabour", "ZZ"],
             ["Rui", "Masculine", "1985-07-30", "", VICTIMS["V1"], "", "", "", "PT"],
             ["Eva", "Feminine", "", "", "", "", "", "", "", "one too many"]]
    stream = io.StringIO()
    csv.writer(stream).writerows(table)
    response = client.post("/reports/htcds/import/", {"file": SimpleUploadedFile("x.csv", stream.getvalue().encode())})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    jobs.run(job.pk)
    job.refresh_from_db()
    found = {(problem["row"], problem["field"]) for problem in job.problems}
    assert {(2, "prs_Gender"), (2, "prs_Birthdate"), (2, "prs_Email"), (2, "tip_VictimCode"), (2, "tip_CaseLinks"),
            (2, "vic_TypeOfSexExploitation"), (2, "prs_Citizenship"), (3, "tip_VictimCode"), (4, "")} <= found
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert 'id="import-problems"' in page and "prs_Birthdate" in page and hidden in page
    listed = page[page.index('id="import-problems"'):page.index("</table>", page.index('id="import-problems"'))]
    for value in ("not-an-address", "Female", "02/01/1990", "ZZ", "V-AEIOU123"):
        assert value not in listed  # a problem says what is wrong, never the value
    assert not Victim.objects.filter(identity__given_names__in=["Ana", "Rui"]).exists()


def test_a_file_with_an_unknown_column_is_refused_at_row_1(demo, export_root):
    job = upload(demo.user("investigator"), [["prs_FirstName", "favourite_colour"], ["Ana", "blue"]])
    assert job.status == ExportJob.Status.FAILED
    assert job.problems[0]["row"] == 1 and "favourite_colour" in job.problems[0]["message"]


def test_an_upload_that_is_not_csv_or_excel_or_too_large_is_refused_at_the_field(demo, export_root, login, settings):
    client = login("caseworker")
    response = client.post("/reports/htcds/import/", {"file": SimpleUploadedFile("v.pdf", b"%PDF-1.4")})
    assert response.status_code == 400 and "Upload a CSV file" in response.content.decode()
    settings.HTCDS_IMPORT_MAX_BYTES = 10
    response = client.post("/reports/htcds/import/", {"file": SimpleUploadedFile("v.csv", b"prs_FirstName\r\nAnabela\r\n")})
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_foreign_htcds_file_is_recorded_with_the_status_decision_it_gives(demo, export_root):
    caseworker = demo.user("caseworker")
    table = [["prs_FirstName", "prs_SecondName", "prs_Gender", "prs_Citizenship", "prs_PrimaryLanguage",
              "vic_TraffickingStatus", "vic_TraffickingStatusDecisionMakingOrg", "vic_TypeOfExploitation",
              "vic_ForcedLabourIndustry", "prs_MailingCity", "prs_MobilePhone"],
             ["Luz", "Mamani", "Feminine", "BO", "es", "ActualVictimOfTrafficking", "NGO", "ForcedLabour",
              "A_AgricultureForestryAndFishing", "Beja", "+351 960 000 111"]]
    job = upload(caseworker, table)
    assert job.status == ExportJob.Status.DONE, job.problems
    assert job.rows_done == 1
    victim = Victim.objects.get(identity__given_names="Luz")
    assert (victim.status, victim.nationality.code, victim.languages, victim.exploitation_forms,
            victim.forced_labour_industries) == ("identified", "BO", ["es"], ["ForcedLabour"],
                                                ["A_AgricultureForestryAndFishing"])
    assert (victim.identity.mailing_city, victim.identity.mobile_phone) == ("Beja", "+351 960 000 111")
    decision = victim.status_decisions.get()
    assert decision.deciding_organisation == "NGO" and "row 2" in decision.criteria
    assert victim.supports.get().agency == caseworker.agency  # the importing NGO supports the victim
    assert victim.history.exists()
    assert AccessLog.objects.filter(user=caseworker, action=AccessLog.Action.IMPORT, object_label=victim.code).exists()


def test_only_a_caseworker_of_the_shelter_ngo_imports_an_address(demo, export_root):
    job = upload(demo.user("investigator"), [["prs_FirstName", "prs_MailingStreet"], ["Luz", "Rua A 1"]])
    assert job.status == ExportJob.Status.FAILED and job.problems[0]["field"] == "prs_MailingStreet"


def test_a_caseworker_may_not_link_victims_to_cases(demo, export_root):
    job = upload(demo.user("caseworker"), [["prs_FirstName", "tip_CaseLinks"],
                                           ["Luz", f"{demo.case('C1').reference} (complainant)"]])
    assert job.status == ExportJob.Status.FAILED and job.problems[0]["field"] == "tip_CaseLinks"


def test_an_excel_file_is_read_like_a_csv(demo, export_root):
    book = Workbook()
    sheet = book.active
    sheet.append(["prs_FirstName", "prs_Birthdate", "prs_HomePhone", "tip_EstimatedAge", "tip_AgeGroup", "prs_Gender"])
    sheet.append(["Ilda", datetime.datetime(2010, 5, 6), 213000111, None, "child", None])
    buffer = io.BytesIO()
    book.save(buffer)
    job = jobs.request_import(user=demo.user("investigator"), upload=SimpleUploadedFile("v.xlsx", buffer.getvalue()))
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.problems
    identity = VictimIdentity.objects.get(given_names="Ilda")
    assert (identity.date_of_birth, identity.home_phone, identity.victim.age_group, identity.victim.sex) == (
        datetime.date(2010, 5, 6), "213000111", "child", "NonSpecifiedUnknown")


# --- The round trip -----------------------------------------------------------------------

def _imported_values(table):
    return {row["tip_VictimCode"]: {name: row[name] for name in IMPORTED if name in row} for row in as_dicts(table)}


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_demo_exported_and_imported_into_an_empty_database_gives_the_same_victims_values_and_links(
        demo, export_root, format):
    investigator = demo.user("investigator")
    victim_services.update_victim(demo.victim("V1"), exploitation_forms=["ForcedCriminality", "ForcedLabour"],
                                  forced_labour_industries=["F_Construction"], methods_of_control=["RestrictedMovement"],
                                  languages=["ro", "en", "pt"])
    victim_services.decide_not_a_victim(demo.victim("V2"), actor=investigator, authority="Lisbon police",
                                        reasons="On review: the work was freely chosen and paid.")
    _job, before = export(investigator, format)
    statuses = {row[HEADERS.index("tip_VictimCode")]: row[HEADERS.index("vic_TraffickingStatus")] for row in before[1:]}
    assert statuses[VICTIMS["V2"]] == "NotAVictimOfTrafficking"
    links_before = set(VictimCaseLink.objects.filter(victim__code__in=[row[HEADERS.index("tip_VictimCode")]
                                                                       for row in before[1:]])
                       .values_list("victim__code", "case__reference", "role"))
    assert len(before) > 3 and links_before
    # the file as the export left it, read back
    path = jobs.file_path(_job)
    empty_the_database()
    assert not Victim.objects.exists() and not Case.objects.exists()
    job = jobs.request_import(user=investigator, upload=SimpleUploadedFile(f"demo.{format}", path.read_bytes()))
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.problems
    assert job.rows_done == len(before) - 1
    _job, after = export(investigator, format)
    assert _imported_values(after) == _imported_values(before)
    assert Victim.objects.get(code=VICTIMS["V2"]).status == Victim.Status.NOT_A_VICTIM
    assert set(VictimCaseLink.objects.values_list("victim__code", "case__reference", "role")) == links_before


def test_the_exchange_page_runs_the_same_queries_with_many_jobs_as_with_none(demo, export_root, login, count_queries):
    client, user = login("caseworker"), demo.user("caseworker")
    none, _response = count_queries(client, "/reports/htcds/")
    for _ in range(8):
        jobs.request_export(user=user, report=ExportJob.Report.HTCDS, format="csv")
    with count_queries.capture() as many:
        page = client.get("/reports/htcds/")
    assert page.content.decode().count("/reports/exports/") == 5  # the five latest
    assert len(many) == none


def test_every_identity_field_but_the_shelter_location_has_a_column_and_the_address_is_shelter_only():
    from victims.models import IDENTITY_FIELDS, MAILING_ADDRESS_FIELDS

    columns = {field.target[1]: field for field in fields.FIELDS if field.target and field.target[0] == "identity"}
    assert set(columns) == set(IDENTITY_FIELDS) | set(MAILING_ADDRESS_FIELDS)
    assert {name for name, field in columns.items() if field.shelter} == set(MAILING_ADDRESS_FIELDS)
    assert len(HEADERS) == len(set(HEADERS))
    reference = fields_reference()
    for field in fields.FIELDS:
        if field.is_standard:
            assert field.name in reference, field.name  # an HTCDS 2.0 field name, spelled as the standard does
            standard = [value["name"] for value in reference[field.name].get("values", [])]
            if standard:  # a picklist column takes exactly the standard's values
                assert sorted(field.values) == sorted(standard), field.name


def fields_reference():
    import json
    from pathlib import Path

    return json.loads((Path(__file__).parent / "data" / "htcds-2.0.json").read_text())["fields"]
