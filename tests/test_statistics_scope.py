"""The aggregate right's victim condition [SPEC 2.8]: AggregateScope.victims (victims.access VictimRule.in_jurisdictions), rewritten so
PostgreSQL reads the links of a victim recorded elsewhere instead of hashing every link of the
jurisdictions, selects exactly the victims the plain condition does ("recorded by an agency of
the jurisdictions, or linked to one of their cases"), from the victim and through a path."""

import pytest
from django.db.models import Q

import access
from accounts.models import Agency, Jurisdiction
from referrals.models import Referral
from victims import services as victim_services
from victims.models import Gender, StatusDecision, Victim, VictimCaseLink

from . import factories
from .test_statistics_indicators import World


def plainly(jurisdictions, path=""):
    """The condition as the right states it, read literally: an uncorrelated IN of every link."""
    prefix = f"{path}__" if path else ""
    linked = VictimCaseLink.objects.filter(case__jurisdiction__in=jurisdictions).values("victim_id")
    return Q(**{f"{prefix}recording_agency__jurisdiction__in": jurisdictions}) | Q(**{f"{prefix}pk__in": linked})


@pytest.fixture
def places(demo):
    """Two districts of one country, an agency of none, and a victim of each kind."""
    here, there = World("Scope district"), World("Elsewhere district")
    nowhere = Agency.objects.create(name="Agency of no jurisdiction", kind="police", country="PT")
    stray = factories.user(nowhere, "investigator")
    here_case, there_case = here.case("2026-01-02", []), there.case("2026-01-02", [])
    victims = {}

    def victim(name, by, *cases):
        victims[name] = factories.victim(by, sex=Gender.FEMALE)
        for case in cases:
            victim_services.link_to_case(victims[name], case, "victim_witness")
        victim_services.set_status(victims[name], "presumed", actor=here.investigator, authority="Police",
                                   criteria="Indicators observed")

    victim("recorded here", here.investigator)
    victim("recorded here, linked there", here.investigator, there_case)
    victim("recorded there, linked here", there.investigator, here_case)
    victim("recorded there, linked there", there.investigator, there_case)
    victim("recorded there, linked both", there.investigator, there_case, here_case)
    victim("recorded there", there.investigator)
    victim("recorded by no jurisdiction, linked here", stray, here_case)
    victim("recorded by no jurisdiction", stray)
    here.victims, here.focal = victims, demo.user("focalpoint")
    return here


def test_a_district_counts_whom_it_recorded_or_whose_case_it_holds(places):
    scope = access.aggregate_scope(places.focal, jurisdiction=places.jurisdiction)
    mine = {name for name, victim in places.victims.items() if Victim.objects.filter(scope.victims(), pk=victim.pk)}
    assert mine == {"recorded here", "recorded here, linked there", "recorded there, linked here",
                    "recorded there, linked both", "recorded by no jurisdiction, linked here"}


@pytest.mark.parametrize("one_district", [True, False])
def test_the_victim_condition_selects_what_the_plain_one_does(places, one_district):
    jurisdiction = places.jurisdiction if one_district else None
    scope = access.aggregate_scope(places.focal, jurisdiction=jurisdiction)
    jurisdictions = access.aggregated_jurisdictions(places.focal)
    if one_district:
        jurisdictions = Jurisdiction.objects.filter(pk=places.jurisdiction.pk)
    for model, path in [(Victim, ""), (StatusDecision, "victim"), (Referral, "victim")]:
        chosen = set(model.objects.filter(scope.victims(path)).values_list("pk", flat=True))
        assert chosen == set(model.objects.filter(plainly(jurisdictions, path)).values_list("pk", flat=True)), model
    everyone = set(Victim.objects.values_list("pk", flat=True))
    outside = everyone - set(Victim.objects.filter(scope.victims()).values_list("pk", flat=True))
    assert places.victims["recorded by no jurisdiction"].pk in outside
    assert places.victims["recorded there, linked here"].pk not in outside
