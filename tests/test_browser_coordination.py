"""The focal point's coordination report in a real headless Chromium: the report on screen,
an Excel export whose progress the page follows without a reload while a real Celery worker
writes it, and the downloaded file opened with openpyxl."""

import pytest
from celery.contrib.testing.worker import start_worker
from openpyxl import load_workbook

from config.celery import app
from reports.models import ExportJob
from victims.models import VictimIdentity

from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def test_the_focal_point_runs_the_report_and_downloads_its_excel_export(browser, live_server, export_root,  # noqa: F811
                                                                        tmp_path):
    page = log_in(browser, live_server, "focalpoint")
    page.click("header nav >> text=Coordination")
    page.wait_for_url(f"{live_server.url}/reports/coordination/")
    main = page.locator("main").inner_text()
    assert "Classification: RESTRICTED" in main
    for heading in ("1. Cases with international elements", "2. Referrals between agencies",
                    "3. Upcoming hearings that need coordination", "4. Protection orders and violations",
                    "5. Coordination meetings held", "6. Missed and extended deadlines"):
        assert heading in main
    cases = page.locator("table[data-table=international_cases]")
    assert "PT-LIS-2026-0001" in cases.inner_text()
    # The focal point may open Operation Harvest: its row links to the case.
    assert cases.locator("a", has_text="PT-LIS-2026-0001").count() == 1
    hearings = page.locator("table[data-table=hearings]").inner_text()
    assert "V-DM4HN8TB: Video link / CCTV (Granted)" in hearings and "Spanish (booked)" in hearings
    names = [value for row in VictimIdentity.objects.values_list("given_names", "family_name", "mailing_street")
             for value in row if value]
    assert not [name for name in names if name in page.content()]
    page.screenshot(path=str(ARTIFACTS / "coordination-focalpoint.png"), full_page=True)

    # A bad period is refused at its field and starts nothing.
    page.fill("#export-date_to", "2020-01-01")
    page.select_option("#export-format", "xlsx")
    page.click("#export button[type=submit]")
    assert "The period cannot end before it starts." in page.locator("#export").inner_text()
    assert not ExportJob.objects.exists()

    page.goto(f"{live_server.url}/reports/coordination/")
    page.select_option("#export-format", "xlsx")
    page.click("#export button[type=submit]")
    page.wait_for_url(f"{live_server.url}/reports/exports/**")
    job = ExportJob.objects.get()
    assert page.locator("#export-progress").get_attribute("data-status") == "queued"
    assert "Waiting for a worker" in page.locator("#export-progress").inner_text()
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    page.screenshot(path=str(ARTIFACTS / "export-waiting.png"), full_page=True)

    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        page.locator("#download").wait_for(timeout=30_000)
    assert page.evaluate("window.sameDocument") is True
    job.refresh_from_db()
    progress = page.locator("#export-progress").inner_text()
    assert "Ready to download" in progress and f"{job.rows_done} of {job.rows_total} rows" in progress
    assert job.status == ExportJob.Status.DONE and job.rows_total > 0 and job.sha256 in progress
    page.screenshot(path=str(ARTIFACTS / "export-ready.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    book = load_workbook(saved, read_only=True)
    assert book.sheetnames[:3] == ["About", "international_cases", "cooperation_requests"]
    about = [row[0] for row in book["About"].iter_rows(values_only=True)]
    assert about[0] == "Coordination report" and about[1].startswith("Classification: RESTRICTED")
    assert "Exported by: Teresa Nunes" in about
    rows = list(book["international_cases"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Case", "Title", "Stage")
    assert "PT-LIS-2026-0001" in [row[0] for row in rows[1:]]
