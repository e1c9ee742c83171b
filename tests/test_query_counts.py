"""List pages and API lists run the same number of queries for 5 rows as for 50."""

from django.test import Client
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def count_queries(user, url, api=False):
    if api:
        client = APIClient()
        client.force_authenticate(user)
    else:
        client = Client()
        factories.log_in(client, user)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


URLS = [("/", False), ("/cases/", False), ("/victims/", False), ("/api/cases/", True), ("/api/victims/", True)]


def test_query_count_does_not_grow_with_rows(db):
    police, ngo = factories.agency("police"), factories.agency("ngo")
    people = [factories.user(police, "investigator"), factories.user(ngo, "caseworker")]
    build(5, police, ngo, people[0])
    small = {(user.pk, url): count_queries(user, url, api)[0] for user in people for url, api in URLS}
    build(45, police, ngo, people[0])
    for user in people:
        for url, api in URLS:
            count, response = count_queries(user, url, api)
            assert count == small[user.pk, url], (user.functions, url, small[user.pk, url], count)
            assert count <= 12, (url, count)
            if api:
                assert response.json()["count"] == 50
            elif url != "/":
                assert response.content.decode().count("<tr>") - 1 == 50  # one header row


def test_detail_pages_ask_the_policy_once(demo, login):
    """The object and every right on it come in one query, however many the page asks."""
    client = login("prosecutor")
    case = demo.case("C1")
    client.get(f"/cases/{case.pk}/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    grant_queries = [q["sql"] for q in queries.captured_queries if "groupobjectpermission" in q["sql"]]
    # the object with its rights, the victims on it, the notes the user may read, and the "who
    # can see this" panel (its grants, then which of the case teams named there the user may see),
    # and one each for the hearings, deadlines and protection orders panels
    assert len(grant_queries) == 8, grant_queries
    assert len(queries) <= 30, len(queries)
