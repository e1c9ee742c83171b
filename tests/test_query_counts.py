"""List pages and API lists run the same number of queries for 5 rows as for 50."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.models import CaseAgency, CaseAssignment
from cases import services as case_services
from victims import services as victim_services
from victims.models import VictimCaseLink

from . import factories


def build(rows, police, ngo, investigator):
    for _ in range(rows):
        case = factories.case(investigator, agencies=[(ngo, CaseAgency.Role.SUPPORTING)])
        case_services.assign(case, investigator, CaseAssignment.TeamRole.LEAD_INVESTIGATOR)
        victim = factories.victim(investigator, supporting_agencies=[ngo])
        victim_services.link_to_case(victim, case, VictimCaseLink.Role.COMPLAINANT)


def client_of(user, api=False):
    if api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        factories.log_in(client, user)
    return client


URLS = [("/", False), ("/cases/", False), ("/victims/", False), ("/api/cases/", True), ("/api/victims/", True)]


def test_query_count_does_not_grow_with_rows(db, count_queries):
    police, ngo = factories.agency("police"), factories.agency("ngo")
    people = [factories.user(police, "investigator"), factories.user(ngo, "caseworker")]
    build(5, police, ngo, people[0])
    small = {(user.pk, url): count_queries(client_of(user, api), url)[0] for user in people for url, api in URLS}
    build(45, police, ngo, people[0])
    for user in people:
        for url, api in URLS:
            count, response = count_queries(client_of(user, api), url)
            assert count == small[user.pk, url], (user.functions, url, small[user.pk, url], count)
            assert count <= 12, (url, count)
            if api:
                assert response.json()["count"] == 50
            elif url != "/":
                assert response.content.decode().count("<tr>") - 1 == 50  # one header row


def test_detail_pages_ask_the_policy_once(demo, login, count_queries):
    """The object and every right on it come in one query, however many the page asks."""
    client = login("prosecutor")
    case = demo.case("C1")
    client.get(f"/cases/{case.pk}/")
    with count_queries.capture(at_most=30) as queries:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    grant_queries = [q["sql"] for q in queries.captured_queries if "groupobjectpermission" in q["sql"]]
    # the object with its rights, the victims on it, the notes the user may read, and the "who
    # can see this" panel (its grants, then which of the case teams named there the user may see),
    # and one each for the hearings, deadlines and protection orders panels
    assert len(grant_queries) == 8, grant_queries


def test_the_shared_counter_fails_a_block_that_runs_another_number_of_queries(db, count_queries):
    from accounts.models import User

    with count_queries.capture(exactly=1) as queries:
        list(User.objects.all())
    assert len(queries) == 1
    with pytest.raises(pytest.fail.Exception, match="Expected to perform 0 queries but 1 was done"):
        with count_queries.capture(exactly=0):
            list(User.objects.all())
    with pytest.raises(pytest.fail.Exception, match="Expected to perform 0 queries or less but 1 was done"):
        with count_queries.capture(at_most=0):
            list(User.objects.all())
