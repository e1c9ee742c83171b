import io
import sys

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from cases.models import Case
from victims.models import Victim

from . import factories

# Demo objects by short name (see demo/management/commands/seed_demo.py).
CASES = {
    "C1": "PT-LIS-2026-0001",  # multi-agency, NGO-supported, focal point coordinating
    "C2": "PT-LIS-2026-0002",  # restricted: public official; team = prosecutor only
    "C3": "PT-LIS-2026-0003",  # child victim; supervisor excluded
    "C4": "BR-SP-2026-0001",  # the other country
    # Handled by agencies no demo login belongs to; the focal point coordinates them.
    "C5": "PT-SNT-2026-0001",  # transnational, overdue cooperation request, order violated
    "C6": "PT-SNT-2026-0002",  # transnational, referrals, a missed deadline
}
VICTIMS = {
    "V1": "V-DM7K2QXP",  # C1, supported by Safe Harbour
    "V2": "V-DM4HN8TB",  # C1, supported by Safe Harbour
    "V3": "V-DM9RWC3F",  # C2 (restricted), no NGO
    "V4": "V-DM2PLX6G",  # C3, child, supported by Safe Harbour
    "V5": "V-DM8VZS5J",  # C4, supported by Casa Acolhida
    "V6": "V-DM3TQF7C",  # no case, recorded by the labour inspector
}
DEMO_USERS = [
    "investigator", "frontline", "prosecutor", "supervisor", "clerk", "judge", "caseworker",
    "focalpoint", "auditor", "admin", "investigator.br", "caseworker.br",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo world is loaded once; each test runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo(db):
    class Demo:
        def user(self, username):
            return User.objects.get(username=username)

        def case(self, key):
            return Case.objects.get(reference=CASES[key])

        def victim(self, key):
            return Victim.objects.get(code=VICTIMS[key])

    return Demo()


@pytest.fixture
def login(db):
    """login("prosecutor") -> a Django test client logged in as that user."""

    def make(username):
        client = Client()
        factories.log_in(client, User.objects.get(username=username))
        return client

    return make


@pytest.fixture
def api_login(db):
    def make(username):
        client = APIClient()
        client.force_authenticate(User.objects.get(username=username))
        return client

    return make


class QueryCounter:
    """The suite's one way of counting queries, on pytest-django's django_assert_num_queries and
    django_assert_max_num_queries: a failure says how many were expected and run (and lists
    them under -v).

        count, response = count_queries(client, url)        # the second of two GETs; 200 or fail
        count_queries(client, url, exactly=n)               # ... and fails unless it ran n queries
        with count_queries.capture(at_most=n) as queries:   # any block; len(queries),
            ...                                             # queries.captured_queries
    """

    def __init__(self, exactly, at_most):
        self._exactly, self._at_most = exactly, at_most

    def capture(self, *, exactly=None, at_most=None, info=None):
        if exactly is not None and at_most is not None:
            raise TypeError("exactly or at_most, not both")
        if exactly is not None:
            return self._exactly(exactly, info=info)
        # Without a bound the block is only counted: no run reaches sys.maxsize queries.
        return self._at_most(sys.maxsize if at_most is None else at_most, info=info)

    def __call__(self, client, url, data=None, *, exactly=None, at_most=None, info=None):
        """The queries of a GET of `url` asked the second time (the first warms the caches:
        content types, the session), which must answer 200: (count, response)."""
        client.get(url, data)
        with self.capture(exactly=exactly, at_most=at_most, info=info or url) as queries:
            response = client.get(url, data)
        assert response.status_code == 200, url
        return len(queries), response


@pytest.fixture
def count_queries(django_assert_num_queries, django_assert_max_num_queries):
    return QueryCounter(django_assert_num_queries, django_assert_max_num_queries)
