"""A caseworker exchanges HTCDS files in a real headless Chromium, a real Celery worker running
the jobs: the export downloaded and read, a file with a bad value refused with its row and
column named, the corrected file imported."""

import csv

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from reports.models import ExportJob
from victims.models import Victim

from .conftest import VICTIMS
from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def _file(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def _upload(page, live_server, path, outcome):
    """Upload `path` on the exchange page and wait on the job's page for `outcome` to show."""
    page.goto(f"{live_server.url}/reports/htcds/")
    page.set_input_files("#id_file", str(path))
    page.click("#htcds-import button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reports/exports/**")
    page.locator(outcome).wait_for(timeout=30_000)
    return page


def test_a_caseworker_exports_then_imports_an_htcds_file(browser, live_server, export_root, tmp_path):  # noqa: F811
    page = log_in(browser, live_server, "caseworker")
    page.click("header nav >> text=HTCDS exchange")
    page.wait_for_url(f"{live_server.url}/reports/htcds/")
    assert "The file holds victims' identities." in page.locator("#htcds-export").inner_text()
    page.screenshot(path=str(ARTIFACTS / "htcds-page.png"), full_page=True)
    page.select_option("#id_format", "csv")
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        page.click("#htcds-export button[type=submit]")
        page.wait_for_url(f"{live_server.url}/reports/exports/**")
        page.locator("#download").wait_for(timeout=30_000)
        with page.expect_download() as download:
            page.click("#download")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".csv"
        with open(saved, encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
        assert VICTIMS["V1"] in {row["tip_VictimCode"] for row in rows}
        page.screenshot(path=str(ARTIFACTS / "htcds-export-ready.png"), full_page=True)

        header = ["prs_FirstName", "prs_SecondName", "prs_Gender", "vic_TypeOfExploitation", "prs_MobilePhone"]
        joana = ["Joana", "Alves", "Feminine", "ForcedLabour", "+351 960 111 222"]
        page = _upload(page, live_server, _file(tmp_path / "incoming.csv", [
            header, joana, ["Marta", "Costa", "Feminine", "Begging", ""]]), "#import-problems")
        problems = page.locator("#import-problems").inner_text()
        assert "3" in problems and "vic_TypeOfExploitation" in problems and "value 1 is not one of its values" in problems
        assert "Nothing was imported" in page.locator("#export-error").inner_text()
        assert "Refused: nothing imported" in page.locator("#export-progress").inner_text()
        page.screenshot(path=str(ARTIFACTS / "htcds-import-refused.png"), full_page=True)
        assert not Victim.objects.filter(identity__given_names="Joana").exists()

        page = _upload(page, live_server, _file(tmp_path / "incoming-corrected.csv", [
            header, joana, ["Marta", "Costa", "Feminine", "ForcedBegging", ""]]), "#import-done")
    assert "2 victims imported." in page.locator("#import-done").inner_text()
    assert "Imported: 2 of 2 rows" in page.locator("#export-progress").inner_text()
    page.screenshot(path=str(ARTIFACTS / "htcds-import-done.png"), full_page=True)
    job = ExportJob.objects.filter(report=ExportJob.Report.HTCDS_IMPORT, status=ExportJob.Status.DONE).get()
    assert job.rows_done == 2
    assert Victim.objects.filter(identity__given_names__in=["Joana", "Marta"]).count() == 2
