"""The main pages in Chromium with the Content-Security-Policy in force: nothing refused (a
refused inline style or script is a console message "Refused to …"), the scripts that replaced
inline handlers still work, and screenshots in test-artifacts/csp-*.png to look at."""

import pytest
from django.conf import settings

from hearings.models import Hearing
from cases.models import Case
from protection.models import ProtectionOrder
from referrals.models import Referral
from victims.models import Victim

from .conftest import CASES, VICTIMS
from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def watch(page):
    """Console messages about the policy, collected while the page is used."""
    refused = []
    page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
            if "Refused to" in message.text or "Content Security Policy" in message.text else None)
    return refused


def visit(page, url, name):
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    page.screenshot(path=ARTIFACTS / f"csp-{name}.png", full_page=True)


def test_the_main_pages_run_under_the_policy_with_nothing_refused(browser, live_server):  # noqa: F811
    base = live_server.url
    c1 = Case.objects.get(reference=CASES["C1"])
    maria = Victim.objects.get(code=VICTIMS["V2"])
    trial = Hearing.objects.filter(case=c1).order_by("-starts_at").first()
    order = ProtectionOrder.objects.filter(victim=maria).first()

    anonymous = browser.new_context().new_page()
    refused = watch(anonymous)
    visit(anonymous, f"{base}/accounts/login/", "login")
    anonymous.fill("input[name=username]", "investigator")
    anonymous.fill("input[name=password]", settings.DEMO_PASSWORD)
    anonymous.click("main button[type=submit]")
    anonymous.wait_for_url("**/accounts/two-factor/**")
    anonymous.screenshot(path=ARTIFACTS / "csp-two-factor.png", full_page=True)

    prosecutor = log_in(browser, live_server, "prosecutor")
    refused += watch(prosecutor)
    for url, name in [("/", "home-prosecutor"), ("/cases/", "case-list"), (f"/cases/{c1.pk}/", "case-detail"),
                      (f"/victims/{maria.pk}/", "victim-detail"), (f"/calendar/hearings/{trial.pk}/", "hearing"),
                      ("/calendar/deadlines/", "deadlines"), ("/calendar/notifications/", "notifications"),
                      ("/calendar/?view=month", "calendar-month"),
                      (f"/protection/orders/{order.pk}/", "protection-order"),
                      (f"/calendar/hearings/new/?case={c1.pk}", "hearing-form"),
                      ("/reports/dashboard/", "prosecutor-dashboard"), ("/reports/htcds/", "htcds"),
                      ("/api/docs/", "api-docs")]:
        visit(prosecutor, base + url, name)
    # Swagger UI drew the schema: its init script, served as a file, ran.
    prosecutor.goto(f"{base}/api/docs/")
    prosecutor.wait_for_selector(".swagger-ui .info .title", timeout=20000)

    # The language choice submits itself (static/js/app.js, no onchange= any more).
    prosecutor.goto(f"{base}/cases/")
    with prosecutor.expect_navigation():
        prosecutor.select_option("footer select[name=language]", "fr")
    assert prosecutor.locator("html").get_attribute("lang") == "fr"
    with prosecutor.expect_navigation():
        prosecutor.select_option("footer select[name=language]", "en")

    caseworker = log_in(browser, live_server, "caseworker")
    refused += watch(caseworker)
    referral = Referral.objects.filter(to_agency=caseworker_agency()).first()
    visit(caseworker, f"{base}/referrals/", "referrals")
    visit(caseworker, f"{base}/referrals/{referral.pk}/", "referral-detail")
    visit(caseworker, f"{base}/referrals/directory/", "directory")

    focalpoint = log_in(browser, live_server, "focalpoint")
    refused += watch(focalpoint)
    for url, name in [("/reports/statistics/", "statistics"), ("/reports/coordination/", "coordination")]:
        visit(focalpoint, base + url, name)

    admin = log_in(browser, live_server, "admin")
    refused += watch(admin)
    visit(admin, f"{base}/admin/", "admin")
    visit(admin, f"{base}/admin/deadlines/sweeprun/", "admin-sweeps")
    visit(admin, f"{base}/admin/accounts/agency/add/", "admin-agency-add")

    assert refused == []


def caseworker_agency():
    from accounts.models import User

    return User.objects.get(username="caseworker").agency
