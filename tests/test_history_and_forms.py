"""History rows carry the acting user; bad or stale input is refused and writes nothing."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case


def form_data(case, **changes):
    """What the edit form posts back when nothing is changed, plus `changes`."""
    data = {
        "title": case.title, "jurisdiction": case.jurisdiction_id, "court": case.court_id or "",
        "opened_on": case.opened_on.isoformat(), "origin": case.origin, "investigation_type": case.investigation_type,
        "priority": case.priority, "exploitation_forms": case.exploitation_forms,
        "countries_of_origin": [c.code for c in case.countries_of_origin],
        "countries_of_transit": [c.code for c in case.countries_of_transit],
        "countries_of_destination": [c.code for c in case.countries_of_destination],
        "investigation_summary": case.investigation_summary, "version": case.version,
    }
    for flag in ("is_transnational", "parallel_financial_investigation"):
        if getattr(case, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def test_editing_a_case_in_the_browser_records_who_did_it(demo, login):
    case = demo.case("C1")
    version = case.version
    response = login("prosecutor").post(f"/cases/{case.pk}/edit/", form_data(case, title="Operation Harvest (renamed)"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "Operation Harvest (renamed)"
    assert case.version == version + 1
    latest = case.history.latest()
    assert latest.history_user.username == "prosecutor"
    assert latest.history_type == "~"
    assert latest.prev_record.title == "Operation Harvest: labour exploitation on farms"


def test_editing_through_the_api_with_a_token_records_who_did_it(demo):
    case = demo.case("C3")
    token = Token.objects.create(user=demo.user("investigator"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.patch(f"/api/cases/{case.pk}/", {"priority": "high", "version": case.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == case.version + 1
    assert case.history.latest().history_user.username == "investigator"


def test_a_stale_form_is_refused_and_nothing_is_written(demo, login):
    case = demo.case("C1")
    version = case.version
    client = login("prosecutor")
    assert client.post(f"/cases/{case.pk}/edit/", form_data(case, title="First edit")).status_code == 302
    stale = client.post(f"/cases/{case.pk}/edit/", form_data(case, title="Second edit, from an old page"))
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    case.refresh_from_db()
    assert (case.title, case.version) == ("First edit", version + 1)


def test_a_stale_api_update_is_refused(demo, api_login):
    case = demo.case("C1")
    client = api_login("prosecutor")
    read = {"version": case.version}
    assert client.patch(f"/api/cases/{case.pk}/", {"title": "A", **read}, format="json").status_code == 200
    response = client.patch(f"/api/cases/{case.pk}/", {"title": "B", **read}, format="json")
    assert response.status_code == 400
    assert "Someone else changed this record" in response.json()["version"][0]
    assert Case.objects.get(pk=case.pk).title == "A"


@pytest.mark.parametrize("changes,message", [
    ({"title": ""}, "This field is required."),
    ({"priority": "urgent-ish"}, "Select a valid choice."),
])
def test_bad_input_gets_a_clear_message_and_writes_nothing(demo, login, changes, message):
    case = demo.case("C1")
    before, version = case.history.count(), case.version
    response = login("prosecutor").post(f"/cases/{case.pk}/edit/", form_data(case, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert case.history.count() == before
    case.refresh_from_db()
    assert case.version == version


def test_api_bad_input_is_refused_with_a_message(demo, api_login):
    case = demo.case("C1")
    response = api_login("prosecutor").patch(
        f"/api/cases/{case.pk}/", {"priority": "urgent-ish", "version": case.version}, format="json"
    )
    assert response.status_code == 400
    assert "priority" in response.json()
    assert Case.objects.get(pk=case.pk).priority == "normal"


def test_demo_data_history_exists_for_every_domain_model(demo):
    from accounts.models import Agency, User
    from victims.models import Victim, VictimIdentity

    for model in (Agency, User, Case, Victim, VictimIdentity):
        assert model.history.exists(), model.__name__
