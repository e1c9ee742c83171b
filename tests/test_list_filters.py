"""One filter per list: each list page reads its parameters through the FilterSet of its API
list, so the page and the API answer the same rows to the same parameters, combined too. A
value the filters refuse (an unknown choice, a NUL byte, a word where a number goes) is a 400
naming the parameter on the API, and on the page a message at that filter, the list answered
as without it (200): never a 500."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessLog, Agency
from deadlines.models import Deadline, Notification
from referrals import services as referral_services
from referrals.models import Referral, ServiceProvider
from victims import services as victim_services
from victims.models import Consent

from . import factories
from .conftest import VICTIMS


def page_rows(client, url, params, pattern, within=("<tbody>", "</tbody>")):
    """The rows a list page shows, by the ids (or names) `pattern` finds in its table."""
    response = client.get(url, params)
    assert response.status_code == 200, params
    body = response.content.decode().split(within[0], 1)[1].split(within[1], 1)[0]
    return set(re.findall(pattern, body))


def api_rows(client, url, params, key="id"):
    response = client.get(url, params)
    assert response.status_code == 200, (params, response.json())
    data = response.json()
    assert data["next"] is None  # one page holds every row: nothing is compared half
    return {str(row[key]) for row in data["results"]}


def filter_errors(response):
    """The messages shown inside the page's filter form."""
    html = response.content.decode()
    start = html.index('<form method="get"')
    form = html[start:html.index("</form>", start)]
    return re.findall(r'role="alert">\s*(?:<p>)?([^<]+)<', form)


def assert_refused(page, api, urls, base, name, value, row, key="id"):
    """`name=value` added to `base` is refused: a 400 naming it on the API; on the page (200) a
    message at the filter, and the rows `base` alone gives (the refused value filters nothing)."""
    page_url, api_url = urls
    params = {**base, name: value}
    answer = api.get(api_url, params)
    assert answer.status_code == 400, (params, answer.content)
    assert name in answer.json(), answer.json()
    response = page.get(page_url, params)
    assert response.status_code == 200, params
    assert filter_errors(response), params
    if row is not None:
        assert page_rows(page, page_url, params, row) == api_rows(api, api_url, base, key=key), params


# --- Cases ------------------------------------------------------------------------------------

CASE_PAGE, CASE_API, CASE_ROW = "/cases/", "/api/cases/", r'href="/cases/(\d+)/"'


def case_params(demo):
    return [
        {}, {"stage": "pre_trial"}, {"priority": "child"}, {"is_transnational": "true"},
        {"exploitation_form": "ForcedBegging"}, {"q": "harvest"}, {"is_restricted": "true"},
        {"jurisdiction": demo.case("C1").jurisdiction_id},
        {"priority": "child", "is_transnational": "false"},
        {"stage": "investigation", "is_restricted": "true"},
        {"q": "PT-LIS", "exploitation_form": "ForcedBegging"},
        {"stage": "pre_trial", "is_restricted": "true"},  # nothing is both
    ]


def test_the_case_page_and_api_answer_the_same_cases(demo, login, api_login):
    page, api = login("prosecutor"), api_login("prosecutor")
    everything = api_rows(api, CASE_API, {})
    assert everything == {str(demo.case(key).pk) for key in ("C1", "C2", "C3")}
    for params in case_params(demo):
        rows = api_rows(api, CASE_API, params)
        assert page_rows(page, CASE_PAGE, params, CASE_ROW) == rows, params
        if len(params) == 2 and rows:
            assert rows < everything, params  # two filters narrow together
    assert api_rows(api, CASE_API, {"priority": "child", "is_transnational": "false"}) == {str(demo.case("C3").pk)}


@pytest.mark.parametrize("name,value", [("q", "a\x00b"), ("stage", "nonsense"), ("exploitation_form", "Piracy"),
                                        ("priority", "\x00"), ("jurisdiction", "abc")])
def test_a_refused_case_filter_is_a_400_and_a_message_on_the_page(demo, login, api_login, name, value):
    base = {"stage": "intake"} if name == "priority" else {"priority": "child"}
    assert_refused(login("prosecutor"), api_login("prosecutor"), (CASE_PAGE, CASE_API), base, name, value, CASE_ROW)


def test_a_nul_byte_in_the_case_search_is_no_server_error(login):
    response = login("prosecutor").get("/cases/?q=a%00b")
    assert response.status_code == 200
    assert filter_errors(response) == ["Null characters are not allowed."]


# --- Victims ----------------------------------------------------------------------------------

VICTIM_PAGE, VICTIM_API, VICTIM_ROW = "/victims/", "/api/victims/", r'href="/victims/(\d+)/"'
VICTIM_PARAMS = [
    {}, {"status": "identified"}, {"age_group": "in_doubt"}, {"sex": "Feminine"}, {"nationality": "NP"},
    {"q": "dm7k"}, {"name": "Silva"},
    {"q": "V-DM", "age_group": "in_doubt"}, {"name": "a", "sex": "Feminine"},
    {"status": "presumed", "sex": "Masculine"},
]


def test_the_victim_page_and_api_answer_the_same_victims(demo, login, api_login):
    page, api = login("caseworker"), api_login("caseworker")
    everything = api_rows(api, VICTIM_API, {})
    assert everything == {str(demo.victim(key).pk) for key in ("V1", "V2", "V4", "V6")}
    for params in VICTIM_PARAMS:
        rows = api_rows(api, VICTIM_API, params)
        assert page_rows(page, VICTIM_PAGE, params, VICTIM_ROW) == rows, params
        if len(params) == 2 and rows:
            assert rows < everything, params
    assert api_rows(api, VICTIM_API, {"q": "V-DM", "age_group": "in_doubt"}) == {str(demo.victim("V4").pk)}


@pytest.mark.parametrize("name,value", [("q", "V-\x00"), ("name", "Sil\x00va"), ("status", "nonsense"),
                                        ("nationality", "XX")])
def test_a_refused_victim_filter_is_a_400_and_a_message_on_the_page(demo, login, api_login, name, value):
    assert_refused(login("caseworker"), api_login("caseworker"), (VICTIM_PAGE, VICTIM_API), {"sex": "Feminine"},
                   name, value, VICTIM_ROW)
    # A refused name searches nobody by name: nothing is logged as an identity read.
    assert not AccessLog.objects.filter(username="caseworker", purpose="name search").exists()


def test_a_name_search_is_refused_alike_on_the_page_and_the_api(login, api_login):
    page = login("judge").get(VICTIM_PAGE, {"name": "Silva"})
    api = api_login("judge").get(VICTIM_API, {"name": "Silva"})
    assert page.status_code == api.status_code == 403
    assert "You are not allowed to search victims by name." in page.content.decode()
    assert api.json()["detail"] == "You are not allowed to search victims by name."
    purposes = set(AccessLog.objects.filter(username="judge", action=AccessLog.Action.DENIED,
                                            requested="name search").values_list("purpose", flat=True))
    assert purposes == {"victim list", "api"}


# --- The directory of service providers -------------------------------------------------------

DIRECTORY_PAGE, DIRECTORY_API = "/referrals/directory/", "/api/service-providers/"
DIRECTORY_ROW = r"<td><strong>([^<]+)</strong>"


@pytest.fixture
def directory(db):
    def entry(name, **fields):
        agency = factories.agency("ngo", name=name)
        return ServiceProvider.objects.create(agency=agency, contact_point="Desk", **fields)

    return {
        "lisbon": entry("Lisbon Shelter", services=["shelter", "legal_aid"], languages=["pt", "en"],
                        areas="Lisbon, Setúbal", accepts_children=True),
        "porto": entry("Porto Clinic", services=["medical"], languages=["pt", "es"], areas="Porto"),
        "national": entry("Nationwide Helpline", services=["psychological", "legal_aid"], languages=["en", "es"],
                          areas="National (every district)"),
        # "International" holds the letters of "national": no claim to serve the whole country.
        "airport": entry("Airport Desk", services=["medical"], languages=["pt"], areas="Lisbon International Airport"),
    }


def test_a_national_provider_serves_every_area_on_the_page_and_the_api(directory, login, api_login):
    page, api = login("investigator"), api_login("investigator")
    for area, expected in (("Faro", {"Nationwide Helpline"}), ("setúbal", {"Lisbon Shelter", "Nationwide Helpline"}),
                           ("Porto", {"Porto Clinic", "Nationwide Helpline"})):
        assert api_rows(api, DIRECTORY_API, {"area": area}, key="agency_name") == expected, area
        assert page_rows(page, DIRECTORY_PAGE, {"area": area}, DIRECTORY_ROW) == expected, area


def test_the_directory_page_and_api_answer_the_same_providers(directory, login, api_login):
    page, api = login("investigator"), api_login("investigator")
    for params in ({}, {"service": "legal_aid"}, {"language": "es"}, {"accepts_children": "true"},
                   {"accepts_children": "false"}, {"service": "legal_aid", "language": "es"},
                   {"service": "legal_aid", "area": "Lisbon"}, {"language": "pt", "accepts_children": "true"}):
        rows = api_rows(api, DIRECTORY_API, params, key="agency_name")
        assert page_rows(page, DIRECTORY_PAGE, params, DIRECTORY_ROW) == rows, params
    ours = {entry.agency.name for entry in directory.values()}
    assert api_rows(api, DIRECTORY_API, {"service": "legal_aid", "language": "es"},
                    key="agency_name") & ours == {"Nationwide Helpline"}


@pytest.mark.parametrize("name,value", [("area", "Lis\x00bon"), ("service", "catering"), ("language", "klingon")])
def test_a_refused_directory_filter_is_a_400_and_a_message_on_the_page(directory, login, api_login, name, value):
    assert_refused(login("investigator"), api_login("investigator"), (DIRECTORY_PAGE, DIRECTORY_API),
                   {"accepts_children": "true"}, name, value, DIRECTORY_ROW, key="agency_name")


# --- The referral inbox -----------------------------------------------------------------------

INBOX_PAGE, REFERRAL_API = "/referrals/", "/api/referrals/"
BOX_KEYS = {"incoming": "incoming", "outgoing": "outgoing", "overdue": "overdue", "assigned": "assigned_to_me"}


@pytest.fixture
def referrals(demo, settings):
    settings.REFERRAL_INBOX_ROWS = 100  # every row on the first page of its box
    investigator, ngo = demo.user("investigator"), Agency.objects.get(name="Safe Harbour Association")
    sent = []
    for urgency in ("emergency", "urgent", "routine", "urgent"):
        victim = factories.victim(investigator, status="presumed")
        victim_services.give_consent(victim, actor=investigator, purpose=Consent.Purpose.REFERRAL, agency=ngo,
                                     informed=True)
        sent.append(referral_services.send_referral(victim, actor=investigator, to_agency=ngo, services=["shelter"],
                                                    urgency=urgency, note="Test"))
    referral_services.move(sent[1], "accept", actor=demo.user("caseworker"))
    Referral.objects.filter(pk=sent[2].pk).update(response_due_at=timezone.now() - datetime.timedelta(days=1))
    return sent


def inbox_rows(client, params):
    """The referrals each box of the inbox page shows: {box key: {ids}}."""
    response = client.get(INBOX_PAGE, params)
    assert response.status_code == 200, params
    html = response.content.decode()
    sections = re.findall(r'<section id="([a-z_]+)" class="box-section".*?</section>', html, re.S)
    return {key: set(re.findall(r'href="/referrals/(\d+)/"', re.search(
        rf'<section id="{key}" .*?</section>', html, re.S)[0])) for key in sections}


@pytest.mark.parametrize("username", ["caseworker", "investigator"])
def test_each_inbox_box_answers_as_the_api_does(referrals, login, api_login, username):
    page, api = login(username), api_login(username)
    for box, key in BOX_KEYS.items():
        for extra in ({}, {"urgency": "urgent"}, {"status": "accepted"}, {"urgency": "emergency", "status": "sent"}):
            params = {"box": box, **extra}
            shown = inbox_rows(page, params)
            assert set(shown) == {key}, params  # the box asked for, alone
            assert shown[key] == api_rows(api, REFERRAL_API, params), params
    every_box = inbox_rows(page, {"urgency": "urgent"})
    assert set(every_box) == set(BOX_KEYS.values())
    for box, key in BOX_KEYS.items():
        assert every_box[key] == api_rows(api, REFERRAL_API, {"box": box, "urgency": "urgent"}), box
    ours = {str(referral.pk) for referral in referrals}
    urgent = inbox_rows(page, {"box": "incoming", "urgency": "urgent"})["incoming"] & ours
    assert urgent == ({str(referrals[1].pk), str(referrals[3].pk)} if username == "caseworker" else set())


@pytest.mark.parametrize("name,value", [("box", "archive"), ("urgency", "\x00"), ("victim", "abc")])
def test_a_refused_inbox_filter_is_a_400_and_a_message_on_the_page(referrals, login, api_login, name, value):
    page = login("caseworker")
    assert_refused(page, api_login("caseworker"), (INBOX_PAGE, REFERRAL_API), {"status": "sent"}, name, value, None)
    assert inbox_rows(page, {"status": "sent", name: value}) == inbox_rows(page, {"status": "sent"})


# --- Deadlines --------------------------------------------------------------------------------

DEADLINE_PAGE, DEADLINE_API, DEADLINE_ROW = "/calendar/deadlines/", "/api/deadlines/", r'data-deadline="(\d+)"'


def test_the_deadline_page_and_api_answer_the_same_deadlines(demo, login, api_login):
    page, api = login("prosecutor"), api_login("prosecutor")
    c1 = demo.case("C1")
    everything = api_rows(api, DEADLINE_API, {})
    assert len(everything) > 3
    for params in ({"mine": "true"}, {"mine": "false"}, {"status": "any"}, {"status": "overdue"}, {"status": "met"},
                   {"kind": "stage_standard"}, {"case": c1.pk}, {"mine": "true", "status": "any"},
                   {"mine": "true", "status": "overdue"}, {"mine": "false", "status": "pending"},
                   {"case": c1.pk, "kind": "pre_trial_detention"}, {"mine": "1", "kind": "procedural"}):
        rows = api_rows(api, DEADLINE_API, params)
        assert page_rows(page, DEADLINE_PAGE, params, DEADLINE_ROW) == rows, params
        if len(params) == 2 and rows:
            assert rows < everything, params
    # Asked for nothing, the page is the user's own pending deadlines: ?mine=true.
    mine = api_rows(api, DEADLINE_API, {"mine": "true"})
    assert mine and mine < everything
    assert page_rows(page, DEADLINE_PAGE, {}, DEADLINE_ROW) == mine
    assert page_rows(page, DEADLINE_PAGE, {"page": "1"}, DEADLINE_ROW) == mine
    assert mine == {str(pk) for pk in Deadline.objects.filter(
        pk__in=map(int, mine), status__in=Deadline.PENDING).values_list("pk", flat=True)}


@pytest.mark.parametrize("name,value", [("status", "later"), ("kind", "birthday\x00"), ("case", "C1"),
                                        ("victim", "1.5.2")])
def test_a_refused_deadline_filter_is_a_400_and_a_message_on_the_page(demo, login, api_login, name, value):
    assert_refused(login("prosecutor"), api_login("prosecutor"), (DEADLINE_PAGE, DEADLINE_API), {"mine": "false"},
                   name, value, DEADLINE_ROW)


# --- Notifications ----------------------------------------------------------------------------

NOTIFICATION_PAGE, NOTIFICATION_API = "/calendar/notifications/", "/api/notifications/"
NOTIFICATION_ROW = r'data-notification="(\d+)"'


def test_the_notification_page_and_api_answer_the_same_notifications(demo, login, api_login):
    prosecutor, kinds = demo.user("prosecutor"), Notification.Kind
    for number, (kind, read) in enumerate([(kinds.DEADLINE_REMINDER, False), (kinds.DEADLINE_REMINDER, True),
                                           (kinds.DEADLINE_OVERDUE, False), (kinds.DEADLINE_OVERDUE, True)]):
        Notification.objects.create(recipient=prosecutor, kind=kind, subject=f"Test {number}",
                                    read_at=timezone.now() if read else None)
    page, api = login("prosecutor"), api_login("prosecutor")
    everything = api_rows(api, NOTIFICATION_API, {})
    for params in ({}, {"unread": "1"}, {"unread": "true"}, {"unread": "false"}, {"kind": "deadline_overdue"},
                   {"unread": "1", "kind": "deadline_overdue"}):
        rows = api_rows(api, NOTIFICATION_API, params)
        assert page_rows(page, NOTIFICATION_PAGE, params, NOTIFICATION_ROW,
                         within=('<ul class="notifications">', "</ul>")) == rows, params
        if len(params) == 2:
            assert rows and rows < everything, params


def test_a_refused_notification_filter_is_a_400_and_a_message_on_the_page(demo, login, api_login):
    """The notification page has no filter form, only its link to the unread ones: the message
    stands above the list."""
    page, api = login("prosecutor"), api_login("prosecutor")
    answer = api.get(NOTIFICATION_API, {"kind": "gossip"})
    assert answer.status_code == 400 and "kind" in answer.json()
    response = page.get(NOTIFICATION_PAGE, {"kind": "gossip", "unread": "1"})
    assert response.status_code == 200
    assert "Select a valid choice. gossip is not one of the available choices." in response.content.decode()
    assert page_rows(page, NOTIFICATION_PAGE, {"kind": "gossip", "unread": "1"}, NOTIFICATION_ROW,
                     within=('<ul class="notifications">', "</ul>")) == api_rows(api, NOTIFICATION_API, {"unread": "1"})


# --- The access log ---------------------------------------------------------------------------

def log_rows(client, params):
    """The access log has no API list: its page reads its parameters through its own FilterSet."""
    response = client.get(reverse("access-log"), params)
    assert response.status_code == 200, params
    body = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr><td>", body)), response


def test_the_access_log_page_filters_through_its_filterset(demo, login):
    v1, v2 = demo.victim("V1"), demo.victim("V2")
    caseworker, investigator = demo.user("caseworker"), demo.user("investigator")
    log_access(caseworker, AccessLog.Action.VIEW_IDENTITY, [v1], purpose="test")
    log_access(caseworker, AccessLog.Action.VIEW, [v1, v2], purpose="test")
    log_access(investigator, AccessLog.Action.VIEW_IDENTITY, [v1], purpose="test")
    entries = AccessLog.objects.all()
    auditor = login("auditor")
    for params, rows in (
        ({"object": VICTIMS["V1"].lower()}, entries.filter(object_label=VICTIMS["V1"])),
        ({"user": "CASEWORKER"}, entries.filter(username="caseworker")),
        ({"action": "view_identity"}, entries.filter(action="view_identity")),
        ({"object": VICTIMS["V1"], "action": "view_identity"},
         entries.filter(object_label=VICTIMS["V1"], action="view_identity")),
        ({"object": VICTIMS["V1"], "user": "caseworker", "action": "view"},
         entries.filter(object_label=VICTIMS["V1"], username="caseworker", action="view")),
    ):
        count, _response = log_rows(auditor, params)
        assert 0 < count == rows.count(), params
    assert log_rows(auditor, {"object": VICTIMS["V1"], "user": "caseworker", "action": "view"})[0] == 1


@pytest.mark.parametrize("name,value", [("object", "V-\x00"), ("user", "\x00"), ("action", "delete")])
def test_a_refused_access_log_filter_is_a_message_on_the_page(demo, login, name, value):
    auditor = login("auditor")
    log_access(demo.user("caseworker"), AccessLog.Action.VIEW_IDENTITY, [demo.victim("V1")], purpose="test")
    count, response = log_rows(auditor, {"user": "caseworker", name: value})
    assert filter_errors(response)
    if name != "user":  # the refused value filters nothing; the others still do
        assert count == log_rows(auditor, {"user": "caseworker"})[0] > 0
