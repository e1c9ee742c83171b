import io

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from cases.models import Case
from victims.models import Victim

from . import factories

# Demo objects by short name (see accounts/management/commands/seed_demo.py).
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
