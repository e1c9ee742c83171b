"""Grants are a function of the facts (SPEC 3; access/grants.py, cases/grants.py, victims/grants.py, referrals/grants.py): a rebuild restores
exactly what the facts give, whatever was lost or added by hand, in a fixed number of
statements however many cases and victims there are; one case re-syncs in a fixed number
whatever its number of victims."""

import io

from django.core.management import call_command

from accounts.models import User
from access import grants
from cases.grants import sync_case_grants
from cases.models import Case, CaseAgency, CaseGroupObjectPermission
from victims import services as victim_services
from victims.models import VictimCaseLink, VictimGroupObjectPermission

from . import factories


def _state():
    return (
        set(CaseGroupObjectPermission.objects.values_list("content_object_id", "group_id", "permission_id")),
        set(VictimGroupObjectPermission.objects.values_list("content_object_id", "group_id", "permission_id")),
        set(User.groups.through.objects.values_list("user_id", "group_id")),
    )


def test_a_rebuild_restores_exactly_what_the_facts_give(demo):
    before = _state()
    assert all(before)
    restricted = demo.case("C2")
    outsider = demo.user("investigator.br")
    # Lost grants and memberships, and some that no fact gives.
    CaseGroupObjectPermission.objects.filter(pk__in=list(CaseGroupObjectPermission.objects.values_list("pk", flat=True))[::2]).delete()
    VictimGroupObjectPermission.objects.filter(pk__in=list(VictimGroupObjectPermission.objects.values_list("pk", flat=True))[::3]).delete()
    view_case = grants.permission_ids(Case, ["view_case"])["view_case"]
    CaseGroupObjectPermission.objects.create(content_object=restricted, group=outsider.agency.group,
                                             permission_id=view_case)
    User.groups.through.objects.filter(group__case_team__isnull=False)[:1].get().delete()
    outsider.groups.add(demo.user("prosecutor").agency.group)
    out = io.StringIO()
    call_command("rebuild_grants", stdout=out)
    assert _state() == before
    assert "Grants rebuilt" in out.getvalue() and "case grants" in out.getvalue()
    # In step now: a second rebuild changes nothing.
    assert all(change == (0, 0) for change in grants.rebuild_all().values())


def test_a_rebuild_costs_the_same_statements_whatever_the_size(demo, count_queries):
    with count_queries.capture() as small:
        grants.rebuild_all()
    prosecutor = demo.user("prosecutor")
    for _ in range(15):
        case = factories.case(prosecutor, agencies=[(prosecutor.agency, CaseAgency.Role.PROSECUTING)])
        victim = factories.victim(prosecutor)
        victim_services.link_to_case(victim, case, VictimCaseLink.Role.VICTIM_WITNESS)
    with count_queries.capture() as large:
        grants.rebuild_all()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_one_case_resyncs_in_the_same_statements_whatever_its_victims(demo, count_queries):
    investigator = demo.user("investigator")

    def resync_queries(victims):
        case = factories.case(investigator)
        for _ in range(victims):
            victim_services.link_to_case(factories.victim(investigator), case, VictimCaseLink.Role.VICTIM_WITNESS)
        with count_queries.capture() as queries:
            sync_case_grants(case)
        return len(queries.captured_queries)

    assert resync_queries(1) == resync_queries(12)
