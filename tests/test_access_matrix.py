"""Every demo function against every kind of object and action, through the policy, the
pages and the API, including every denial."""

import pytest
from django.utils.html import escape

import access
from accounts.models import AccessLog
from cases.models import Case
from victims.models import Victim

from .conftest import CASES, DEMO_USERS, VICTIMS

NONE = set()
# What each demo user may do, by action, on the demo cases and victims.
EXPECTED = {
    "investigator": {
        "case": {"view": {"C1", "C3"}, "change": {"C1", "C3"}, "view_investigation": {"C1", "C3"}},
        "victim": {"view": {"V1", "V2", "V4"}, "change": {"V1", "V2", "V4"}, "view_identity": {"V1", "V2", "V4"},
                   "view_shelter": NONE},
    },
    "frontline": {
        "case": {"view": NONE, "change": NONE, "view_investigation": NONE},
        "victim": {"view": {"V6"}, "change": {"V6"}, "view_identity": {"V6"}, "view_shelter": NONE},
    },
    "prosecutor": {
        "case": {"view": {"C1", "C2", "C3"}, "change": {"C1", "C2", "C3"}, "view_investigation": {"C1", "C2", "C3"}},
        "victim": {"view": {"V1", "V2", "V3", "V4"}, "change": {"V1", "V2", "V3", "V4"},
                   "view_identity": {"V1", "V2", "V3"}, "view_shelter": NONE},
    },
    "supervisor": {  # excluded from C3; C2 is restricted to its team
        "case": {"view": {"C1"}, "change": {"C1"}, "view_investigation": {"C1"}},
        "victim": {"view": {"V1", "V2"}, "change": NONE, "view_identity": NONE, "view_shelter": NONE},
    },
    "clerk": {
        "case": {"view": {"C1"}, "change": NONE, "view_investigation": NONE},
        "victim": {"view": {"V1", "V2"}, "change": NONE, "view_identity": NONE, "view_shelter": NONE},
    },
    "judge": {
        "case": {"view": {"C1"}, "change": NONE, "view_investigation": NONE},
        "victim": {"view": {"V1", "V2"}, "change": NONE, "view_identity": NONE, "view_shelter": NONE},
    },
    "caseworker": {
        "case": {"view": {"C1"}, "change": NONE, "view_investigation": NONE},
        "victim": {"view": {"V1", "V2", "V4", "V6"}, "change": {"V1", "V2", "V4", "V6"},
                   "view_identity": {"V1", "V2", "V4", "V6"}, "view_shelter": {"V1", "V2", "V4", "V6"}},
    },
    "focalpoint": {
        "case": {"view": {"C1"}, "change": NONE, "view_investigation": NONE},
        "victim": {"view": {"V1", "V2"}, "change": NONE, "view_identity": NONE, "view_shelter": NONE},
    },
    "auditor": {
        "case": {"view": NONE, "change": NONE, "view_investigation": NONE},
        "victim": {"view": NONE, "change": NONE, "view_identity": NONE, "view_shelter": NONE},
    },
    "admin": {
        "case": {"view": NONE, "change": NONE, "view_investigation": NONE},
        "victim": {"view": NONE, "change": NONE, "view_identity": NONE, "view_shelter": NONE},
    },
    "investigator.br": {
        "case": {"view": {"C4"}, "change": {"C4"}, "view_investigation": {"C4"}},
        "victim": {"view": {"V5"}, "change": {"V5"}, "view_identity": {"V5"}, "view_shelter": NONE},
    },
    "caseworker.br": {
        "case": {"view": {"C4"}, "change": NONE, "view_investigation": NONE},
        "victim": {"view": {"V5"}, "change": {"V5"}, "view_identity": {"V5"}, "view_shelter": {"V5"}},
    },
}
# The case-file sections (see cases/access.py), written out per user.
_PT, _BR, _ALL_PT = {"C1", "C3"}, {"C4"}, {"C1", "C2", "C3"}
SECTIONS = {
    "investigator": dict(view_proceedings=_PT, change_proceedings=_PT, view_cooperation=_PT, change_cooperation=_PT,
                         view_compensation=_PT, change_compensation=_PT, add_meeting=_PT, add_note=_PT,
                         manage_team=NONE),
    "prosecutor": dict(view_proceedings=_ALL_PT, change_proceedings=_ALL_PT, view_cooperation=_ALL_PT,
                       change_cooperation=_ALL_PT, view_compensation=_ALL_PT, change_compensation=_ALL_PT,
                       add_meeting=_ALL_PT, add_note=_ALL_PT, manage_team=_ALL_PT),
    "supervisor": dict(view_proceedings={"C1"}, change_proceedings=NONE, view_cooperation={"C1"},
                       change_cooperation=NONE, view_compensation={"C1"}, change_compensation=NONE,
                       add_meeting={"C1"}, add_note={"C1"}, manage_team={"C1"}),
    "clerk": dict(view_proceedings={"C1"}, change_proceedings=NONE, view_cooperation=NONE, change_cooperation=NONE,
                  view_compensation={"C1"}, change_compensation=NONE, add_meeting={"C1"}, add_note={"C1"},
                  manage_team=NONE),
    "caseworker": dict(view_proceedings=NONE, change_proceedings=NONE, view_cooperation=NONE,
                       change_cooperation=NONE, view_compensation={"C1"}, change_compensation={"C1"},
                       add_meeting={"C1"}, add_note={"C1"}, manage_team=NONE),
    "focalpoint": dict(view_proceedings=NONE, change_proceedings=NONE, view_cooperation={"C1"},
                       change_cooperation=NONE, view_compensation=NONE, change_compensation=NONE,
                       add_meeting=NONE, add_note={"C1"}, manage_team=NONE),
    "investigator.br": dict(view_proceedings=_BR, change_proceedings=_BR, view_cooperation=_BR,
                            change_cooperation=_BR, view_compensation=_BR, change_compensation=_BR,
                            add_meeting=_BR, add_note=_BR, manage_team=NONE),
    "caseworker.br": dict(view_proceedings=NONE, change_proceedings=NONE, view_cooperation=NONE,
                          change_cooperation=NONE, view_compensation=_BR, change_compensation=_BR,
                          add_meeting=_BR, add_note=_BR, manage_team=NONE),
}
SECTIONS["judge"] = SECTIONS["clerk"]
for _username in ("frontline", "auditor", "admin"):
    SECTIONS[_username] = {action: NONE for action in SECTIONS["clerk"]}
for _username, _sections in SECTIONS.items():
    EXPECTED[_username]["case"].update(_sections)

# What a coordination report lists: a national coordination office's focal point every case of
# its country except restricted ones (C2), whether or not it may open them (C3, C5, C6); a supervisor
# the cases they see (excluded from C3).
COORDINATE = {"focalpoint": {"C1", "C3", "C5", "C6"}, "supervisor": {"C1"}}
for _username in EXPECTED:
    EXPECTED[_username]["case"]["coordinate"] = COORDINATE.get(_username, NONE)

# The parts of a victim's file (see VictimRule), written out per user.
_WORKER = ("view_cooperation", "view_safety", "change_safety")
VICTIM_SECTIONS = {
    "investigator": {**dict.fromkeys(_WORKER, {"V1", "V2", "V4"}), "record_non_punishment": {"V1", "V2", "V4"}},
    "prosecutor": {**dict.fromkeys(_WORKER, {"V1", "V2", "V3", "V4"}),
                   "record_non_punishment": {"V1", "V2", "V3", "V4"}},
    "caseworker": {**dict.fromkeys(_WORKER, {"V1", "V2", "V4", "V6"}),
                   "view_counselling": {"V1", "V2", "V4", "V6"}, "export": {"V1", "V2", "V4", "V6"}},
    "investigator.br": {**dict.fromkeys(_WORKER, {"V5"}), "record_non_punishment": {"V5"}},
    "caseworker.br": {**dict.fromkeys(_WORKER, {"V5"}), "view_counselling": {"V5"}, "export": {"V5"}},
}
_VICTIM_SECTION_ACTIONS = (*_WORKER, "view_counselling", "export", "record_non_punishment")
for _username in EXPECTED:
    _sections = VICTIM_SECTIONS.get(_username, {})
    EXPECTED[_username]["victim"].update({a: _sections.get(a, NONE) for a in _VICTIM_SECTION_ACTIONS})
# Referring a victim: whoever may record victims, for the victims they see.
for _username in EXPECTED:
    _refers = _username in {"investigator", "frontline", "prosecutor", "caseworker", "investigator.br",
                            "caseworker.br"}
    EXPECTED[_username]["victim"]["refer"] = EXPECTED[_username]["victim"]["view"] if _refers else NONE
    # The referral summary: the demo's one referral sends V6 to Safe Harbour.
    EXPECTED[_username]["victim"]["view_referral"] = {"V6"} if _username == "caseworker" else NONE

SHELTERS = {"V1": "Shelter A", "V2": "Shelter B", "V4": "Children's home", "V5": "Casa Acolhida, unit 2"}
# V1's mailing address as the demo records it (country "PT", shown by name on the page).
V1_ADDRESS = {"mailing_street": "Rua das Flores 12, 3.º dto.", "mailing_city": "Lisboa",
              "mailing_state": "Lisboa district", "mailing_postal_code": "1200-999"}
NAMES = {"V1": "João", "V2": "Maria", "V3": "Elena", "V4": "Nikolai", "V5": "Rosa", "V6": "Ram"}
SUMMARIES = {"C1": "wage records seized", "C2": "false permits", "C3": "collecting money", "C4": "notebook"}


def test_matrix_covers_every_demo_user_and_object():
    assert set(EXPECTED) == set(DEMO_USERS)
    for expected in EXPECTED.values():
        assert set(expected["case"]) == set(access.rule_for(Case).actions)
        assert set(expected["victim"]) == set(access.rule_for(Victim).actions)


def _cells(kind):
    keys = CASES if kind == "case" else VICTIMS
    actions = EXPECTED["investigator"][kind]
    return [(user, key, action) for user in DEMO_USERS for key in keys for action in actions]


@pytest.mark.parametrize("username,key,action", _cells("case"))
def test_policy_on_cases(demo, username, key, action):
    user, case = demo.user(username), demo.case(key)
    assert access.can(user, action, case) is (key in EXPECTED[username]["case"][action])


@pytest.mark.parametrize("username,key,action", _cells("victim"))
def test_policy_on_victims(demo, username, key, action):
    user, victim = demo.user(username), demo.victim(key)
    assert access.can(user, action, victim) is (key in EXPECTED[username]["victim"][action])


@pytest.mark.parametrize("username", DEMO_USERS)
def test_visible_querysets_agree_with_the_matrix(demo, username):
    user = demo.user(username)
    for action, keys in EXPECTED[username]["case"].items():
        refs = set(access.visible(user, Case, action).values_list("reference", flat=True))
        assert refs == {CASES[k] for k in keys}, action
    for action, keys in EXPECTED[username]["victim"].items():
        codes = set(access.visible(user, Victim, action).values_list("code", flat=True))
        assert codes == {VICTIMS[k] for k in keys}, action


@pytest.mark.parametrize("username", DEMO_USERS)
def test_case_pages(demo, login, username):
    client = login(username)
    expected = EXPECTED[username]["case"]
    for key in CASES:
        case = demo.case(key)
        page = client.get(f"/cases/{case.pk}/")
        edit = client.get(f"/cases/{case.pk}/edit/")
        if key not in expected["view"]:
            assert page.status_code == 404 and edit.status_code == 404, key
            continue
        assert page.status_code == 200, key
        html = page.content.decode()
        assert case.reference in html
        assert (SUMMARIES[key] in html) is (key in expected["view_investigation"]), key
        assert (f"/cases/{case.pk}/edit/" in html) is (key in expected["change"]), key
        assert edit.status_code == (200 if key in expected["change"] else 403), key


@pytest.mark.parametrize("username", DEMO_USERS)
def test_victim_pages(demo, login, username):
    client = login(username)
    expected = EXPECTED[username]["victim"]
    for key in VICTIMS:
        victim = demo.victim(key)
        page = client.get(f"/victims/{victim.pk}/")
        if key not in expected["view"]:
            assert page.status_code == 404, key
            continue
        assert page.status_code == 200, key
        html = page.content.decode()
        assert victim.code in html
        assert (NAMES[key] in html) is (key in expected["view_identity"]), key
        if key in SHELTERS:
            assert (escape(SHELTERS[key]) in html) is (key in expected["view_shelter"]), key
        if key == "V1":  # every identity field, not only the name
            assert ("+351 900 000 001" in html) is (key in expected["view_identity"])
            assert ("joao.silva@example.net" in html) is (key in expected["view_identity"])
            assert ("1994-05-17" in html) is (key in expected["view_identity"])
            for part in V1_ADDRESS.values():  # every part of the address, not only the street
                assert (escape(part) in html) is (key in expected["view_shelter"]), part


@pytest.mark.parametrize("username", DEMO_USERS)
def test_list_pages_show_exactly_the_users_share(login, username):
    client = login(username)
    expected = EXPECTED[username]
    for url, table, codes in [("/cases/", expected["case"]["view"], CASES), ("/victims/", expected["victim"]["view"], VICTIMS)]:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for key, label in codes.items():
            assert (label in html) is (key in table), (url, key)
    home = client.get("/").content.decode()
    for key, ref in CASES.items():
        assert (ref in home) is (key in expected["case"]["view"]), key
    for key, code in VICTIMS.items():
        assert (code in home) is (key in expected["victim"]["view"]), key


@pytest.mark.parametrize("username", DEMO_USERS)
def test_api(demo, api_login, username):
    client = api_login(username)
    expected = EXPECTED[username]
    listed = {row["reference"] for row in client.get("/api/cases/").json()["results"]}
    assert listed == {CASES[k] for k in expected["case"]["view"]}
    listed = {row["code"] for row in client.get("/api/victims/").json()["results"]}
    assert listed == {VICTIMS[k] for k in expected["victim"]["view"]}
    for key in CASES:
        case = demo.case(key)
        response = client.get(f"/api/cases/{case.pk}/")
        patch = client.patch(f"/api/cases/{case.pk}/", {"title": "Renamed", "version": case.version}, format="json")
        if key not in expected["case"]["view"]:
            assert response.status_code == 404 and patch.status_code == 404, key
            continue
        assert response.status_code == 200
        assert ("investigation_summary" in response.json()) is (key in expected["case"]["view_investigation"])
        assert patch.status_code == (200 if key in expected["case"]["change"] else 403), key
    for key in VICTIMS:
        victim = demo.victim(key)
        response = client.get(f"/api/victims/{victim.pk}/")
        if key not in expected["victim"]["view"]:
            assert response.status_code == 404, key
            continue
        identity = response.json()["identity"]
        assert (identity is not None) is (key in expected["victim"]["view_identity"]), key
        if identity is not None:
            assert NAMES[key] in identity["full_name"]
            shelter_expected = key in expected["victim"]["view_shelter"]
            assert (identity["shelter_location"] is not None) is shelter_expected, key
            if shelter_expected and key in SHELTERS:
                assert SHELTERS[key] in identity["shelter_location"]
            if key == "V1":
                assert identity["mobile_phone"] == "+351 900 000 001" and identity["date_of_birth"] == "1994-05-17"
                assert identity["email"] == "joao.silva@example.net"
                for name, value in {**V1_ADDRESS, "mailing_country": "PT"}.items():
                    assert identity[name] == (value if shelter_expected else None), name
        else:
            body = response.content.decode()
            assert "João" not in body and "+351" not in body and "1994-05-17" not in body
            assert "example.net" not in body and "Rua das Flores" not in body and "1200-999" not in body


def test_denials_are_logged_even_though_the_request_is_rolled_back(demo, login):
    clerk = login("clerk")
    restricted = demo.case("C2")
    hidden = clerk.get(f"/cases/{restricted.pk}/")
    assert hidden.status_code == 404 and "not allowed to see it" in hidden.content.decode()
    refused = clerk.get(f"/cases/{demo.case('C1').pk}/edit/")
    assert refused.status_code == 403 and "You are not allowed to edit the case." in refused.content.decode()
    denials = AccessLog.objects.filter(username="clerk", action=AccessLog.Action.DENIED).order_by("id")
    assert [(d.object_label, d.requested) for d in denials] == [
        (CASES["C2"], "view"), (CASES["C1"], "change"),
    ]
    assert denials[0].path == f"/cases/{restricted.pk}/"


def test_api_denials_are_logged(demo, api_login):
    case = demo.case("C1")
    api_login("focalpoint").patch(f"/api/cases/{case.pk}/", {"title": "x", "version": case.version}, format="json")
    entry = AccessLog.objects.get(username="focalpoint", action=AccessLog.Action.DENIED)
    assert (entry.object_label, entry.requested, entry.purpose) == (CASES["C1"], "change", "api")


def test_every_identity_view_is_logged_and_other_views_are_not(demo, login):
    victim = demo.victim("V1")
    login("caseworker").get(f"/victims/{victim.pk}/")
    login("clerk").get(f"/victims/{victim.pk}/")
    logged = AccessLog.objects.filter(action=AccessLog.Action.VIEW_IDENTITY, object_label=victim.code)
    assert list(logged.values_list("username", "purpose")) == [("caseworker", "victim page")]


def test_identity_reads_through_the_api_are_logged(demo, api_login):
    victim = demo.victim("V5")
    api_login("investigator.br").get(f"/api/victims/{victim.pk}/")
    assert AccessLog.objects.filter(
        username="investigator.br", action=AccessLog.Action.VIEW_IDENTITY, object_id=str(victim.pk), purpose="api"
    ).count() == 1


def test_anonymous_users_see_nothing(client, demo):
    assert client.get("/").status_code == 302
    assert client.get(f"/cases/{demo.case('C1').pk}/").status_code == 302
    assert client.get("/api/cases/").status_code in (401, 403)


def test_every_view_of_a_restricted_case_is_logged(demo, login, api_login):
    restricted, ordinary = demo.case("C2"), demo.case("C1")
    client = login("prosecutor")
    client.get(f"/cases/{restricted.pk}/")
    client.get(f"/cases/{ordinary.pk}/")
    api_login("prosecutor").get(f"/api/cases/{restricted.pk}/")
    views = AccessLog.objects.filter(action=AccessLog.Action.VIEW, username="prosecutor")
    assert list(views.order_by("id").values_list("object_label", "purpose")) == [
        (CASES["C2"], ""), (CASES["C2"], "api"),
    ]
