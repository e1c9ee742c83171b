"""The referral pages: the inbox, the directory and an agency's own entry, referring a victim
(consent refused with the service's message and nothing written, the override only for the
functions allowed it), a referral's page with the steps of the viewer's side only, a wrong
party's POST refused with nothing changed, and constant query counts."""

import pytest
from django.test import Client
from django.urls import reverse

import access
from accounts.models import AccessLog, Agency
from referrals import services
from referrals.models import Referral, ReferralEvent, ReferralNotice, ServiceProvider
from victims import services as victim_services
from victims.models import Consent

from . import factories
from .conftest import DEMO_USERS

S = Referral.Status
NGO = "Safe Harbour Association"
ABROAD = "Casa Acolhida"
# The functions that send and receive referrals, on behalf of an agency.
REFERRAL_USERS = {"investigator", "frontline", "prosecutor", "caseworker", "investigator.br", "caseworker.br"}


@pytest.fixture
def world(demo):
    class World:
        investigator = demo.user("investigator")
        caseworker = demo.user("caseworker")
        ngo = Agency.objects.get(name=NGO)
        abroad = Agency.objects.get(name=ABROAD)
    w = World()
    # The directory has no service of its own: entries are rows.
    ServiceProvider.objects.update_or_create(agency=w.ngo, defaults=dict(
        services=["shelter", "psychological", "legal_aid"], languages=["pt", "en"], areas="Lisbon, Setúbal",
        accepts_children=True, capacity=3, contact_point="Intake coordinator", contact_phone="+351 800 000 000"))
    ServiceProvider.objects.update_or_create(agency=w.abroad, defaults=dict(
        services=["shelter", "medical"], languages=["pt", "es"], areas="São Paulo", contact_point="Duty desk"))
    # A victim the police met at first contact: no NGO supports them yet.
    w.victim = factories.victim(w.investigator, status="presumed")
    w.consent = victim_services.give_consent(w.victim, actor=w.investigator, purpose=Consent.Purpose.REFERRAL,
                                             agency=w.ngo, informed=True)
    return w


def send(world, victim=None, to=None):
    return services.send_referral(victim or world.victim, actor=world.investigator, to_agency=to or world.ngo,
                                  services=["shelter"], urgency="urgent", note="Needs a safe place tonight")


def counts():
    return (Referral.objects.count(), ReferralEvent.objects.count(), ReferralNotice.objects.count(),
            AccessLog.objects.filter(action=AccessLog.Action.OVERRIDE).count())


def refer_url(victim):
    return reverse("victim-refer", args=[victim.pk])


def detail_url(referral):
    return reverse("referral-detail", args=[referral.pk])


def step_url(referral, step):
    return reverse("referral-step", args=[referral.pk, step])


# --- Every demo role --------------------------------------------------------------------------

@pytest.mark.parametrize("username", DEMO_USERS)
def test_the_pages_for_every_demo_role(world, demo, login, username):
    referral = send(world)
    user = demo.user(username)
    client = login(username)
    uses = username in REFERRAL_USERS
    assert client.get(reverse("referral-inbox")).status_code == (200 if uses else 403)
    assert client.get(reverse("referral-directory")).status_code == (200 if uses else 403)
    assert client.get(reverse("referral-directory-edit")).status_code == (200 if uses else 403)

    # The referral: the two agencies it joins, nobody else (and nobody learns it exists).
    sides = {"investigator", "caseworker"}
    response = client.get(detail_url(referral))
    assert response.status_code == (200 if username in sides else 404)
    if username in sides:
        assert world.victim.code in response.content.decode()

    # The referral form follows the policy's "refer" on the victim.
    status = client.get(refer_url(world.victim)).status_code
    if access.can(user, "refer", world.victim):
        assert status == 200
    else:
        assert status == (403 if access.can(user, "view", world.victim) else 404)
    # The receiving agency sees the referral summary only: it cannot refer the victim onward.
    assert (status == 200) == (username == "investigator")

    # The victim page lists the referrals the reader's agency is party to, and the Refer link.
    page = client.get(world.victim.get_absolute_url())
    if page.status_code == 200:
        html = page.content.decode()
        assert 'id="referrals"' in html
        assert (detail_url(referral) in html) == (username in sides)
        assert (refer_url(world.victim) in html) == access.can(user, "refer", world.victim)


def test_inbox_rows_link_to_the_referral_and_opening_it_marks_the_notice_read(world, login):
    referral = send(world)
    caseworker = login("caseworker")
    html = caseworker.get(reverse("referral-inbox")).content.decode()
    assert detail_url(referral) in html and world.victim.code in html
    assert any(">new</mark>" in row for row in html.split("<tr") if detail_url(referral) in row)
    incoming = services.inbox(world.caseworker)["incoming"].count()  # the seed may hold referrals too
    assert f'href="#incoming"><strong>{incoming}</strong>' in html
    notice = ReferralNotice.objects.get(referral=referral)
    assert notice.read_at is None

    # The sender opening it does not mark the receiver's notice read.
    login("investigator").get(detail_url(referral))
    notice.refresh_from_db()
    assert notice.read_at is None
    page = caseworker.get(detail_url(referral)).content.decode()
    notice.refresh_from_db()
    assert notice.read_at is not None
    for text in ("Judicial Police – Anti-Trafficking Unit", NGO, "Shelter / safe accommodation", "Urgent",
                 "Needs a safe place tonight", "Answer due", "Identification → referral", "0 days"):
        assert text in page, text
    rows = caseworker.get(reverse("referral-inbox")).content.decode().split("<tr")
    assert all(">new</mark>" not in row for row in rows if detail_url(referral) in row)
    # The investigator's outgoing box has it too.
    outgoing = login("investigator").get(reverse("referral-inbox")).content.decode()
    sent = services.inbox(world.investigator)["outgoing"].count()
    assert f'href="#outgoing"><strong>{sent}</strong>' in outgoing and detail_url(referral) in outgoing


# --- Referring --------------------------------------------------------------------------------

def test_refer_form_lists_directory_agencies_with_their_services_and_consent(world, login):
    html = login("investigator").get(refer_url(world.victim)).content.decode()
    assert NGO in html and ABROAD in html
    assert "Judicial Police – Anti-Trafficking Unit (PT) —" not in html  # never one's own agency
    assert "Psychological support" in html and "consent recorded" in html and "no consent recorded" in html
    assert "No names or addresses" in html
    chosen = login("investigator").get(refer_url(world.victim) + f"?to={world.abroad.pk}").content.decode()
    assert f"No consent of the victim to a referral to {ABROAD} is recorded." in chosen


def test_referring_with_consent(world, login):
    client = login("investigator")
    response = client.post(refer_url(world.victim), {
        "to_agency": world.ngo.pk, "services": ["shelter", "psychological"], "urgency": "emergency",
        "note": "Afraid to go back to the flat"})
    referral = Referral.objects.get(victim=world.victim)
    assert response.status_code == 302 and response["Location"] == detail_url(referral)
    assert (referral.status, referral.consent, referral.urgency, referral.services) == (
        S.SENT, world.consent, "emergency", ["shelter", "psychological"])
    page = client.get(detail_url(referral)).content.decode()
    assert "is referred to Safe Harbour Association" in page and "Sent" in page


def test_a_missing_consent_is_refused_with_the_message_and_nothing_written(world, login):
    before = counts()
    response = login("investigator").post(refer_url(world.victim), {
        "to_agency": world.abroad.pk, "services": ["shelter"], "urgency": "routine", "note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{world.victim.code} has not consented to a referral to {ABROAD}. Record the victim" in html
    assert counts() == before


def test_the_override_only_for_permitted_functions(world, demo, login):
    # The NGO supporting a victim may refer it, but never without consent.
    supported = demo.victim("V1")
    caseworker = login("caseworker")
    html = caseworker.get(refer_url(supported)).content.decode()
    assert 'name="override_reason"' not in html
    before = counts()
    response = caseworker.post(refer_url(supported), {
        "to_agency": world.abroad.pk, "services": ["shelter"], "urgency": "routine",
        "override_reason": "Trying the override anyway"})
    assert response.status_code == 200 and "has not consented" in response.content.decode()
    assert counts() == before

    investigator = login("investigator")
    assert 'name="override_reason"' in investigator.get(refer_url(world.victim)).content.decode()
    response = investigator.post(refer_url(world.victim), {
        "to_agency": world.abroad.pk, "services": ["shelter"], "urgency": "emergency",
        "override_reason": "Victim unconscious in hospital; trafficker looking for her"})
    referral = Referral.objects.get(victim=world.victim, to_agency=world.abroad)
    assert response["Location"] == detail_url(referral)
    assert referral.consent is None and referral.is_international
    assert AccessLog.objects.filter(action=AccessLog.Action.OVERRIDE, username="investigator").count() == 1
    page = investigator.get(detail_url(referral)).content.decode()
    assert "sent without consent" in page and "international referral" in page


def test_a_second_open_referral_to_the_same_agency_is_refused(world, login):
    send(world)
    before = counts()
    response = login("investigator").post(refer_url(world.victim), {
        "to_agency": world.ngo.pk, "services": ["shelter"], "urgency": "routine"})
    assert "already has an open referral" in response.content.decode()
    assert counts() == before


# --- Steps: the right side only -----------------------------------------------------------------

def forms_on(client, referral):
    html = client.get(detail_url(referral)).content.decode()
    return {step for step in services.STEPS if f'action="{step_url(referral, step)}"' in html} | (
        {"assign"} if f'action="{reverse("referral-assign", args=[referral.pk])}"' in html else set())


def test_each_step_button_only_for_the_right_side(world, login):
    referral = send(world)
    sender, receiver = login("investigator"), login("caseworker")
    assert forms_on(receiver, referral) == {"accept", "decline"}  # accepting assigns
    assert forms_on(sender, referral) == {"withdraw"}
    referral = services.move(referral, "accept", actor=world.caseworker)
    assert forms_on(receiver, referral) == {"start", "assign"}
    assert forms_on(sender, referral) == {"withdraw"}
    referral = services.move(referral, "start", actor=world.caseworker)
    assert forms_on(receiver, referral) == {"complete", "assign"}
    assert forms_on(sender, referral) == {"withdraw"}
    referral = services.move(referral, "complete", actor=world.caseworker)
    assert forms_on(receiver, referral) == forms_on(sender, referral) == set()


def test_the_whole_lifecycle_through_the_pages(world, login):
    colleague = factories.user(world.ngo, "caseworker")
    referral = send(world)
    receiver = login("caseworker")
    response = receiver.post(step_url(referral, "accept"), {"assigned_to": colleague.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to) == (S.ACCEPTED, colleague)
    assert "Referral accepted." in receiver.get(detail_url(referral)).content.decode()
    receiver.post(reverse("referral-assign", args=[referral.pk]), {"assigned_to": world.caseworker.pk})
    receiver.post(step_url(referral, "start"))
    receiver.post(step_url(referral, "complete"))
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to) == (S.COMPLETED, world.caseworker)
    page = login("investigator").get(detail_url(referral)).content.decode()
    assert "Completed" in page and "Referral → acceptance" in page
    # The reassignment is part of the referral's history too.
    assert [(e.from_status, e.to_status) for e in referral.events.all()] == [
        ("", S.SENT), (S.SENT, S.ACCEPTED), (S.ACCEPTED, S.ACCEPTED), (S.ACCEPTED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.COMPLETED)]
    assert referral.events.all()[2].reason == f"Assigned to {world.caseworker}."


def test_a_reason_is_needed_to_decline_and_the_message_says_so(world, login):
    referral = send(world)
    receiver = login("caseworker")
    response = receiver.post(step_url(referral, "decline"), {"reason": "  "}, follow=True)
    assert "“Declined” needs a reason." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.SENT
    receiver.post(step_url(referral, "decline"), {"reason": "No place for a man this week"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.DECLINED, "No place for a man this week")
    # Declined: the NGO keeps the referral's page, not the victim's record.
    page = receiver.get(detail_url(referral)).content.decode()
    assert world.victim.code in page and world.victim.get_absolute_url() not in page
    assert "No place for a man this week" in page


WRONG = [  # (step, status before, a party on the wrong side, data)
    ("accept", S.SENT, "investigator", {}),
    ("decline", S.SENT, "investigator", {"reason": "Not ours"}),
    ("start", S.ACCEPTED, "investigator", {}),
    ("complete", S.IN_PROGRESS, "investigator", {}),
    ("withdraw", S.SENT, "caseworker", {"reason": "Not ours"}),
]


@pytest.mark.parametrize("step,status,wrong,data", WRONG)
def test_a_wrong_partys_post_is_refused_and_changes_nothing(world, login, step, status, wrong, data):
    referral = send(world)
    for move in {S.SENT: [], S.ACCEPTED: ["accept"], S.IN_PROGRESS: ["accept", "start"]}[status]:
        referral = services.move(referral, move, actor=world.caseworker)
    before = (counts(), Referral.objects.get(pk=referral.pk).status)
    assert login(wrong).post(step_url(referral, step), data).status_code == 403
    for outsider in ("prosecutor", "caseworker.br", "clerk", "focalpoint"):
        assert login(outsider).post(step_url(referral, step), data).status_code == 404
    assert (counts(), Referral.objects.get(pk=referral.pk).status) == before
    assert AccessLog.objects.filter(action=AccessLog.Action.DENIED, username=wrong, requested__in=(
        "respond", "withdraw")).exists()


def test_assigning_only_by_the_receiving_agency_and_to_its_people(world, login):
    referral = send(world)
    url = reverse("referral-assign", args=[referral.pk])
    assert login("investigator").post(url, {"assigned_to": world.investigator.pk}).status_code == 403
    assert login("caseworker.br").post(url, {"assigned_to": world.caseworker.pk}).status_code == 404
    response = login("caseworker").post(url, {"assigned_to": world.investigator.pk}, follow=True)
    assert "Choose someone of Safe Harbour Association." in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).assigned_to is None
    assert login("caseworker").post(step_url(referral, "nonsense")).status_code == 404


def test_steps_are_post_only(world, login):
    referral = send(world)
    assert login("caseworker").get(step_url(referral, "accept")).status_code == 405
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


# --- Directory --------------------------------------------------------------------------------

def test_directory_search_by_service_language_and_area(world, login):
    client = login("investigator")
    url = reverse("referral-directory")
    html = client.get(url).content.decode()
    assert NGO in html and ABROAD in html and "Intake coordinator" in html and "+351 800 000 000" in html
    only_ngo = [("service", "legal_aid"), ("language", "en"), ("area", "setúbal"), ("accepts_children", "true")]
    for key, value in only_ngo:
        html = client.get(url, {key: value}).content.decode()
        assert NGO in html and ABROAD not in html, key
    html = client.get(url, {"service": "medical", "language": "es", "area": "Paulo"}).content.decode()
    assert ABROAD in html and NGO not in html
    html = client.get(url, {"service": "education", "area": "Nowhere at all"}).content.decode()
    assert NGO not in html and ABROAD not in html


def test_an_agency_keeps_its_own_entry(world, demo, login):
    labour = demo.user("frontline").agency
    client = login("frontline")
    assert "Add our agency to the directory" in client.get(reverse("referral-directory")).content.decode()
    response = client.post(reverse("referral-directory-edit"), {
        "services": ["legal_aid"], "languages": ["pt", "ne"], "areas": "Lisbon", "capacity": "",
        "contact_point": "Inspector on duty", "contact_phone": "", "contact_email": "duty@labour.example"})
    assert response.status_code == 302
    entry = ServiceProvider.objects.get(agency=labour)
    assert (entry.services, entry.contact_point) == (["legal_aid"], "Inspector on duty")
    assert "Edit our entry" in client.get(reverse("referral-directory")).content.decode()
    # A second save edits the same entry; no one edits another agency's.
    client.post(reverse("referral-directory-edit"), {"services": ["legal_aid", "other"], "contact_point": "Desk"})
    assert ServiceProvider.objects.filter(agency=labour).count() == 1
    assert ServiceProvider.objects.get(agency=labour).contact_point == "Desk"
    assert ServiceProvider.objects.get(agency=world.ngo).contact_point == "Intake coordinator"
    response = client.post(reverse("referral-directory-edit"), {"services": [], "contact_point": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


# --- Constant query counts ----------------------------------------------------------------------

def client_of(user):
    client = Client()
    factories.log_in(client, user)
    return client


def more_referrals(world, count):
    for _ in range(count):
        victim = factories.victim(world.investigator, status="presumed")
        victim_services.give_consent(victim, actor=world.investigator, purpose=Consent.Purpose.REFERRAL,
                                     agency=world.ngo, informed=True)
        send(world, victim=victim)


@pytest.mark.parametrize("username", ["caseworker", "investigator"])
def test_the_inbox_runs_a_constant_number_of_queries(world, demo, count_queries, username):
    user = demo.user(username)
    more_referrals(world, 1)
    few, _response = count_queries(client_of(user), reverse("referral-inbox"))
    more_referrals(world, 5)
    many, response = count_queries(client_of(user), reverse("referral-inbox"))
    html = response.content.decode()
    sent = Referral.objects.filter(victim__recorded_by=world.investigator, to_agency=world.ngo)
    assert sent.count() == 6
    assert all(f'href="{referral.get_absolute_url()}"' in html for referral in sent)
    assert many == few


def test_each_inbox_box_is_counted_and_paged_on_its_own(world, demo, settings, count_queries):
    """A national NGO receives thousands of referrals: each box shows its count and one page."""
    settings.REFERRAL_INBOX_ROWS = 2
    more_referrals(world, 5)
    caseworker = demo.user("caseworker")
    incoming = list(services.inbox(caseworker)["incoming"])
    assert len(incoming) >= 5
    pages = -(-len(incoming) // 2)
    first_count, first = count_queries(client_of(caseworker), reverse("referral-inbox"))
    html = first.content.decode()
    assert f'href="#incoming"><strong>{len(incoming)}</strong>' in html
    assert f"Page 1 of {pages}" in html and "incoming_page=2#incoming" in html
    shown = [r for r in incoming if f'href="{r.get_absolute_url()}"' in html.split('id="incoming"')[1].split("</section>")[0]]
    assert shown == incoming[:2]
    last_count, last = count_queries(client_of(caseworker), reverse("referral-inbox") + f"?incoming_page={pages}&outgoing_page=1")
    box = last.content.decode().split('id="incoming"')[1].split("</section>")[0]
    assert all(f'href="{r.get_absolute_url()}"' in box for r in incoming[(pages - 1) * 2:])
    assert f'href="{incoming[0].get_absolute_url()}"' not in box
    assert f"incoming_page={pages - 1}#incoming" in box and "outgoing_page=1" in box
    assert last_count == first_count
    # A page that is not a number, or past the end, shows a page, never an error.
    for bad, number in (("abc", 1), ("0", 1), ("9999", pages)):
        _count, response = count_queries(client_of(caseworker), reverse("referral-inbox") + f"?incoming_page={bad}")
        box = response.content.decode().split('id="incoming"')[1].split("</section>")[0]
        assert f"Page {number} of {pages}" in box, bad
        assert f'href="{incoming[(number - 1) * 2].get_absolute_url()}"' in box, bad


def test_the_directory_runs_a_constant_number_of_queries(world, demo, count_queries):
    user = demo.user("investigator")
    url = reverse("referral-directory")
    few, _response = count_queries(client_of(user), url)
    for number in range(5):
        agency = factories.agency("ngo", name=f"Provider {number}")
        ServiceProvider.objects.create(agency=agency, services=["shelter"], languages=["en"], contact_point="Desk")
    many, response = count_queries(client_of(user), url)
    assert "Provider 4" in response.content.decode()
    assert many == few
