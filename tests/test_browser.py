"""Journeys in a real headless Chromium against a live server. Screenshots land in
test-artifacts/ for a person to look at."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from cases.models import Case

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.browser


@pytest.fixture
def browser(transactional_db, live_server):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    call_command("seed_demo", stdout=io.StringIO())
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH") or None,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
        # ORM calls made inside Playwright's greenlet opened a connection of their own.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def log_in(browser, live_server, username, **context):
    """Password, then (for whoever may see identities) the code the demo authenticator app
    would show, computed here from the device's key, not read off the page."""
    page = browser.new_context(**context).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/two-factor/" in page.url:
        page.fill("input[name=code]", authenticator_code(username))
        page.click("#second-factor button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def authenticator_code(username):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor import current_code

    return current_code(TOTPDevice.objects.get(user__username=username, confirmed=True))


def test_each_role_sees_its_share_in_the_browser(browser, live_server):
    prosecutor = log_in(browser, live_server, "prosecutor")
    body = prosecutor.inner_text("main")
    assert all(ref in body for ref in ("PT-LIS-2026-0001", "PT-LIS-2026-0002", "PT-LIS-2026-0003"))
    assert "BR-SP-2026-0001" not in body
    prosecutor.screenshot(path=ARTIFACTS / "home-prosecutor.png", full_page=True)

    prosecutor.click("text=PT-LIS-2026-0002")
    assert "Restricted case" in prosecutor.inner_text("main")
    prosecutor.click("text=Who can see this record")
    assert "the case team of PT-LIS-2026-0002" in prosecutor.inner_text("footer")
    prosecutor.screenshot(path=ARTIFACTS / "case-restricted-prosecutor.png", full_page=True)

    caseworker = log_in(browser, live_server, "caseworker")
    caseworker.click("text=V-DM7K2QXP")
    identity = caseworker.inner_text("section.identity")
    assert "João Silva" in identity and "Shelter A" in identity
    caseworker.screenshot(path=ARTIFACTS / "victim-caseworker.png", full_page=True)

    clerk = log_in(browser, live_server, "clerk")
    clerk.click("text=V-DM7K2QXP")
    text = clerk.inner_text("main")
    assert "not shown to you" in text and "João" not in text
    clerk.screenshot(path=ARTIFACTS / "victim-clerk.png", full_page=True)
    restricted = Case.objects.get(reference="PT-LIS-2026-0002")
    assert clerk.goto(f"{live_server.url}/cases/{restricted.pk}/").status == 404


def test_editing_a_case_and_a_bad_input(browser, live_server):
    page = log_in(browser, live_server, "investigator")
    page.click("text=PT-LIS-2026-0003")
    page.click("text=Edit case")
    page.fill("input[name=title]", "")
    page.click("main button[type=submit]")
    assert "This field is required." in page.inner_text("main")
    page.screenshot(path=ARTIFACTS / "case-edit-error.png", full_page=True)
    page.fill("input[name=title]", "Forced begging: children on the metro (Line 3)")
    page.click("main button[type=submit]")
    assert "Case PT-LIS-2026-0003 saved." in page.inner_text("main")
    assert "Line 3" in page.inner_text("main")


def test_phone_width_and_failed_login(browser, live_server):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "focalpoint")
    page.fill("input[name=password]", "not the password")
    page.click("main button[type=submit]")
    assert "did not match" in page.inner_text("main")
    page.screenshot(path=ARTIFACTS / "login-failed-phone.png", full_page=True)
    phone = log_in(browser, live_server, "focalpoint", viewport={"width": 390, "height": 844})
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=ARTIFACTS / "home-focalpoint-phone.png", full_page=True)


def test_a_prosecutor_opens_charges_and_tries_a_case(browser, live_server):
    page = log_in(browser, live_server, "prosecutor")
    page.click("nav >> text=Cases")
    page.click("text=Open a case")
    page.fill("input[name=reference]", "PT-LIS-2026-0042")
    page.fill("input[name=title]", "Construction site: forced labour")
    page.select_option("select[name=jurisdiction]", label="Lisbon judicial district (PT)")
    page.fill("input[name=opened_on]", "2026-11-02")
    page.select_option("select[name=origin]", value="inspection")
    page.check("input[name=exploitation_forms][value=ForcedLabour]")
    page.click("main button[type=submit]")
    assert "Case PT-LIS-2026-0042 opened." in page.inner_text("main")
    case_url = page.url
    page.click("nav >> text=My cases")
    assert "Intake" in page.inner_text("tr:has-text('PT-LIS-2026-0042')")
    page.goto(case_url)

    page.click("text=Add a defendant")
    page.fill("input[name=name]", "Obras Rápidas Lda.")
    page.select_option("select[name=kind]", value="legal")
    page.click("main button[type=submit]")
    page.click("text=Add a charge")
    page.fill("input[name=statute_reference]", "Penal Code art. 160")
    page.select_option("select[name=offence]", value="trafficking")
    page.click("main button[type=submit]")
    assert "Obras Rápidas Lda." in page.inner_text("#defendants")

    for step in ("Open the investigation", "Submit for a charging decision", "Charge: start the prosecution",
                 "Start the trial"):
        page.click(f"#stage button:has-text('{step}')")
        assert "is now at the stage" in page.inner_text("main"), step
    assert "Stage: Trial" in page.inner_text("#stage")
    page.screenshot(path=ARTIFACTS / "case-on-trial-prosecutor.png", full_page=True)

    page.click("nav >> text=My cases")
    assert "Trial" in page.inner_text("tr:has-text('PT-LIS-2026-0042')")
    page.screenshot(path=ARTIFACTS / "dashboard-prosecutor.png", full_page=True)


def test_a_caseworker_sets_up_an_authenticator_on_a_phone_at_first_sign_in(browser, live_server):
    """SPEC 3: a password alone does not open identities; the first sign-in sets the second
    factor up (QR code drawn by the server, key to type), then shows the backup codes once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.two_factor import current_code

    TOTPDevice.objects.filter(user__username="caseworker").delete()
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "caseworker")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/?next=%2F")
    assert "Set up your second factor" in page.inner_text("main")
    assert page.locator("main figure.qr svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "two-factor-setup-phone.png", full_page=True)
    # The victims list waits behind the second factor.
    page.goto(f"{live_server.url}/victims/")
    assert "/accounts/two-factor/" in page.url
    page.fill("input[name=code]", "000000")
    page.click("#second-factor button[type=submit]")
    assert "That is not the code your app shows now" in page.inner_text("main")
    page.wait_for_timeout(1100)  # one wrong code: the next try waits a second
    device = TOTPDevice.objects.get(user__username="caseworker", confirmed=False)
    page.fill("input[name=code]", current_code(device))
    page.click("#second-factor button[type=submit]")
    assert "Your authenticator is set up" in page.inner_text("main")
    assert page.locator("#backup-codes li").count() == 10
    page.screenshot(path=ARTIFACTS / "two-factor-backup-codes-phone.png", full_page=True)
    page.click("text=Continue")
    page.wait_for_url(f"{live_server.url}/victims/")
    assert "V-DM4HN8TB" in page.inner_text("main")
