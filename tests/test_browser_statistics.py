"""The focal point's statistics page in a real headless Chromium: the public version by
nationality, small counts as marks, each chart beside its table; the classified version."""

import pytest

from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)
from .test_statistics_page import more_victims

pytestmark = pytest.mark.browser


def test_the_focal_point_reads_the_statistics_public_then_classified(browser, live_server):  # noqa: F811
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
    assert "<5" not in page.locator("#victims_recorded table").first.inner_text()
    page.locator("#victims_recorded").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "statistics-classified.png"), full_page=False)
