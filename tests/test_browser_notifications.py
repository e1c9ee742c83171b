"""What `./dev run` shows after its first sweep, in a real headless Chromium: the demo's due
deadlines have become notifications in the prosecutor's inbox, counted in the navigation, and
escalated to the supervisor."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from deadlines.models import Notification

from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_a_due_demo_deadline_reaches_the_inbox_in_the_browser(browser, live_server):  # noqa: F811
    # As ./dev run does after seeding, at midday: the demo's trial is a week ahead at 09:30, so
    # a sweep between midnight and 09:30 would find it just beyond the 7-day reminder.
    midday = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    call_command("run_deadline_sweep", at=midday.isoformat(), stdout=io.StringIO())
    page = log_in(browser, live_server, "prosecutor")
    unread = Notification.objects.filter(recipient__username="prosecutor", read_at__isnull=True).count()
    assert unread >= 3
    nav = page.locator("header nav").inner_text()
    assert f"Notifications ({unread})" in nav
    page.click(f"text=Notifications ({unread})")
    page.wait_for_url(f"{live_server.url}/calendar/notifications/")
    text = page.locator("main").inner_text()
    assert "Due within 7 days: Disclose the wage records to the defence (PT-LIS-2026-0001)" in text
    assert "Overdue: Prosecution (pre-trial) within the time standard" in text
    assert "Hearing " in text and "Trial day, PT-LIS-2026-0001" in text
    for name in ("João", "Silva", "Maria", "Santos"):
        assert name not in text
    page.screenshot(path=str(ARTIFACTS / "notifications-prosecutor.png"), full_page=True)
    # Marking one read lowers the count.
    page.locator("main form button", has_text="Mark read").first.click()
    page.wait_for_load_state()
    assert f"Notifications ({unread - 1})" in page.locator("header nav").inner_text()
    # The overdue standard is escalated to the office's supervisor.
    supervisor = log_in(browser, live_server, "supervisor")
    supervisor.goto(f"{live_server.url}/calendar/notifications/")
    assert "Escalated: Overdue: Prosecution (pre-trial) within the time standard" in supervisor.locator(
        "main").inner_text()
    supervisor.screenshot(path=str(ARTIFACTS / "notifications-supervisor.png"), full_page=True)
