"""Ways around the access policy that a review found, each closed and kept closed."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import access
from accounts import services as account_services
from accounts.audit import client_address
from accounts.models import AccessLog, Agency
from cases import services as case_services
from cases.models import Case, CaseAgency, CaseAssignment
from victims import services as victim_services
from victims.models import Victim

from . import factories
from .conftest import CASES


@pytest.mark.django_db(transaction=True)
def test_api_token_logins_are_throttled(client):
    """Transactional: the failed attempts must survive the error responses' rollback."""
    user = factories.user(factories.agency("ngo"), "caseworker", username="guessed")
    user.set_password("the right password")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/api/token/", {"username": "guessed", "password": "guess"}).status_code == 400
    assert client.post("/api/token/", {"username": "guessed", "password": "guess"}).status_code == 429
    locked = client.post("/api/token/", {"username": "guessed", "password": "the right password"})
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"] and "token" not in locked.json()


def test_api_tokens_expire(demo):
    token = Token.objects.create(user=demo.user("judge"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/me/").status_code == 200
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS, minutes=1)
    )
    response = client.get("/api/me/")
    assert response.status_code in (401, 403) and "expired" in response.json()["detail"]


def test_a_new_token_replaces_the_old_one(client, db):
    first = client.post("/api/token/", {"username": "judge", "password": settings.DEMO_PASSWORD}).json()["token"]
    second = client.post("/api/token/", {"username": "judge", "password": settings.DEMO_PASSWORD}).json()["token"]
    assert first != second
    assert list(Token.objects.filter(user__username="judge").values_list("key", flat=True)) == [second]


def test_moving_a_user_to_another_agency_in_the_admin_moves_their_access(demo, login):
    supervisor = demo.user("supervisor")
    assert set(access.visible(supervisor, Case).values_list("reference", flat=True)) == {CASES["C1"]}
    ngo = Agency.objects.get(name="Casa Acolhida")
    admin = login("admin")
    form = admin.get(f"/admin/accounts/user/{supervisor.pk}/change/").content.decode()
    assert 'name="groups"' not in form and 'name="is_superuser"' not in form
    response = admin.post(f"/admin/accounts/user/{supervisor.pk}/change/", {
        "username": "supervisor", "first_name": "Miguel", "last_name": "Sousa", "email": "",
        "agency": ngo.pk, "functions": ["supervisor"], "is_active": "on",
        "training_records-TOTAL_FORMS": "0", "training_records-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    supervisor.refresh_from_db()
    agency_groups = set(supervisor.groups.filter(agency__isnull=False).values_list("agency__name", flat=True))
    assert agency_groups == {"Casa Acolhida"}
    assert set(access.visible(supervisor, Case).values_list("reference", flat=True)) == {CASES["C4"]}
    assert supervisor.history.latest().history_user.username == "admin"


def test_administrators_cannot_act_as_someone_else_or_widen_their_own_access(demo, login):
    admin = login("admin")
    assert admin.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert admin.get("/admin/auth/group/").status_code == 404
    me = demo.user("admin")
    page = admin.get(f"/admin/accounts/user/{me.pk}/change/").content.decode()
    assert 'name="functions" value="investigator"' in page and "disabled" in page.split('name="agency"')[1][:200]
    assert not me.is_superuser


def test_superusers_object_permissions_follow_the_policy(demo):
    root = demo.user("admin")
    root.is_superuser = True
    root.save()
    victim = demo.victim("V1")
    assert root.has_perm("accounts.view_agency")  # model permissions: Django's usual answer
    assert not root.has_perm("victims.view_victim_identity", victim)
    assert not root.has_perm("cases.view_case", demo.case("C1"))


def test_api_detail_ignores_filters_and_hidden_looks_like_missing(demo, api_login):
    clerk = api_login("clerk")
    hidden = demo.victim("V3")
    missing = clerk.get("/api/victims/99999999/")
    for query in ("", "?status=identified", "?status=potential", "?age_group=child"):
        response = clerk.get(f"/api/victims/{hidden.pk}/{query}")
        assert response.status_code == 404
        assert response.json() == missing.json()
    case = demo.case("C2")
    for stage in ("investigation", "trial"):
        assert clerk.get(f"/api/cases/{case.pk}/?stage={stage}").json() == clerk.get("/api/cases/99999999/").json()
    prosecutor = api_login("prosecutor")
    assert prosecutor.get(f"/api/cases/{case.pk}/?stage=trial").status_code == 200


def test_list_filters_still_work(api_login):
    rows = api_login("prosecutor").get("/api/cases/?stage=investigation").json()["results"]
    assert [row["reference"] for row in rows] == [CASES["C2"]]


def test_victim_pages_do_not_name_restricted_cases(demo, login):
    victim = demo.victim("V3")  # linked to the restricted C2 only
    victim_services.add_supporting_agency(victim, Agency.objects.get(name="Safe Harbour Association"))
    page = login("caseworker").get(f"/victims/{victim.pk}/").content.decode()
    assert victim.code in page
    assert CASES["C2"] not in page
    assert "the team of a case you cannot see" in page
    assert CASES["C2"] in login("prosecutor").get(f"/victims/{victim.pk}/").content.decode()


def test_restricted_cases_shown_in_lists_are_logged(demo, login, api_login):
    client = login("prosecutor")
    client.get("/")
    client.get("/cases/")
    client.get(f"/victims/{demo.victim('V3').pk}/")
    api_login("prosecutor").get("/api/cases/")
    rows = AccessLog.objects.filter(username="prosecutor", action=AccessLog.Action.VIEW, object_label=CASES["C2"])
    assert sorted(rows.values_list("purpose", flat=True)) == ["api", "home", "list", "victim page"]
    assert not AccessLog.objects.filter(object_label=CASES["C1"], action=AccessLog.Action.VIEW).exists()


def test_recorders_keep_a_victim_only_for_a_while_and_only_in_their_agency(demo):
    frontline, victim = demo.user("frontline"), demo.victim("V6")
    assert access.can(frontline, "view_identity", victim)
    Victim.objects.filter(pk=victim.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.VICTIM_RECORDER_ACCESS_DAYS + 1)
    )
    assert not access.can(frontline, "view", victim)
    Victim.objects.filter(pk=victim.pk).update(created_at=timezone.now())
    account_services.change_agency(user=frontline, agency=Agency.objects.get(name="Judicial Police – Anti-Trafficking Unit"))
    assert not access.can(frontline, "view", victim)


def test_a_form_loaded_before_a_restriction_cannot_undo_it(demo, login):
    from .test_history_and_forms import form_data

    case = demo.case("C1")
    form = form_data(case)
    case_services.set_restricted(case, True)
    response = login("prosecutor").post(f"/cases/{case.pk}/edit/", {**form, "title": "Edited"})
    assert "Someone else changed this record" in response.content.decode()
    case.refresh_from_db()
    assert case.is_restricted and case.title != "Edited"
    assert not access.can(demo.user("clerk"), "view", case)


def test_unlinking_a_victim_withdraws_the_access_that_came_from_the_case(demo):
    victim, case, clerk = demo.victim("V1"), demo.case("C1"), demo.user("clerk")
    assert access.can(clerk, "view", victim)
    victim_services.unlink_from_case(victim.case_links.get(case=case))
    assert not access.can(clerk, "view", victim)
    assert not access.can(demo.user("prosecutor"), "view_identity", victim)  # was on the case team
    assert access.can(demo.user("caseworker"), "view_identity", victim)  # the NGO still supports


def test_deleting_facts_outside_the_services_still_updates_grants(demo):
    case = demo.case("C1")
    CaseAgency.objects.get(case=case, role=CaseAgency.Role.COURT).delete()
    assert not access.can(demo.user("clerk"), "view", case)
    assert access.can(demo.user("judge"), "view", case)  # still on the team
    case.assignments.get(team_role=CaseAssignment.TeamRole.JUDGE).delete()
    assert not access.can(demo.user("judge"), "view", case)
    team = case.team_group_id
    victim = demo.victim("V1")
    case.delete()
    assert not Group.objects.filter(pk=team).exists()
    assert not access.can(demo.user("focalpoint"), "view", victim)


def test_a_closed_agency_keeps_no_access(demo):
    Agency.objects.filter(name="Lisbon Criminal Court").update(is_active=False)
    assert not access.visible(demo.user("clerk"), Case).exists()
    assert not access.visible(demo.user("judge"), Victim).exists()


def test_assignments_cannot_start_in_the_future(demo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        case_services.assign(demo.case("C4"), demo.user("caseworker.br"), CaseAssignment.TeamRole.VICTIM_REPRESENTATIVE,
                             started_on=timezone.localdate() + datetime.timedelta(days=3))


def test_the_access_log_keeps_no_query_strings(demo, login):
    login("clerk").get(f"/cases/{demo.case('C2').pk}/?q=Jo%C3%A3o+Silva")
    entry = AccessLog.objects.get(username="clerk", action=AccessLog.Action.DENIED)
    assert entry.path == f"/cases/{demo.case('C2').pk}/"


def test_client_address_behind_a_trusted_proxy():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "10.0.0.2"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_address(request) == "203.0.113.7"  # the forged first entry is ignored
