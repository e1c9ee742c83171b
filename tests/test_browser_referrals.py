"""The referral journey in a real headless Chromium: the police investigator refers a victim to
the NGO, the NGO caseworker finds the referral in the inbox and accepts it, and the
investigator sees the acceptance."""

import pytest

from accounts.models import Agency, User
from referrals.models import Referral, ReferralNotice, ServiceProvider
from victims import services as victim_services
from victims.models import Consent

from . import factories
from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

NGO = "Safe Harbour Association"
NOTE = "Found during the farm inspection; speaks Portuguese and some English. Needs a safe place tonight."


def test_police_refer_a_victim_the_ngo_accepts_and_the_police_see_it(browser, live_server):  # noqa: F811
    ngo = Agency.objects.get(name=NGO)
    investigator = User.objects.get(username="investigator")
    ServiceProvider.objects.update_or_create(agency=ngo, defaults=dict(
        services=["shelter", "psychological", "legal_aid"], languages=["pt", "en"], areas="Lisbon, Setúbal",
        accepts_children=True, capacity=3, contact_point="Intake coordinator", contact_phone="+351 800 000 000"))
    victim = factories.victim(investigator, status="presumed", sex="Feminine", age_group="adult")
    victim_services.give_consent(victim, actor=investigator, purpose=Consent.Purpose.REFERRAL, agency=ngo,
                                 informed=True)

    # The investigator opens the victim and refers them to the NGO.
    police = log_in(browser, live_server, "investigator")
    police.goto(f"{live_server.url}{victim.get_absolute_url()}")
    assert "No referral your agency sent or received." in police.inner_text("#referrals")
    police.click(".victim-actions >> text=Refer")
    assert "Refer this victim" in police.inner_text("main h1")
    assert "given on" in police.inner_text(f"#providers tr:has-text('{NGO}')")
    police.select_option("select[name=to_agency]", label=police.locator(
        "select[name=to_agency] option", has_text=NGO).inner_text())
    police.check("input[name=services][value=shelter]")
    police.check("input[name=services][value=psychological]")
    police.check("input[name=urgency][value=urgent]")
    police.fill("textarea[name=note]", NOTE)
    police.screenshot(path=ARTIFACTS / "referral-form-investigator.png", full_page=True)
    police.click("main form button[type=submit]")
    assert f"{victim.code} is referred to {NGO}." in police.inner_text("main")
    assert "Sent" in police.inner_text("#status")
    referral = Referral.objects.get(victim=victim)
    assert (referral.status, referral.urgency, referral.from_agency, referral.to_agency) == (
        "sent", "urgent", investigator.agency, ngo)
    referral_url = police.url
    police.screenshot(path=ARTIFACTS / "referral-sent-investigator.png", full_page=True)

    # The NGO caseworker sees it in the inbox, marked new, opens it and accepts it.
    ngo_page = log_in(browser, live_server, "caseworker")
    ngo_page.click("nav >> text=Referrals")
    incoming = ngo_page.inner_text("#incoming")
    assert victim.code in incoming and "new" in incoming and "Urgent" in incoming
    ngo_page.screenshot(path=ARTIFACTS / "referral-inbox-caseworker.png", full_page=True)
    ngo_page.click(f"#incoming >> text={victim.code}")
    assert ngo_page.url == referral_url
    assert NOTE in ngo_page.inner_text("main")
    assert ngo_page.locator("form.step-withdraw").count() == 0
    ngo_page.screenshot(path=ARTIFACTS / "referral-detail-caseworker.png", full_page=True)
    assert ReferralNotice.objects.get(referral=referral).read_at is not None

    # Before answering, the caseworker updates the places the NGO has left in the directory.
    ngo_page.click("text=Back to the referral inbox")
    ngo_page.click("text=Directory of service providers")
    ngo_page.click("text=Edit our entry")
    assert ngo_page.input_value("input[name=contact_point]") == "Intake coordinator"
    ngo_page.fill("input[name=capacity]", "2")
    ngo_page.screenshot(path=ARTIFACTS / "referral-directory-entry-caseworker.png", full_page=True)
    ngo_page.click("main form button[type=submit]")
    assert "The directory entry of Safe Harbour Association is saved." in ngo_page.inner_text("main")
    assert ServiceProvider.objects.get(agency=ngo).capacity == 2
    ngo_page.goto(referral_url)
    ngo_page.click("form.step-accept button[type=submit]")
    assert "Referral accepted." in ngo_page.inner_text("main")
    assert "Accepted" in ngo_page.inner_text("#status")
    assert "Sofia Almeida" in ngo_page.inner_text("#referral")  # accepting assigns the one who accepts
    ngo_page.screenshot(path=ARTIFACTS / "referral-accepted-caseworker.png", full_page=True)

    # The investigator sees the acceptance, on the referral and on the victim's page.
    police.goto(referral_url)
    assert "Accepted" in police.inner_text("#status")
    assert "Accepted" in police.inner_text("#events")
    assert police.locator("form.step-accept").count() == 0
    police.screenshot(path=ARTIFACTS / "referral-accepted-investigator.png", full_page=True)
    police.goto(f"{live_server.url}{victim.get_absolute_url()}")
    assert "Accepted" in police.inner_text("#referrals")
    police.locator("#referrals").screenshot(path=ARTIFACTS / "victim-referrals-investigator.png")
    assert Referral.objects.get(pk=referral.pk).status == "accepted"

    # The directory, and the inbox at phone width without sideways scrolling.
    police.goto(f"{live_server.url}/referrals/directory/?service=shelter")
    assert NGO in police.inner_text("main table")
    police.screenshot(path=ARTIFACTS / "referral-directory-investigator.png", full_page=True)
    phone = log_in(browser, live_server, "caseworker", viewport={"width": 390, "height": 844})
    phone.goto(referral_url)
    phone.screenshot(path=ARTIFACTS / "referral-detail-caseworker-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
