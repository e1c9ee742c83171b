"""One filter per list: each list page reads its parameters through the FilterSet of its API
list, so the page and the API answer the same rows to the same parameters, combined too. A
value the filters refuse (an unknown choice, a NUL byte, a word where a number goes) is a 400
naming the parameter on the API, and on the page a message at that filter, the list answered
as without it (200): never a 500."""

import re

import pytest

from accounts.models import AccessLog


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
