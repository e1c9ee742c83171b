"""The stage lifecycle: every transition allowed and refused, with stamps, reasons and guards."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings

from accounts.models import Jurisdiction
from cases import lifecycle, services
from cases.models import Case, CaseStageChange, Charge, CooperationRequest, Defendant, StageTimeStandard, Verdict

S = Case.Stage


def at_stage(case, stage):
    Case.objects.filter(pk=case.pk).update(stage=stage)
    case.refresh_from_db()
    return case


def decide_every_charge(case):
    for charge in Charge.objects.filter(defendant__case=case):
        Verdict.objects.get_or_create(charge=charge, defaults={"outcome": "convicted", "decided_on": "2026-10-01"})


@pytest.mark.parametrize("transition", lifecycle.TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_every_transition_by_the_right_person(demo, transition):
    case = at_stage(demo.case("C1"), transition.source)  # C1 has filed charges
    if transition.target == S.JUDGMENT:
        decide_every_charge(case)
    actor = demo.user("prosecutor")
    version = case.version
    moved = lifecycle.move(case, transition.target, actor=actor, reason="Recorded for the test")
    assert moved.stage == transition.target
    change = CaseStageChange.objects.filter(case=case).latest("changed_at")
    assert (change.from_stage, change.to_stage, change.changed_by) == (transition.source, transition.target, actor)
    assert moved.stage_entered_at == change.changed_at
    assert moved.version == version + 1


def test_a_move_that_is_not_in_the_lifecycle_is_refused(demo):
    case = demo.case("C3")  # intake
    with pytest.raises(ValidationError, match="cannot move to “Trial”"):
        lifecycle.move(case, S.TRIAL, actor=demo.user("prosecutor"))
    case.refresh_from_db()
    assert case.stage == S.INTAKE and not case.stage_changes.exists()


def test_charging_decisions_belong_to_prosecutors(demo):
    case = at_stage(demo.case("C1"), S.CHARGING)
    with pytest.raises(PermissionDenied, match="Only prosecutor"):
        lifecycle.move(case, S.PRE_TRIAL, actor=demo.user("investigator"))
    assert Case.objects.get(pk=case.pk).stage == S.CHARGING


def test_people_without_the_right_to_edit_cannot_move_a_case(demo):
    case = demo.case("C1")
    with pytest.raises(PermissionDenied):
        lifecycle.move(case, S.TRIAL, actor=demo.user("judge"))  # sees C1, may not edit it
    with pytest.raises(Http404):
        lifecycle.move(demo.case("C4"), S.CHARGING, actor=demo.user("prosecutor"))  # cannot see C4


def test_investigators_open_investigations(demo):
    case = lifecycle.move(demo.case("C3"), S.INVESTIGATION, actor=demo.user("investigator"))
    assert case.stage == S.INVESTIGATION


@pytest.mark.parametrize("source", [S.INTAKE, S.INVESTIGATION, S.CHARGING])
def test_closing_without_charge_needs_a_reason(demo, source):
    case = at_stage(demo.case("C1"), source)
    with pytest.raises(ValidationError, match="needs a reason"):
        lifecycle.move(case, S.CLOSED_NO_CHARGE, actor=demo.user("prosecutor"), reason="  ")
    closed = lifecycle.move(case, S.CLOSED_NO_CHARGE, actor=demo.user("prosecutor"),
                            reason="Insufficient evidence of the means element")
    assert closed.closure_reason == "Insufficient evidence of the means element"


def test_charging_needs_a_filed_charge(demo):
    case = at_stage(demo.case("C2"), S.CHARGING)  # its defendant has no charge
    with pytest.raises(ValidationError, match="at least one filed charge"):
        lifecycle.move(case, S.PRE_TRIAL, actor=demo.user("prosecutor"))
    Charge.objects.create(defendant=case.defendants.get(), statute_reference="PC 160", offence="trafficking",
                          status=Charge.Status.WITHDRAWN)
    with pytest.raises(ValidationError):
        lifecycle.move(case, S.PRE_TRIAL, actor=demo.user("prosecutor"))


def test_judgment_needs_a_verdict_on_every_live_charge(demo):
    case = at_stage(demo.case("C1"), S.TRIAL)
    with pytest.raises(ValidationError, match="verdict on every charge"):
        lifecycle.move(case, S.JUDGMENT, actor=demo.user("prosecutor"))
    decide_every_charge(case)
    assert lifecycle.move(case, S.JUDGMENT, actor=demo.user("prosecutor")).stage == S.JUDGMENT


def test_available_transitions_depend_on_function(demo):
    case = at_stage(demo.case("C1"), S.INVESTIGATION)
    investigator = {t.target for t in lifecycle.available_transitions(case, demo.user("investigator"))}
    prosecutor = {t.target for t in lifecycle.available_transitions(case, demo.user("prosecutor"))}
    assert investigator == {S.CHARGING}
    assert prosecutor == {S.CHARGING, S.CLOSED_NO_CHARGE}
    assert lifecycle.available_transitions(case, demo.user("clerk")) == []


@override_settings(CASE_STAGE_STANDARD_DAYS={"investigation": (300, 120)})
def test_stage_standards_per_jurisdiction_and_stricter_for_children(demo):
    case = at_stage(demo.case("C1"), S.INVESTIGATION)
    assert lifecycle.stage_standard_days(case, is_child=False) == 300
    assert lifecycle.stage_standard_days(case, is_child=True) == 120
    StageTimeStandard.objects.create(jurisdiction=case.jurisdiction, stage=S.INVESTIGATION, days=200, child_days=90)
    assert lifecycle.stage_standard_days(case, is_child=False) == 200
    assert lifecycle.stage_standard_days(case, is_child=True) == 90
    other = Jurisdiction.objects.get(country="BR")
    assert lifecycle.standards_table([other.pk]) == {}
    assert lifecycle.stage_standard_days(at_stage(case, S.CLOSED), is_child=False) is None


def test_a_public_official_defendant_restricts_the_case(demo):
    case = demo.case("C1")
    assert not case.is_restricted
    services.save_defendant(Defendant(case=case, name="Border officer", is_public_official=True))
    case.refresh_from_db()
    assert case.is_restricted
    import access

    assert not access.can(demo.user("clerk"), "view", case)
    assert access.can(demo.user("judge"), "view", case)  # on the team


def test_a_refused_extradition_opens_the_extradite_or_prosecute_follow_up(demo):
    request = CooperationRequest.objects.create(
        case=demo.case("C1"), kind="extradition", requesting_state="PT", requested_state="BR",
        status="refused", refusal_reason="Own national",
    )
    assert request.follow_up == CooperationRequest.FollowUp.PENDING
