"""Statistics and the anonymised release as files [SPEC 2.8, NA I.B, NA VII.A]: the public
Excel export of the statistics reads "<5" where the page does and holds no agency or case
name, the classified one is the coordination office's alone, the release in CTDC's layout is
k-anonymous and holds no code, reference or identity; who may ask for which.

Jobs run by calling reports.exports.jobs.run directly, as in test_exports.py."""

import csv
import zipfile

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Agency
from cases.models import Case
from reports.exports import jobs
from reports.models import ExportJob
from reports.statistics.microdata import COLUMNS
from victims.models import Victim, VictimIdentity

from .test_statistics_page import more_victims

YEAR = {"date_from": f"{timezone.localdate().year}-01-01", "date_to": timezone.localdate().isoformat()}
QI = ("gender", "ageBroad", "majorityStatus", "citizenship", "CountryOfExploitation", "typeOfExploitConcatenated")


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def ask(client, url, **data):
    response = client.post(url, {**YEAR, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ExportJob.objects.latest("created_at")
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    return job, jobs.file_path(job)


def cells_of(book):
    return [str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None]


def forbidden_values():
    """What no statistics file may hold: victim codes, case references, NGO and shelter names,
    identity values."""
    values = set(Victim.objects.values_list("code", flat=True)) | set(Case.objects.values_list("reference", flat=True))
    values |= set(Agency.objects.filter(kind="ngo").values_list("name", flat=True))
    for identity in VictimIdentity.objects.all():
        for name in ("given_names", "family_name", "aliases", "email", "mobile_phone", "mailing_street",
                     "shelter_location"):
            if getattr(identity, name):
                values.add(getattr(identity, name))
    return {value for value in values if len(value) > 3}


def test_the_public_excel_export_reads_small_counts_as_marks_and_names_nothing(demo, login, export_root):
    more_victims(23)
    job, path = ask(login("focalpoint"), "/reports/statistics/export/", by="nationality", format="xlsx")
    book = load_workbook(path, read_only=True)
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert about[0] == "Statistics" and about[1].startswith("Classification: Public")
    cells = cells_of(book)
    assert "<5" in cells and "not recorded" in cells
    numbers = [cell for sheet in book.worksheets[1:] for row in sheet.iter_rows(min_row=2, values_only=True)
               for cell in row[1:] if isinstance(cell, (int, float))]
    assert numbers and not [n for n in numbers if 0 < n < 5]
    text = "\n".join(cells)
    assert not [value for value in forbidden_values() if value in text]


def test_the_classified_export_is_the_coordination_offices_and_says_so(demo, login, export_root):
    more_victims(7)
    job, path = ask(login("focalpoint"), "/reports/statistics/export/", by="sex", version="classified", format="csv")
    with zipfile.ZipFile(path) as archive:
        about = archive.read("00-about.txt").decode("utf-8")
    assert "CLASSIFIED – true counts, do not publish" in about
    response = login("supervisor").post("/reports/statistics/export/", {**YEAR, "version": "classified",
                                                                         "format": "csv"})
    assert response.status_code == 400 and ExportJob.objects.count() == 1


def test_the_release_is_in_ctdc_layout_k_anonymous_and_holds_no_code_reference_or_identity(demo, login, export_root):
    more_victims(23)
    job, path = ask(login("focalpoint"), "/reports/statistics/microdata/", format="csv")
    with open(path, encoding="utf-8-sig", newline="") as stream:
        table = list(csv.reader(stream))
    assert tuple(table[0]) == COLUMNS
    rows = [dict(zip(table[0], row)) for row in table[1:]]
    assert rows
    combinations = {}
    for row in rows:
        key = tuple(row[name] for name in QI)
        combinations[key] = combinations.get(key, 0) + 1
    assert min(combinations.values()) >= 5
    text = "\n".join(",".join(row) for row in table)
    assert not [value for value in forbidden_values() if value in text]
    job, path = ask(login("supervisor"), "/reports/statistics/microdata/", format="xlsx")
    book = load_workbook(path, read_only=True)
    assert book.sheetnames[0] == "microdata"
    about = "\n".join(row[0] for row in book["About"].iter_rows(values_only=True))
    assert "generalised" in about and "suppressed" in about and "released" in about


@pytest.mark.parametrize("username", ["investigator", "prosecutor", "caseworker", "clerk", "judge", "frontline",
                                      "auditor"])
def test_nobody_else_exports_statistics_or_the_release(demo, login, export_root, username):
    client = login(username)
    for url in ("/reports/statistics/export/", "/reports/statistics/microdata/"):
        assert client.post(url, {**YEAR, "format": "csv"}).status_code == 403
    assert not ExportJob.objects.exists()


# --- The API ------------------------------------------------------------------------------

def test_the_statistics_api_gives_the_pages_protected_tables(demo, api_login):
    more_victims(23)
    body = api_login("focalpoint").get("/api/reports/statistics/", {"by": "nationality"}).json()
    assert body["version"] == "public" and body["k"] == 5 and len(body["indicators"]) == 20
    shown = [cell for indicator in body["indicators"] for table in indicator["tables"]
             for cell in [c for row in table["cells"] for c in row] + table["row_totals"] + table["column_totals"]
             + [table["total"]]]
    assert any(cell["text"] == "<5" and cell["value"] is None for cell in shown)
    assert not [cell for cell in shown if cell["value"] is not None and 0 < cell["value"] < 5]
    classified = api_login("focalpoint").get("/api/reports/statistics/", {"version": "classified"}).json()
    assert classified["classification"].startswith("CLASSIFIED")
    refused = api_login("supervisor").get("/api/reports/statistics/", {"version": "classified"})
    assert refused.status_code == 400 and "version" in refused.json()
    assert api_login("investigator").get("/api/reports/statistics/").status_code == 403
    assert api_login("investigator").get("/api/reports/statistics/microdata/").status_code == 403


def test_the_release_api_is_k_anonymous_in_ctdc_layout(demo, api_login):
    more_victims(23)
    body = api_login("supervisor").get("/api/reports/statistics/microdata/").json()
    assert tuple(body["columns"]) == COLUMNS and body["report"]["k"] == 5
    assert body["report"]["records_released"] == len(body["rows"])
    combinations = {}
    for row in body["rows"]:
        key = tuple(row[body["columns"].index(name)] for name in QI)
        combinations[key] = combinations.get(key, 0) + 1
    assert not combinations or min(combinations.values()) >= 5
