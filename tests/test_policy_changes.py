"""Access follows the facts: assignments, restrictions, exclusions, supporting agencies."""

import pytest
from django.core.exceptions import ValidationError

import access
from accounts import services as account_services
from cases import services as case_services
from cases.models import CaseAgency, CaseAssignment
from victims import services as victim_services
from victims.models import VictimCaseLink

from . import factories


@pytest.fixture
def world(db):
    police = factories.agency("police")
    prosecution = factories.agency("prosecution")
    ngo = factories.agency("ngo")
    people = {
        "investigator": factories.user(police, "investigator"),
        "colleague": factories.user(police, "investigator"),
        "prosecutor": factories.user(prosecution, "prosecutor"),
        "other_prosecutor": factories.user(prosecution, "prosecutor"),
        "caseworker": factories.user(ngo, "caseworker"),
    }
    case = factories.case(people["investigator"], agencies=[(prosecution, CaseAgency.Role.PROSECUTING)])
    victim = factories.victim(people["investigator"], supporting_agencies=[ngo])
    victim_services.link_to_case(victim, case, VictimCaseLink.Role.VICTIM_WITNESS)
    return people, case, victim


def test_opening_a_case_gives_the_openers_agency_access(world):
    people, case, _victim = world
    assert access.can(people["colleague"], "view", case)
    assert access.can(people["colleague"], "change", case)
    assert access.can(people["prosecutor"], "view", case)


def test_assignment_grants_identity_and_ending_it_revokes(world):
    people, case, victim = world
    prosecutor = people["prosecutor"]
    assert access.can(prosecutor, "view", victim)
    assert not access.can(prosecutor, "view_identity", victim)
    assignment = case_services.assign(case, prosecutor, CaseAssignment.TeamRole.PROSECUTOR)
    prosecutor = type(prosecutor).objects.get(pk=prosecutor.pk)
    assert access.can(prosecutor, "view_identity", victim)
    case_services.end_assignment(assignment, reason="Moved to another office")
    prosecutor = type(prosecutor).objects.get(pk=prosecutor.pk)
    assert not access.can(prosecutor, "view_identity", victim)
    assert access.can(prosecutor, "view", victim)  # still through the prosecution office


def test_a_handover_needs_a_reason_and_writes_nothing_without_one(world):
    people, case, _victim = world
    case_services.assign(case, people["prosecutor"], CaseAssignment.TeamRole.PROSECUTOR)
    with pytest.raises(ValidationError, match="needs a reason"):
        case_services.assign(case, people["other_prosecutor"], CaseAssignment.TeamRole.PROSECUTOR)
    prosecutors = case.assignments.filter(team_role=CaseAssignment.TeamRole.PROSECUTOR)
    assert list(prosecutors.values_list("user__username", "ended_on")) == [(people["prosecutor"].username, None)]
    case_services.assign(case, people["other_prosecutor"], CaseAssignment.TeamRole.PROSECUTOR, reason="Leave")
    holders = prosecutors.order_by("id").values_list("user_id", "ended_on", "reason")
    assert [(u, e is not None, r) for u, e, r in holders] == [
        (people["prosecutor"].pk, True, "Leave"), (people["other_prosecutor"].pk, False, ""),
    ]
    # the opener holds the case as lead investigator from inception
    assert set(case.team_group.user_set.all()) == {people["other_prosecutor"], people["investigator"]}


def test_restricting_a_case_withdraws_agency_access_but_keeps_the_team(world):
    people, case, victim = world
    case_services.assign(case, people["investigator"], CaseAssignment.TeamRole.LEAD_INVESTIGATOR)
    case_services.set_restricted(case, True)
    assert access.can(people["investigator"], "view", case)
    assert not access.can(people["colleague"], "view", case)
    assert not access.can(people["prosecutor"], "view", case)
    assert not access.can(people["prosecutor"], "view", victim)
    assert access.can(people["caseworker"], "view", victim)  # the supporting NGO keeps its victim
    case_services.set_restricted(case, False)
    assert access.can(people["colleague"], "view", case)


def test_exclusion_beats_every_grant(world):
    people, case, victim = world
    investigator = people["investigator"]
    case_services.assign(case, investigator, CaseAssignment.TeamRole.LEAD_INVESTIGATOR)
    case_services.exclude_from_case(case, investigator, reason="Conflict of interest", actor=people["prosecutor"])
    for action in ("view", "change", "view_investigation"):
        assert not access.can(investigator, action, case)
    for action in ("view", "change", "view_identity"):
        assert not access.can(investigator, action, victim)  # recorded it, but the exclusion wins
    assert access.can(people["colleague"], "view", case)


def test_exclusion_needs_a_reason(world):
    people, case, _victim = world
    with pytest.raises(ValidationError):
        case_services.exclude_from_case(case, people["colleague"], reason=" ", actor=people["investigator"])
    assert not case.exclusions.exists()


def test_ending_support_removes_the_ngos_access(world):
    people, _case, victim = world
    assert access.can(people["caseworker"], "view_shelter", victim)
    victim_services.end_support(victim.supports.get())
    for action in ("view", "view_identity", "view_shelter"):
        assert not access.can(people["caseworker"], action, victim)


def test_moving_to_another_agency_moves_access(world):
    people, case, _victim = world
    colleague = people["colleague"]
    account_services.change_agency(user=colleague, agency=factories.agency("police"))
    assert not access.can(colleague, "view", case)


def test_inactive_users_and_users_without_functions_see_nothing(world):
    people, case, victim = world
    colleague = people["colleague"]
    colleague.is_active = False
    assert not access.visible(colleague, type(case)).exists()
    colleague.is_active, colleague.functions = True, []
    assert not access.visible(colleague, type(case)).exists()
    assert not access.visible(colleague, type(victim)).exists()


def test_superusers_get_no_case_content(world):
    people, case, _victim = world
    root = factories.user(None, username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    assert not access.visible(root, type(case)).exists()


def test_has_perm_goes_through_the_policy(world):
    people, case, victim = world
    assert people["colleague"].has_perm("cases.change_case", case)
    assert not people["caseworker"].has_perm("cases.change_case", case)
    assert people["caseworker"].has_perm("victims.view_shelter_location", victim)
    assert not people["investigator"].has_perm("victims.view_shelter_location", victim)


def test_grants_are_held_by_groups_only(world):
    from cases.models import CaseUserObjectPermission
    from guardian.models import GroupObjectPermission, UserObjectPermission
    from victims.models import VictimUserObjectPermission

    _people, case, _victim = world
    assert case.group_grants.exists()
    for model in (CaseUserObjectPermission, VictimUserObjectPermission, UserObjectPermission, GroupObjectPermission):
        assert not model.objects.exists(), model.__name__


def test_rebuilding_grants_changes_nothing(world):
    from django.core.management import call_command

    _people, case, victim = world
    before = (set(case.group_grants.values_list("group_id", "permission_id")),
              set(victim.group_grants.values_list("group_id", "permission_id")))
    call_command("rebuild_grants", stdout=__import__("io").StringIO())
    after = (set(case.group_grants.values_list("group_id", "permission_id")),
             set(victim.group_grants.values_list("group_id", "permission_id")))
    assert before == after
