"""Every demo user against every new kind of object and action (hearings, witnesses, special
measures, judges' absences, protection orders, violations, order events, deadlines), through
the access policy: each granted cell and each denial, and list filtering agrees with can()."""

import datetime

import pytest
from django.utils import timezone

import access
from cases.models import Defendant
from deadlines.models import Deadline
from hearings.models import Hearing, HearingWitness, JudgeUnavailability, SpecialMeasure
from protection.models import OrderEvent, ProtectionOrder, Violation
from referrals.models import Referral

from .conftest import DEMO_USERS

EVERYONE = set(DEMO_USERS)
NOBODY = set()
C1_READERS = {"investigator", "prosecutor", "supervisor", "clerk", "judge", "caseworker", "focalpoint"}
PROCEEDINGS = {"investigator", "prosecutor", "supervisor", "clerk", "judge"}
SCHEDULERS_C1 = {"prosecutor", "supervisor", "clerk", "judge"}
ORDER_READERS = PROCEEDINGS | {"caseworker"}
ORDER_KEEPERS = PROCEEDINGS
# Listed in a coordination report: the focal point (every unrestricted case of its country, and
# what belongs to no case of its country's agencies) and the supervisor (what they see).
COORDINATING = {"focalpoint", "supervisor"}
# A deadline of no case (a victim's permit, a referral's answer) is counted for the agency that
# holds it: the focal point covers every agency of its country, a supervisor only their own.

# object name -> action -> who may
EXPECTED = {
    "trial day (C1)": {"view": C1_READERS, "change": SCHEDULERS_C1, "view_witnesses": ORDER_READERS,
                       "coordinate": COORDINATING},
    # Restricted: only its team (the prosecutor); the court's staff are not on it.
    "hearing in restricted C2": {"view": {"prosecutor"}, "change": {"prosecutor"}, "view_witnesses": {"prosecutor"},
                                 "coordinate": NOBODY},
    # Child case; the supervisor is excluded; Safe Harbour supports the child (V4).
    "hearing in child case C3": {"view": {"investigator", "prosecutor", "caseworker", "clerk", "judge"},
                                 "change": {"prosecutor", "clerk", "judge"},
                                 "view_witnesses": {"investigator", "prosecutor", "caseworker", "clerk", "judge"},
                                 "coordinate": {"focalpoint"}},
    "witness V1 at the trial day": {"view": ORDER_READERS, "change": SCHEDULERS_C1, "coordinate": COORDINATING},
    "special measure of V2": {"view": ORDER_READERS, "change": SCHEDULERS_C1, "coordinate": COORDINATING},
    "judge's leave": {"view": {"clerk", "judge"}, "change": {"clerk", "judge"}},
    "no-contact order for V2": {"view": ORDER_READERS, "change": ORDER_KEEPERS, "report_violation": ORDER_READERS,
                                "coordinate": COORDINATING},
    "order issued event": {"view": ORDER_READERS, "change": ORDER_KEEPERS, "coordinate": COORDINATING},
    "violation of the order": {"view": ORDER_READERS, "change": ORDER_KEEPERS, "coordinate": COORDINATING},
    "disclosure deadline (C1)": {"view": C1_READERS, "change": {"investigator", "prosecutor", "supervisor"},
                                 "coordinate": COORDINATING},
    "detention limit (defendant in C1)": {"view": PROCEEDINGS, "change": {"investigator", "prosecutor"},
                                          "coordinate": COORDINATING},
    "order review deadline": {"view": ORDER_READERS, "change": ORDER_KEEPERS, "coordinate": COORDINATING},
    "permit expiry (V2)": {"view": C1_READERS, "change": {"investigator", "prosecutor", "caseworker"},
                           "coordinate": {"focalpoint"}},
    "referral answer (V6 to Safe Harbour)": {"view": {"frontline", "caseworker"}, "change": {"caseworker"},
                                             "coordinate": {"focalpoint"}},
}


@pytest.fixture
def objects(demo):
    c1, c2, c3 = demo.case("C1"), demo.case("C2"), demo.case("C3")
    trial = Hearing.objects.get(case=c1, status=Hearing.Status.SCHEDULED)
    court = trial.court
    start = timezone.now() + datetime.timedelta(days=3)
    restricted = Hearing.objects.create(case=c2, kind=Hearing.Kind.PRELIMINARY, court=court, starts_at=start)
    child = Hearing.objects.create(case=c3, kind=Hearing.Kind.DEPOSITION, court=court, starts_at=start)
    order = ProtectionOrder.objects.get(victim=demo.victim("V2"))
    violation = Violation.objects.create(order=order, occurred_at=timezone.now(), description="Phoned her.",
                                         reported_by=demo.user("caseworker"))
    ramos = Defendant.objects.get(case=c1, name="António Ramos")
    return {
        "trial day (C1)": trial,
        "hearing in restricted C2": restricted,
        "hearing in child case C3": child,
        "witness V1 at the trial day": HearingWitness.objects.get(hearing=trial, victim=demo.victim("V1")),
        "special measure of V2": SpecialMeasure.objects.filter(witness__victim=demo.victim("V2")).first(),
        "judge's leave": JudgeUnavailability.objects.get(judge=demo.user("judge")),
        "no-contact order for V2": order,
        "order issued event": OrderEvent.objects.get(order=order, kind=OrderEvent.Kind.ISSUED),
        "violation of the order": violation,
        "disclosure deadline (C1)": Deadline.objects.get(kind=Deadline.Kind.DISCLOSURE, case=c1),
        "detention limit (defendant in C1)": Deadline.objects.get(kind=Deadline.Kind.PRE_TRIAL_DETENTION,
                                                                  defendant=ramos),
        "order review deadline": Deadline.objects.get(kind=Deadline.Kind.ORDER_REVIEW, protection_order=order),
        "permit expiry (V2)": Deadline.objects.get(kind=Deadline.Kind.PERMIT_EXPIRY, victim=demo.victim("V2")),
        "referral answer (V6 to Safe Harbour)": Deadline.objects.get(
            kind=Deadline.Kind.REFERRAL_RESPONSE, referral=Referral.objects.get(victim=demo.victim("V6"))),
    }


def test_matrix_names_every_action_of_every_new_rule(objects):
    for name, obj in objects.items():
        assert set(EXPECTED[name]) == set(access.rule_for(obj).actions), name
    covered = {type(obj) for obj in objects.values()}
    assert covered == {Hearing, HearingWitness, SpecialMeasure, JudgeUnavailability, ProtectionOrder, OrderEvent,
                       Violation, Deadline}


CELLS = [(name, action) for name, actions in EXPECTED.items() for action in actions]


@pytest.mark.parametrize("name,action", CELLS, ids=[f"{n}:{a}" for n, a in CELLS])
def test_who_may(objects, demo, name, action):
    obj = objects[name]
    allowed = {username for username in DEMO_USERS if access.can(demo.user(username), action, obj)}
    assert allowed == EXPECTED[name][action]
    # The list query answers the same as the single-object question.
    listed = {username for username in DEMO_USERS
              if access.visible(demo.user(username), type(obj).objects.filter(pk=obj.pk), action).exists()}
    assert listed == allowed


def test_a_deactivated_user_and_a_closed_agency_see_none_of_it(objects, demo):
    prosecutor = demo.user("prosecutor")
    prosecutor.is_active = False
    assert not any(access.can(prosecutor, "view", obj) for obj in objects.values())
    judge = demo.user("judge")
    judge.agency.is_active = False
    assert not any(access.can(judge, "view", obj) for obj in objects.values())


def test_excluding_a_person_from_the_case_takes_its_hearings_orders_and_deadlines_away(objects, demo):
    from cases import services as case_services

    case_services.exclude_from_case(demo.case("C1"), demo.user("clerk"), reason="Related to a defendant.",
                                    actor=demo.user("prosecutor"))
    clerk = demo.user("clerk")
    for name in ("trial day (C1)", "witness V1 at the trial day", "no-contact order for V2",
                 "disclosure deadline (C1)", "order review deadline"):
        assert not access.can(clerk, "view", objects[name]), name


def test_the_ngo_sees_the_hearings_of_its_victims_only(objects, demo):
    """caseworker.br's NGO supports V5 (C4) only: no Lisbon hearing reaches it, even when its
    agency is added to the case for another reason."""
    caseworker_br = demo.user("caseworker.br")
    assert not access.visible(caseworker_br, Hearing).exists()
    # Once Casa Acolhida supports V1, it sees C1's hearings (and V1's witness row, not V2's).
    from victims import services as victim_services

    victim_services.add_supporting_agency(demo.victim("V1"), caseworker_br.agency)
    assert access.can(caseworker_br, "view", objects["trial day (C1)"])
    rows = set(access.visible(caseworker_br, HearingWitness).values_list("victim__code", flat=True))
    assert rows == {demo.victim("V1").code}


def test_a_restricted_case_stays_with_its_team_whoever_supports_its_victims_or_issued_its_order(objects, demo):
    """Safe Harbour starts supporting V3, the victim of restricted C2: it sees V3's record and
    (through her safety file) the order protecting her, but not C2's hearings or V3's witness
    row in them; the court that issued the order does not see it. The team (the prosecutor)
    sees all of it."""
    from victims import services as victim_services

    v3, c2 = demo.victim("V3"), demo.case("C2")
    victim_services.add_supporting_agency(v3, demo.user("caseworker").agency)
    caseworker, clerk, prosecutor = demo.user("caseworker"), demo.user("clerk"), demo.user("prosecutor")
    assert access.can(caseworker, "view", v3)
    hearing = objects["hearing in restricted C2"]
    witness = HearingWitness.objects.create(hearing=hearing, victim=v3, appearance="video_link")
    order = ProtectionOrder.objects.create(
        victim=v3, case=c2, kind=ProtectionOrder.Kind.NO_CONTACT, issuing_court=hearing.court,
        issued_on=timezone.localdate(), effective_from=timezone.localdate(), conditions="No contact.",
        recorded_by=prosecutor)
    for obj in (hearing, witness, order):
        assert not access.can(clerk, "view", obj), obj
        assert access.can(prosecutor, "view", obj), obj
    assert not access.can(caseworker, "view", hearing) and not access.can(caseworker, "view", witness)
    assert access.can(caseworker, "view", order) and not access.can(caseworker, "view", c2)


def test_judges_record_their_own_absences_and_clerks_everyones(objects, demo):
    from . import factories

    leave = objects["judge's leave"]
    colleague = factories.user(demo.user("judge").agency, "judge")
    assert access.can(colleague, "view", leave)
    assert not access.can(colleague, "change", leave)
    assert access.can(demo.user("clerk"), "change", leave) and access.can(demo.user("judge"), "change", leave)
