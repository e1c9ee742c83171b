"""The victim journey in a real headless Chromium: an NGO caseworker records a presumed victim
with consent, a phone and an address, a service and a counselling note; the police investigator
the victim agreed to share their identity with finds them by name, sees the phone and never the
address or the counselling note."""

import pytest

from accounts.models import AccessLog
from victims.models import AssistanceService, Consent, CounsellingNote, Victim

from .test_browser import ARTIFACTS, browser, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

NOTE = "First session: sleeps badly, afraid the recruiter will contact her family."
POLICE = "Judicial Police – Anti-Trafficking Unit"


def test_caseworker_records_a_victim_and_the_investigator_sees_no_counselling_note(browser, live_server):  # noqa: F811
    page = log_in(browser, live_server, "caseworker")
    page.click("nav >> text=Victims")
    page.click("text=Record a victim")
    page.select_option("select[name=sex]", value="Feminine")
    page.select_option("select[name=age_group]", value="adult")
    page.fill("input[name=estimated_age]", "29")
    page.select_option("select[name=nationality]", value="NG")
    page.select_option("select[name=identification_channel]", value="ngo_drop_in")
    page.check("input[name=indicators][value=documents_withheld]")
    page.check("input[name=exploitation_forms][value=SexualExploitation]")
    page.check("input[name=sex_exploitation_types][value=PrivateSexualServices]")  # HTCDS's own code
    page.fill("input[name=identity_given_names]", "Grace")
    page.fill("input[name=identity_family_name]", "Okafor")
    page.fill("input[name=identity_mobile_phone]", "+351 933 000 111")
    page.fill("textarea[name=identity_mailing_street]", "Rua do Cofre 9")
    page.fill("input[name=identity_mailing_city]", "Vila Quillon")
    page.select_option("select[name=identity_mailing_country]", value="PT")
    page.fill("textarea[name=identity_shelter_location]", "Shelter C, room 4")
    assert page.input_value("select[name=supporting_agency]")  # their own NGO, preselected
    page.check("input[name=consent_to_processing]")
    page.screenshot(path=ARTIFACTS / "victim-record-form-caseworker.png", full_page=True)
    page.click("main button[type=submit]")
    assert "Consent counts only if the victim was told what it means." in page.inner_text("main")
    page.screenshot(path=ARTIFACTS / "victim-record-form-error.png", full_page=True)
    page.check("input[name=consent_informed]")
    page.click("main button[type=submit]")
    main = page.inner_text("main")
    assert "recorded." in main and "Grace Okafor" in page.inner_text("section.identity")
    assert page.inner_text("#mailing-address").splitlines() == ["Rua do Cofre 9", "Vila Quillon", "Portugal"]
    victim_url = page.url
    code = page.inner_text("main h1")
    victim = Victim.objects.get(code=code)
    assert victim.status == "presumed"
    assert victim.sex_exploitation_types == ["PrivateSexualServices"]
    assert "Private sexual services" in main

    # The victim agrees that the police unit may see their record and identity.
    page.click("#consents >> text=Record consent")
    page.select_option("select[name=purpose]", value="share_identity")
    page.select_option("select[name=agency]", label=POLICE)
    page.check("input[name=informed]")
    page.click("main button[type=submit]")
    assert "Consent recorded." in page.inner_text("main")
    assert POLICE in page.inner_text("#consents")

    page.click("#services >> text=Add a service")
    page.select_option("select[name=kind]", value="psychological")
    page.select_option("select[name=provider]", label="Safe Harbour Association")
    page.fill("textarea[name=notes]", "Weekly sessions")
    page.click("main button[type=submit]")
    assert "Psychological support" in page.inner_text("#services")

    page.fill("#counselling textarea[name=text]", NOTE)
    page.click("#counselling button[type=submit]")
    assert NOTE in page.inner_text("#counselling")
    page.screenshot(path=ARTIFACTS / "victim-caseworker-journey.png", full_page=True)
    assert set(Consent.objects.filter(victim=victim).values_list("purpose", flat=True)) == {
        "data_processing", "share_identity"}
    assert AssistanceService.objects.filter(victim=victim).count() == 1
    assert CounsellingNote.objects.filter(victim=victim).count() == 1

    # The investigator finds the victim by name and sees identity, but no counselling note.
    police = log_in(browser, live_server, "investigator")
    police.click("nav >> text=Victims")
    police.fill("input[name=name]", "Okafor")
    police.click("main form.victim-search button[type=submit]")
    assert code in police.inner_text("main table")
    police.screenshot(path=ARTIFACTS / "victim-name-search-investigator.png", full_page=True)
    police.click(f"text={code}")
    assert police.url == victim_url
    main = police.inner_text("main")
    assert "Grace Okafor" in police.inner_text("section.identity")
    assert NOTE not in police.content() and police.locator("#counselling").count() == 0
    assert "Counselling notes" not in main and "Shelter C" not in police.content()
    # The phone is identity; no part of the address is the police's.
    assert "+351 933 000 111" in police.inner_text("section.identity")
    assert "Rua do Cofre" not in police.content() and "Vila Quillon" not in police.content()
    assert police.locator("#mailing-address").count() == 0
    assert "Psychological support" in main
    police.screenshot(path=ARTIFACTS / "victim-investigator.png", full_page=True)
    assert police.goto(f"{victim_url}export/").status == 403
    assert AccessLog.objects.filter(username="investigator", purpose="name search", object_label=code).exists()

    # Phone width: the victim page does not scroll sideways.
    phone = log_in(browser, live_server, "caseworker", viewport={"width": 390, "height": 844})
    phone.goto(victim_url)
    phone.screenshot(path=ARTIFACTS / "victim-caseworker-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
