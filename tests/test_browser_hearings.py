"""The hearing journey in a real headless Chromium: the prosecutor sets a hearing with a video
link at a time she is already in court (C1's trial day, today+7 09:30), sees the double-booking
warning, confirms it, and the hearing is saved with its video link."""

import datetime

import pytest
from django.utils import timezone

from cases.models import Case
from hearings.models import Hearing

from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

VIDEO = "https://video.justice.example.pt/lisbon-room-2-deposition"


def test_prosecutor_schedules_a_hearing_sees_the_double_booking_and_confirms(browser, live_server):  # noqa: F811
    c1 = Case.objects.get(reference="PT-LIS-2026-0001")
    trial = Hearing.objects.get(case=c1, status=Hearing.Status.SCHEDULED)
    day = timezone.localdate() + datetime.timedelta(days=7)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 0)))
    before = Hearing.objects.count()

    page = log_in(browser, live_server, "prosecutor")
    page.goto(f"{live_server.url}/calendar/hearings/new/?case={c1.pk}")
    assert "Set a hearing" in page.inner_text("main h1")
    assert page.locator("select[name=case] option:checked").inner_text().startswith("PT-LIS-2026-0001")
    assert page.locator("select[name=court] option:checked").inner_text() == "Lisbon Criminal Court"
    page.select_option("select[name=kind]", "deposition")
    page.select_option("select[name=courtroom]", label="Room 2")
    page.fill("input[name=starts_at]", f"{day.isoformat()}T11:00")
    page.fill("input[name=duration_minutes]", "90")
    page.select_option("select[name=prosecutor]", label=page.locator(
        "select[name=prosecutor] option", has_text="Helena Costa").inner_text())
    page.fill("input[name=video_link]", VIDEO)
    page.fill("textarea[name=notes]", "Early testimony of the labour inspector.")
    page.screenshot(path=ARTIFACTS / "hearing-form-prosecutor.png", full_page=True)
    page.click("main form button[type=submit]")

    # The warning: she is in C1's trial day then. Nothing is saved yet.
    warning = page.inner_text("#schedule-warnings")
    assert "The prosecutor is already in court then: PT-LIS-2026-0001, Trial day at Lisbon Criminal Court, Room 1" \
        in warning
    assert page.input_value("input[name=video_link]") == VIDEO  # what she typed is kept
    assert page.locator("input[name=confirmed]").get_attribute("value") == f"prosecutor_double_booked:{trial.pk}"
    assert Hearing.objects.count() == before
    page.screenshot(path=ARTIFACTS / "hearing-double-booking-warning-prosecutor.png", full_page=True)

    # Saving again without ticking the box asks again.
    page.click("main form button[type=submit]")
    assert "I have seen these warnings" in page.inner_text("#schedule-warnings")
    assert Hearing.objects.count() == before

    page.check("input[name=confirm_warnings]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/calendar/hearings/*/")
    main = page.inner_text("main")
    assert "Hearing set for" in main
    assert "Deposition / pre-trial testimony · PT-LIS-2026-0001" in page.inner_text("main h1")
    assert page.inner_text("#video-link") == VIDEO
    assert "The prosecutor is already in court then" in page.inner_text("#problems")
    page.screenshot(path=ARTIFACTS / "hearing-detail-prosecutor.png", full_page=True)

    hearing = Hearing.objects.get(case=c1, starts_at=start)
    assert (hearing.kind, hearing.video_link, hearing.duration_minutes, hearing.courtroom.name,
            hearing.prosecutor.username, hearing.status) == (
        "deposition", VIDEO, 90, "Room 2", "prosecutor", "scheduled")
    assert Hearing.objects.count() == before + 1
    assert page.url == f"{live_server.url}/calendar/hearings/{hearing.pk}/"

    # She adds the labour inspector as a witness, with an interpreter not yet booked: a warning.
    page.click("#actions >> text=Add a witness")
    assert "PT-LIS-2026-0001" not in page.locator("select[name=victim]").inner_text()
    assert {"V-DM7K2QXP", "V-DM4HN8TB"} <= set(page.locator("select[name=victim] option").all_inner_texts())
    page.fill("input[name=role]", "Labour inspector")
    page.fill("input[name=interpreter_language]", "Nepali")
    page.click("main form button[type=submit]")
    assert "Labour inspector needs an interpreter for Nepali, not yet booked." in page.inner_text("#schedule-warnings")
    page.screenshot(path=ARTIFACTS / "hearing-witness-warning-prosecutor.png", full_page=True)
    page.check("input[name=confirm_warnings]")
    page.click("main form button[type=submit]")
    assert "Labour inspector" in page.inner_text("#witnesses")
    assert hearing.witnesses.get().interpreter_language == "Nepali"

    # The court clerk records the judge's training days.
    clerk = log_in(browser, live_server, "clerk")
    clerk.goto(f"{live_server.url}/calendar/judges/non-availability/")
    assert "Annual leave" in clerk.inner_text("#absences")
    clerk.screenshot(path=ARTIFACTS / "judge-unavailability-clerk.png", full_page=True)

    # The trial day's page on a phone: witnesses, measures and actions without sideways scrolling.
    phone = log_in(browser, live_server, "prosecutor", viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/calendar/hearings/{trial.pk}/")
    assert "V-DM4HN8TB" in phone.inner_text("#witnesses")
    phone.screenshot(path=ARTIFACTS / "hearing-trial-day-prosecutor-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(f"{live_server.url}/calendar/hearings/new/?case={c1.pk}")
    phone.screenshot(path=ARTIFACTS / "hearing-form-prosecutor-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
