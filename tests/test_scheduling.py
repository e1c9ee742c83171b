"""Each scheduling rule through the services [SPEC 2.5], adjournment counting and closing a
hearing. Warnings stop a save until confirmed by key; absolute problems stop it whatever is
confirmed; nothing is written when a save is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Agency
from cases.models import Case, Defendant
from hearings import services
from hearings.models import Courtroom, Hearing, HearingWitness, SpecialMeasure
from hearings.scheduling import ScheduleWarnings
from victims import services as victim_services
from victims.models import VictimCaseLink

from . import factories

COURT = "Lisbon Criminal Court"
W = HearingWitness.Appearance
M = SpecialMeasure.Measure
D = SpecialMeasure.Decision


def at(days, hour, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class World:
    """The demo court calendar, by name."""

    def __init__(self, demo):
        self.demo = demo
        self.court = Agency.objects.get(name=COURT)
        self.room1 = Courtroom.objects.get(court=self.court, name="Room 1")  # safe waiting room
        self.room2 = Courtroom.objects.get(court=self.court, name="Room 2")  # none
        self.c1 = demo.case("C1")
        self.trial = Hearing.objects.get(case=self.c1, status=Hearing.Status.SCHEDULED)  # today+7 09:30, Room 1
        self.prosecutor, self.judge, self.clerk = (demo.user(u) for u in ("prosecutor", "judge", "clerk"))
        self.v1, self.v2 = demo.victim("V1"), demo.victim("V2")

    def hearing(self, case=None, **fields):
        fields.setdefault("kind", Hearing.Kind.PRELIMINARY)
        fields.setdefault("court", self.court)
        fields.setdefault("courtroom", self.room2)
        fields.setdefault("starts_at", at(12, 10))
        fields.setdefault("duration_minutes", 60)
        return Hearing(case=case or self.c1, **fields)

    def schedule(self, actor=None, confirmed=(), **fields):
        return services.schedule(self.hearing(**fields), actor=actor or self.prosecutor, confirmed=confirmed)

    def witness(self, hearing, confirmed=(), actor=None, **fields):
        return services.save_witness(HearingWitness(hearing=hearing, **fields), actor=actor or self.prosecutor,
                                     confirmed=confirmed)

    def measure(self, witness, measure, decision=D.GRANTED, appeal="", actor=None):
        decided = decision != D.PENDING
        return services.save_measure(SpecialMeasure(
            witness=witness, measure=measure, requested_by="prosecution",
            requested_on=timezone.localdate() - datetime.timedelta(days=5), defence_heard=decided, decision=decision,
            decided_on=timezone.localdate() - datetime.timedelta(days=1) if decided else None, appeal=appeal),
            actor=actor or self.judge)

    def case_without_defendants(self, *victims):
        case = factories.case(self.prosecutor, court=self.court)
        for victim in victims:
            victim_services.link_to_case(victim, case, VictimCaseLink.Role.VICTIM_WITNESS)
        return case


@pytest.fixture
def world(demo):
    return World(demo)


def warnings_of(call):
    with pytest.raises(ScheduleWarnings) as raised:
        call()
    return raised.value.problems


def refusal_of(call):
    with pytest.raises(ValidationError) as raised:
        call()
    return " ".join(raised.value.messages)


# --- Double bookings: warnings -------------------------------------------------------------------

def test_prosecutor_double_booked_is_a_warning_saving_waits_for_confirmation(world):
    before = Hearing.objects.count()
    clash = dict(starts_at=at(7, 10), prosecutor=world.prosecutor, video_link="https://video.example.pt/x")
    problems = warnings_of(lambda: world.schedule(**clash))
    assert [(p.code, p.absolute) for p in problems] == [("prosecutor_double_booked", False)]
    assert problems[0].key == f"prosecutor_double_booked:{world.trial.pk}"
    # The prosecutor sees which hearing: she may see it.
    assert "PT-LIS-2026-0001, Trial day at Lisbon Criminal Court, Room 1" in problems[0].message
    assert Hearing.objects.count() == before

    # Confirming something else does not count; confirming this warning saves.
    warnings_of(lambda: world.schedule(confirmed=["judge_double_booked:1"], **clash))
    assert Hearing.objects.count() == before
    saved = world.schedule(confirmed=[problems[0].key], **clash)
    assert Hearing.objects.count() == before + 1
    row = Hearing.objects.get(pk=saved.pk)
    assert (row.prosecutor, row.status, row.video_link, row.created_by) == (
        world.prosecutor, "scheduled", "https://video.example.pt/x", world.prosecutor)


def test_judge_double_booked(world):
    problems = warnings_of(lambda: world.schedule(starts_at=at(7, 12), judge=world.judge))
    assert [p.code for p in problems] == ["judge_double_booked"]
    assert "The judge is already sitting then" in problems[0].message
    world.schedule(starts_at=at(7, 12), judge=world.judge, confirmed=[problems[0].key])
    assert Hearing.objects.filter(judge=world.judge, starts_at=at(7, 12)).count() == 1


def test_courtroom_double_booked(world):
    problems = warnings_of(lambda: world.schedule(starts_at=at(7, 9), courtroom=world.room1))
    assert [p.code for p in problems] == ["courtroom_double_booked"]
    assert "The courtroom is already booked then" in problems[0].message
    # Right after the trial day ends (09:30 + 4 h) the room is free.
    saved = world.schedule(starts_at=at(7, 13, 30), courtroom=world.room1)
    assert saved.pk is not None


def test_a_clash_the_user_may_not_see_is_not_described(world, demo):
    """Someone else's hearing in a case the judge cannot see: only its time is told."""
    c2 = demo.case("C2")  # restricted: its team is the prosecutor alone
    other = Hearing.objects.create(case=c2, kind=Hearing.Kind.PRELIMINARY, court=world.court,
                                   courtroom=world.room2, starts_at=at(15, 10), duration_minutes=60)
    problems = warnings_of(lambda: world.schedule(actor=world.clerk, starts_at=at(15, 10, 30)))
    assert [p.code for p in problems] == ["courtroom_double_booked"]
    assert "another hearing (" in problems[0].message and c2.reference not in problems[0].message
    assert problems[0].key == f"courtroom_double_booked:{other.pk}"


def test_a_new_warning_after_confirmation_is_asked_again(world):
    first = warnings_of(lambda: world.schedule(starts_at=at(7, 10), prosecutor=world.prosecutor))
    # Between the two saves someone sets another hearing for the prosecutor at that time.
    other = world.schedule(starts_at=at(7, 10, 15), courtroom=world.room1, prosecutor=world.prosecutor,
                           confirmed=[p.key for p in first] + [f"courtroom_double_booked:{world.trial.pk}",
                                                                f"prosecutor_double_booked:{world.trial.pk}"])
    before = Hearing.objects.count()
    again = warnings_of(lambda: world.schedule(starts_at=at(7, 10), prosecutor=world.prosecutor,
                                               confirmed=[p.key for p in first]))
    assert [p.key for p in again] == [f"prosecutor_double_booked:{other.pk}"]
    assert Hearing.objects.count() == before


# --- The judge's leave: absolute -----------------------------------------------------------------

def test_a_judge_on_leave_cannot_be_given_a_hearing_whatever_is_confirmed(world):
    before = Hearing.objects.count()
    message = refusal_of(lambda: world.schedule(starts_at=at(31, 10), judge=world.judge,
                                                confirmed=["judge_unavailable", "judge_unavailable:1"]))
    # Why and how long the judge is away is the court's business: the prosecutor learns only that.
    assert "The judge is not available then." in message and "Annual leave" not in message
    leave = world.judge.unavailability.get()
    message = refusal_of(lambda: world.schedule(starts_at=at(31, 10), judge=world.judge, actor=world.clerk))
    assert f"The judge is not available from {leave.starts_on} to {leave.ends_on} (Annual leave)." in message
    assert Hearing.objects.count() == before
    # Moving an existing hearing into the leave is refused too.
    hearing = world.schedule(starts_at=at(20, 10), judge=world.judge)
    hearing.starts_at = at(37, 16)
    refusal_of(lambda: services.update(hearing, actor=world.prosecutor, version=hearing.version))
    assert Hearing.objects.get(pk=hearing.pk).starts_at == at(20, 10)
    # The day after the leave is fine.
    assert world.schedule(starts_at=at(38, 10), judge=world.judge).pk


# --- Victim-witness and defendant at court at the same time: absolute -----------------------------

def test_a_victim_witness_in_person_with_a_defendant_and_no_safe_waiting_room_is_refused(world):
    hearing = world.schedule(starts_at=at(12, 10))  # C1 has defendants; Room 2 has no safe waiting room
    message = refusal_of(lambda: world.witness(hearing, victim=world.v1, appearance=W.IN_PERSON))
    assert f"Victim-witness {world.v1.code} would be at court with a defendant" in message
    assert "João" not in message and "Silva" not in message
    assert not HearingWitness.objects.filter(hearing=hearing).exists()
    # No confirmation overrides it.
    refusal_of(lambda: world.witness(hearing, victim=world.v1, appearance=W.IN_PERSON,
                                     confirmed=[f"victim_meets_defendant:{world.v1.pk}"]))
    assert not HearingWitness.objects.filter(hearing=hearing).exists()


def test_allowed_in_room_1_which_has_a_safe_waiting_room(world):
    hearing = world.schedule(starts_at=at(12, 10), courtroom=world.room1)
    world.witness(hearing, victim=world.v1, appearance=W.IN_PERSON)
    assert HearingWitness.objects.filter(hearing=hearing, victim=world.v1, appearance=W.IN_PERSON).exists()
    # Moving that hearing to Room 2 is refused: the witness would then meet the defendant.
    hearing.courtroom = world.room2
    message = refusal_of(lambda: services.update(hearing, actor=world.prosecutor, version=hearing.version))
    assert "no safe waiting room" in message
    assert Hearing.objects.get(pk=hearing.pk).courtroom == world.room1


def test_allowed_by_video_link_or_pre_recorded_statement(world):
    hearing = world.schedule(starts_at=at(12, 10))
    world.witness(hearing, victim=world.v1, appearance=W.VIDEO_LINK)
    world.witness(hearing, victim=world.v2, appearance=W.PRE_RECORDED)
    assert HearingWitness.objects.filter(hearing=hearing).count() == 2


def test_allowed_once_the_court_grants_a_safe_waiting_room(world):
    hearing = world.schedule(starts_at=at(12, 10))
    witness = world.witness(hearing, victim=world.v1, appearance=W.VIDEO_LINK)
    measure = world.measure(witness, M.SAFE_WAITING_ROOM, decision=D.PENDING)
    witness.appearance = W.IN_PERSON
    refusal_of(lambda: services.save_witness(witness, actor=world.prosecutor))  # only requested, not granted
    assert HearingWitness.objects.get(pk=witness.pk).appearance == W.VIDEO_LINK
    measure.decision, measure.decided_on, measure.defence_heard = D.GRANTED, timezone.localdate(), True
    services.save_measure(measure, actor=world.judge)
    services.save_witness(witness, actor=world.prosecutor)
    assert HearingWitness.objects.get(pk=witness.pk).appearance == W.IN_PERSON


@pytest.mark.parametrize("decision,appeal,allowed", [
    (D.REFUSED, "", False),
    (D.REFUSED, SpecialMeasure.Appeal.LODGED, False),
    (D.REFUSED, SpecialMeasure.Appeal.OVERTURNED, True),  # refused, overturned on appeal: the measure stands
    (D.GRANTED, SpecialMeasure.Appeal.OVERTURNED, False),  # granted, overturned: it does not
    (D.GRANTED_IN_PART, "", True),
])
def test_a_measure_counts_as_the_court_decided_it_in_the_end(world, decision, appeal, allowed):
    hearing = world.schedule(starts_at=at(12, 10))
    witness = world.witness(hearing, victim=world.v1, appearance=W.VIDEO_LINK)
    world.measure(witness, M.SEPARATE_ENTRANCE, decision=decision, appeal=appeal)
    witness.appearance = W.IN_PERSON
    if allowed:
        services.save_witness(witness, actor=world.prosecutor)
    else:
        refusal_of(lambda: services.save_witness(witness, actor=world.prosecutor))
    assert HearingWitness.objects.get(pk=witness.pk).appearance == (W.IN_PERSON if allowed else W.VIDEO_LINK)


def test_the_victims_other_case_with_defendants_at_the_same_court_at_the_same_time(world):
    """V1 testifies in a case without defendants while C1's trial day (defendants present) runs
    in the same building: refused; on another day it is fine."""
    other_case = world.case_without_defendants(world.v1)
    assert not Defendant.objects.filter(case=other_case).exists()
    overlapping = world.schedule(case=other_case, starts_at=at(7, 10))
    message = refusal_of(lambda: world.witness(overlapping, victim=world.v1, appearance=W.IN_PERSON))
    assert f"Victim-witness {world.v1.code} would be at court with a defendant" in message
    assert not HearingWitness.objects.filter(hearing=overlapping).exists()
    other_day = world.schedule(case=other_case, starts_at=at(9, 10))
    world.witness(other_day, victim=world.v1, appearance=W.IN_PERSON)
    assert HearingWitness.objects.filter(hearing=other_day, victim=world.v1).exists()
    # A victim not in C1 may wait in the same building at the trial day's time.
    stranger = factories.victim(world.prosecutor)
    victim_services.link_to_case(stranger, other_case, VictimCaseLink.Role.VICTIM_WITNESS)
    world.witness(overlapping, victim=stranger, appearance=W.IN_PERSON)
    assert HearingWitness.objects.filter(hearing=overlapping, victim=stranger).exists()


# --- Interpreters, child cases, early testimony: warnings -----------------------------------------

def test_an_interpreter_needed_but_not_booked_is_a_warning(world):
    hearing = world.schedule(starts_at=at(12, 10))
    fields = dict(victim=world.v2, appearance=W.VIDEO_LINK, interpreter_language="Spanish")
    problems = warnings_of(lambda: world.witness(hearing, **fields))
    assert [(p.code, p.message) for p in problems] == [
        ("interpreter_not_booked", f"{world.v2.code} needs an interpreter for Spanish, not yet booked.")]
    assert not HearingWitness.objects.filter(hearing=hearing).exists()
    witness = world.witness(hearing, confirmed=[problems[0].key], **fields)
    assert HearingWitness.objects.get(pk=witness.pk).interpreter_booked is False
    # Once booked, the warning is gone.
    witness.interpreter_booked = True
    services.save_witness(witness, actor=world.prosecutor)
    assert not [p for p in services.scheduling.check(hearing) if p.code == "interpreter_not_booked"]


def test_a_child_case_waiting_behind_adult_cases_is_a_warning_that_hides_unseen_references(world, demo):
    c3 = demo.case("C3")  # a child case: make it wait for this court
    Case.objects.filter(pk=c3.pk).update(court=world.court, stage=Case.Stage.PRE_TRIAL)
    # The prosecution (on C3) is told which case.
    problems = warnings_of(lambda: world.schedule(starts_at=at(12, 10)))
    assert [p.code for p in problems] == ["child_case_waiting"]
    assert problems[0].message == ("1 child case at this court has no hearing before this one: child cases are "
                                   "heard first. Among them: PT-LIS-2026-0003.")
    # The clerk may not see C3: the count, never the reference.
    problems = warnings_of(lambda: world.schedule(actor=world.clerk, starts_at=at(12, 10)))
    assert problems[0].message == ("1 child case at this court has no hearing before this one: child cases are "
                                   "heard first.")
    assert "PT-LIS-2026-0003" not in problems[0].message
    # Once the child case has a hearing first, the adult case may follow.
    world.schedule(case=c3, starts_at=at(11, 10), confirmed=())
    assert world.schedule(starts_at=at(12, 10)).pk


def test_early_testimony_after_the_victim_leaves_the_country_is_a_warning(world):
    hearing = world.schedule(starts_at=at(12, 10))
    fields = dict(victim=world.v2, appearance=W.VIDEO_LINK, early_testimony=True,
                  leaves_country_on=timezone.localdate() + datetime.timedelta(days=10))
    problems = warnings_of(lambda: world.witness(hearing, **fields))
    assert [p.code for p in problems] == ["early_testimony_too_late"]
    assert f"{world.v2.code} leaves the country on" in problems[0].message
    assert not HearingWitness.objects.filter(hearing=hearing).exists()
    world.witness(hearing, confirmed=[problems[0].key], **fields)
    # Heard before the departure: no warning.
    early = world.schedule(starts_at=at(5, 10))
    world.witness(early, **fields)
    assert HearingWitness.objects.filter(hearing=early, early_testimony=True).exists()


# --- Adjournments -----------------------------------------------------------------------------------

def adjournment_count(case):
    return services.adjournments(Case.objects.filter(pk=case.pk)).get().adjournments


def test_adjourning_twice_counts_two_adjournments(world):
    case = world.case_without_defendants()
    hearing = world.schedule(case=case, starts_at=at(12, 10))
    assert adjournment_count(case) == 0
    hearing, second = services.adjourn(hearing, actor=world.prosecutor, version=hearing.version, reason="Illness",
                                       requested_by="defence", new_starts_at=at(14, 10))
    hearing, third = services.adjourn(second, actor=world.clerk, version=second.version, reason="No interpreter",
                                      requested_by="court", new_starts_at=at(16, 10))
    assert adjournment_count(case) == 2
    rows = Hearing.objects.filter(case=case).order_by("starts_at")
    assert [(h.status, h.adjournment_requested_by) for h in rows] == [
        ("adjourned", "defence"), ("adjourned", "court"), ("scheduled", "")]
    assert rows[0].adjourned_to == rows[1] and rows[1].adjourned_to == rows[2]
    # C1 had one adjournment in the demo; each is counted per case.
    assert adjournment_count(world.c1) == 1


@pytest.mark.parametrize("reason,requested_by", [("", "defence"), ("   ", "defence"), ("Illness", "")])
def test_an_adjournment_needs_its_reason_and_who_asked(world, reason, requested_by):
    hearing = world.trial
    message = refusal_of(lambda: services.adjourn(hearing, actor=world.prosecutor, version=hearing.version,
                                                  reason=reason, requested_by=requested_by, new_starts_at=at(9, 10)))
    assert message == "An adjournment needs its reason and who asked for it."
    assert Hearing.objects.get(pk=hearing.pk).status == "scheduled"
    assert adjournment_count(world.c1) == 1


def test_an_adjournment_with_a_stale_version_is_refused(world):
    hearing = world.trial
    message = refusal_of(lambda: services.adjourn(hearing, actor=world.prosecutor, version=hearing.version - 1,
                                                  reason="Illness", requested_by="defence"))
    assert "Someone else changed this record" in message
    assert Hearing.objects.get(pk=hearing.pk).status == "scheduled"


def test_the_follow_up_hearing_keeps_the_witnesses_and_the_courts_decisions(world):
    trial = world.trial
    _old, follow_up = services.adjourn(trial, actor=world.judge, version=trial.version, reason="Witness ill",
                                       requested_by="prosecution", new_starts_at=at(21, 9, 30))
    assert (follow_up.court, follow_up.courtroom, follow_up.judge, follow_up.prosecutor, follow_up.video_link) == (
        trial.court, trial.courtroom, trial.judge, trial.prosecutor, trial.video_link)
    copied = {w.victim.code: w for w in HearingWitness.objects.filter(hearing=follow_up).select_related("victim")}
    assert {code: (w.appearance, w.interpreter_language, w.interpreter_booked) for code, w in copied.items()} == {
        world.v1.code: ("in_person", "", False), world.v2.code: ("video_link", "Spanish", True)}
    measures = SpecialMeasure.objects.filter(witness=copied[world.v2.code]).order_by("measure")
    assert [(m.measure, m.decision, m.requested_by) for m in measures] == [
        ("service_provider", "pending", "prosecution"), ("video_link", "granted", "prosecution")]
    # The original keeps its own rows.
    assert HearingWitness.objects.filter(hearing=trial).count() == 2
    assert SpecialMeasure.objects.filter(witness__hearing=trial).count() == 2


def test_a_follow_up_in_a_room_without_a_safe_waiting_room_keeps_a_granted_safe_waiting_room(world):
    hearing = world.schedule(starts_at=at(12, 10))  # Room 2
    witness = world.witness(hearing, victim=world.v1, appearance=W.VIDEO_LINK)
    world.measure(witness, M.SAFE_WAITING_ROOM)
    witness.appearance = W.IN_PERSON
    services.save_witness(witness, actor=world.prosecutor)
    _old, follow_up = services.adjourn(hearing, actor=world.prosecutor, version=hearing.version,
                                       reason="Judge ill", requested_by="court", new_starts_at=at(19, 10))
    copy = HearingWitness.objects.get(hearing=follow_up)
    assert (copy.victim, copy.appearance) == (world.v1, "in_person")
    assert SpecialMeasure.objects.get(witness=copy).measure == M.SAFE_WAITING_ROOM


def test_a_follow_up_is_checked_too_and_nothing_is_written_when_refused(world):
    trial = world.trial
    before = Hearing.objects.count()
    message = refusal_of(lambda: services.adjourn(trial, actor=world.prosecutor, version=trial.version,
                                                  reason="Illness", requested_by="defence",
                                                  new_starts_at=at(32, 10)))  # the judge is on leave
    assert "The judge is not available" in message
    assert Hearing.objects.count() == before
    assert Hearing.objects.get(pk=trial.pk).status == "scheduled"


# --- Held, cancelled, vacated ---------------------------------------------------------------------

def test_held_cancelled_and_vacated(world):
    past = world.schedule(starts_at=timezone.now() - datetime.timedelta(days=2))
    future = world.schedule(starts_at=at(12, 10))
    later = world.schedule(starts_at=at(13, 10))

    message = refusal_of(lambda: services.close(future, actor=world.clerk, version=future.version, status="held"))
    assert message == "A hearing cannot have been held before it starts."
    services.close(past, actor=world.clerk, version=past.version, status="held")
    assert Hearing.objects.get(pk=past.pk).status == "held"

    future = Hearing.objects.get(pk=future.pk)  # (a refused call leaves the object as it was sent)
    version = future.version
    message = refusal_of(lambda: services.close(future, actor=world.clerk, version=version,
                                                status="cancelled", reason=" "))
    assert message == "Cancelling or vacating a hearing needs a reason."
    services.close(future, actor=world.clerk, version=version, status="cancelled", reason="Case settled")
    services.close(later, actor=world.judge, version=later.version, status="vacated", reason="Date needed for trial")
    assert {h.pk: (h.status, h.status_reason) for h in Hearing.objects.filter(pk__in=[future.pk, later.pk])} == {
        future.pk: ("cancelled", "Case settled"), later.pk: ("vacated", "Date needed for trial")}

    # Over is over; adjourning goes through adjourn.
    closed = Hearing.objects.get(pk=future.pk)
    assert "already cancelled" in refusal_of(lambda: services.close(
        closed, actor=world.clerk, version=closed.version, status="vacated", reason="x"))
    assert "Use adjourn" in refusal_of(lambda: services.close(
        later, actor=world.clerk, version=later.version, status="adjourned", reason="x"))
    # A cancelled hearing no longer occupies the prosecutor.
    assert world.schedule(starts_at=at(12, 10), prosecutor=world.prosecutor).pk


def test_only_the_prosecution_and_the_court_set_hearings(world, demo):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    for username in ("investigator", "caseworker", "focalpoint"):
        with pytest.raises(PermissionDenied):
            world.schedule(actor=demo.user(username))
    for username in ("auditor", "caseworker.br", "investigator.br"):
        with pytest.raises(Http404):
            world.schedule(actor=demo.user(username))
    assert world.schedule(actor=demo.user("supervisor")).pk
    assert world.schedule(actor=world.judge, starts_at=at(13, 10)).pk


def test_only_the_court_records_its_decision_on_a_special_measure(world):
    """A party may request a measure; granting it (which would lift the no-contact block) is the
    court's, and so are the defence's hearing and any appeal."""
    from django.core.exceptions import PermissionDenied

    hearing = world.schedule(courtroom=world.room1)
    witness = world.witness(hearing, victim=world.v1, appearance=W.VIDEO_LINK)
    with pytest.raises(PermissionDenied):
        world.measure(witness, M.SAFE_WAITING_ROOM, actor=world.prosecutor)
    assert not SpecialMeasure.objects.filter(witness=witness).exists()
    requested = world.measure(witness, M.SAFE_WAITING_ROOM, decision=D.PENDING, actor=world.prosecutor)
    requested.decision, requested.decided_on = D.GRANTED, timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.save_measure(requested, actor=world.prosecutor)
    assert SpecialMeasure.objects.get(pk=requested.pk).decision == D.PENDING
    services.save_measure(requested, actor=world.judge)
    assert SpecialMeasure.objects.get(pk=requested.pk).decision == D.GRANTED
