"""The focal point's statistics page in a real headless Chromium: the public version by
nationality, small counts as marks, each chart beside its table; the classified version."""

import pytest
from celery.contrib.testing.worker import start_worker
from openpyxl import load_workbook

from config.celery import app

from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)
from .test_statistics_page import more_victims

pytestmark = pytest.mark.browser


@pytest.fixture
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


def _download(page, tmp_path):
    page.locator("#download").wait_for(timeout=60_000)
    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def test_the_focal_point_reads_the_statistics_public_then_classified(browser, live_server, export_root,  # noqa: F811
                                                                     tmp_path):
    more_victims(23)
    page = log_in(browser, live_server, "focalpoint")
    page.click("header nav >> text=Statistics")
    page.wait_for_url(f"{live_server.url}/reports/statistics/")
    page.select_option("#id_by", "nationality")
    page.click("#statistics-form button[type=submit]")
    page.wait_for_url("**/reports/statistics/?**")
    assert "Public version." in page.locator("#marking").inner_text()
    recorded = page.locator("#victims_recorded")
    assert recorded.locator("svg[role=img]").count() >= 1
    assert "<5" in recorded.locator("table").first.inner_text()
    recorded.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "statistics-public.png"), full_page=False)
    page.select_option("#id_version", "classified")
    page.click("#statistics-form button[type=submit]")
    page.wait_for_url("**/reports/statistics/?**")
    assert "CLASSIFIED" in page.locator("#marking").inner_text()
    classified = page.locator("#victims_recorded table").first.inner_text()
    # true counts, each small one with the public version's mark beside it, never instead of it
    assert "(<5)" in classified and "\t<5" not in classified
    page.locator("#victims_recorded").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "statistics-classified.png"), full_page=False)

    # The public Excel file and the anonymised release, written by a real worker.
    page.select_option("#id_version", "public")
    page.click("#statistics-form button[type=submit]")
    page.wait_for_url("**/reports/statistics/?**")
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        page.select_option("#statistics-format", "xlsx")
        page.click("#export-statistics button[type=submit]")
        page.wait_for_url(f"{live_server.url}/reports/exports/**")
        book = load_workbook(_download(page, tmp_path), read_only=True)
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
        assert "<5" in cells and not [n for n in cells if isinstance(n, int) and 0 < n < 5]
        page.screenshot(path=str(ARTIFACTS / "statistics-export-ready.png"), full_page=True)
        page.goto(f"{live_server.url}/reports/statistics/")
        page.select_option("#microdata-format", "xlsx")
        page.click("#export-microdata button[type=submit]")
        page.wait_for_url(f"{live_server.url}/reports/exports/**")
        release = load_workbook(_download(page, tmp_path), read_only=True)
        assert release.sheetnames == ["microdata", "About"]
        about = "\n".join(row[0] for row in release["About"].iter_rows(values_only=True))
        assert "generalised" in about
        page.screenshot(path=str(ARTIFACTS / "microdata-export-ready.png"), full_page=True)
