"""The declared capabilities of the access policy [SPEC 3]: what a person's function lets them
do that concerns no one object (open a case, move a stage, record a victim, refer without
consent, the dashboards, the access log). Every function against every capability, the
denials included; a capability declared without a row here fails."""

import pytest

import access
from accounts.functions import Function as F

from . import factories

EXPECTED = {
    "open_case": {F.INVESTIGATOR, F.PROSECUTOR},
    "move_investigation": {F.INVESTIGATOR, F.PROSECUTOR},
    "move_prosecution": {F.PROSECUTOR},
    "record_victim": {F.FRONTLINE, F.INVESTIGATOR, F.PROSECUTOR, F.CASEWORKER},
    "override_consent": {F.INVESTIGATOR, F.PROSECUTOR},
    "see_prosecutor_dashboard": {F.PROSECUTOR},
    "see_supervisor_dashboard": {F.SUPERVISOR},
    "read_access_log": {F.AUDITOR},
}


def test_every_declared_capability_is_in_the_matrix():
    assert set(access.registry.capabilities()) == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("function", list(F))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_function_against_each_capability(name, function):
    person = factories.user(factories.agency(), function)
    assert access.may(person, name) is (function in EXPECTED[name])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nobody_whose_access_ended_holds_a_capability(name):
    """A closed agency's people, a deactivated account and the anonymous hold none."""
    from django.contrib.auth.models import AnonymousUser

    functions = sorted(EXPECTED[name])
    closed = factories.agency()
    closed.is_active = False
    closed.save()
    deactivated = factories.user(factories.agency(), *functions)
    deactivated.is_active = False
    assert not access.may(factories.user(closed, *functions), name)
    assert not access.may(deactivated, name)
    assert not access.may(AnonymousUser(), name)


@pytest.mark.django_db
def test_opening_cases_and_recording_victims_are_done_for_an_agency():
    from accounts.models import User

    alone = User.objects.create_user("no-agency", password="x", functions=[F.INVESTIGATOR])
    assert not access.may(alone, "open_case")
    assert not access.may(alone, "record_victim")
    assert access.may(alone, "override_consent")  # a question of function only


def test_an_undeclared_capability_is_an_error_not_a_refusal():
    with pytest.raises(LookupError):
        access.may(None, "launch_missiles")
