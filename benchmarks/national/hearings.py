"""Hearings of the cases that reached a court, past (held, some adjourned to the next one,
a few cancelled or vacated) and coming (scheduled), in the courts' rooms before their judges,
with victim-witnesses and special measures for some."""

import datetime
from collections import defaultdict

from accounts.functions import Function as F
from cases.models import Case
from hearings.models import Hearing, HearingWitness, SpecialMeasure

from .bulk import explicit_timestamps, insert, reserve_ids
from .proceedings import entered
from .state import Plan

S = Case.Stage
H = Hearing.Kind
KIND_IN = {S.PRE_TRIAL: [(H.PRELIMINARY, 70), (H.DEPOSITION, 30)], S.TRIAL: [(H.TRIAL_DAY, 100)],
           S.JUDGMENT: [(H.SENTENCING, 100)], S.APPEAL: [(H.APPEAL, 100)]}
SLOTS = [(9, 30), (10, 0), (11, 0), (14, 0), (14, 30), (15, 30)]
ADJOURNMENTS = [("defence", "Defence counsel newly appointed and asked for time to prepare."),
                ("prosecution", "A witness abroad could not be reached in time."),
                ("court", "The interpreter booked did not appear."),
                ("victim", "The victim-witness was unwell; medical certificate filed.")]
CANCELLATIONS = ["The proceedings against this defendant were separated.", "Listed in error.",
                 "The court's schedule changed; a new date will be set."]
TESTIFYING = [("in_person", 55), ("video_link", 35), ("pre_recorded", 10)]
REASONS = "Fear of the defendants; the psychologist's report supports it."
MEASURES = ["screen", "video_link", "closed_session", "support_person", "safe_waiting_room", "separate_entrance",
            "interpreter"]


def build(world, counts):
    court_cases = [c for c in world.cases if c.court]
    if not court_cases:
        return
    per_case = _allocate(world, court_cases)
    slots_taken = set()
    rows, plans = [], []
    ids = iter(reserve_ids(Hearing, sum(per_case)))
    for case, count in zip(court_cases, per_case):
        start = entered(case, S.PRE_TRIAL)
        closed = case.stage in (S.CLOSED, S.CLOSED_NO_CHARGE)
        end = case.stage_entered_at if closed else world.now + datetime.timedelta(days=180)
        times = sorted(_slot(world, case.court, world.between(start, end), slots_taken) for _ in range(count))
        own = [(next(ids), room, at) for room, at in times]
        for index, (pk, room, at) in enumerate(own):
            later = own[index + 1][0] if index + 1 < len(own) else None
            row = _hearing(world, case, pk, room, at, later)
            rows.append(row)
            plans.append(Plan(id=pk, case=case, starts_at=at, status=row.status, prosecutor=row.prosecutor_id,
                              kind=row.kind))
    with explicit_timestamps(Hearing, "created_at", "updated_at"):
        # Keys reserved beforehand: an adjourned hearing names the one it was adjourned to
        # (foreign keys are checked at commit).
        saved = insert(Hearing, rows, when=lambda h: h.created_at)
    world.hearings = plans
    counts["hearings"] = len(saved)
    counts["adjourned"] = sum(1 for r in rows if r.status == Hearing.Status.ADJOURNED)
    counts["coming"] = sum(1 for r in rows if r.starts_at > world.now)
    witnesses = insert(HearingWitness, _witnesses(world, plans))
    counts["witnesses"] = len(witnesses)
    counts["special measures"] = len(insert(SpecialMeasure, _measures(world, witnesses)))


def _allocate(world, cases):
    """How many hearings each court case has: at least one, more the further it went."""
    weight = {S.PRE_TRIAL: 1, S.TRIAL: 3, S.JUDGMENT: 4, S.APPEAL: 5, S.CLOSED: 4, S.CLOSED_NO_CHARGE: 1}
    total = max(len(cases), world.sizes.hearings)
    per = [1] * len(cases)
    for index in world.rng.choices(range(len(cases)), [weight[c.stage] for c in cases], k=total - len(cases)):
        per[index] += 1
    return per


def _slot(world, court, when, taken):
    """A working day's slot in one of the court's rooms, free if one is found in a few tries."""
    rng = world.rng
    rooms = world.courtrooms.get(court) or [None]
    day = when.date()
    for _ in range(4):
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        room, (hour, minute) = rng.choice(rooms), rng.choice(SLOTS)
        if (room, day, hour) not in taken:
            break
        day += datetime.timedelta(days=rng.randint(1, 5))
    taken.add((room, day, hour))
    return room, world.at(day, hour, minute)


def _kind(world, case, at):
    stage = S.PRE_TRIAL
    for name, since in case.path:
        if since <= at and name in KIND_IN:
            stage = name
    return world.weighted(KIND_IN[stage])


def _hearing(world, case, pk, room, at, later):
    rng = world.rng
    judge = case.holder.get("judge") or world.person_of(case.court, F.JUDGE)
    row = Hearing(id=pk, case_id=case.id, kind=_kind(world, case, at), court_id=case.court, courtroom_id=room,
                  starts_at=at, duration_minutes=rng.choice((60, 90, 120, 120, 180, 240)), judge_id=judge,
                  prosecutor_id=case.holder.get("prosecutor"),
                  video_link=f"https://video.justice.example.pt/room-{room}" if room and rng.random() < 0.2 else "",
                  created_by_id=world.person_of(case.court, F.COURT_CLERK, F.JUDGE),
                  created_at=max(case.opened_at, at - datetime.timedelta(days=rng.randint(14, 120))))
    row.ends_at = at + datetime.timedelta(minutes=row.duration_minutes)
    row.created_at = min(row.created_at, world.now)
    row.updated_at = min(max(row.created_at, row.ends_at), world.now)
    if at > world.now:
        return row
    draw = rng.random()
    if draw < 0.12 and later is not None:
        row.status, row.adjourned_to_id = Hearing.Status.ADJOURNED, later
        row.adjournment_requested_by, row.adjournment_reason = rng.choice(ADJOURNMENTS)
    elif draw < 0.16:
        row.status, row.status_reason = Hearing.Status.CANCELLED, rng.choice(CANCELLATIONS)
    elif draw < 0.20:
        row.status, row.status_reason = Hearing.Status.VACATED, "The defendant pleaded; the trial day is not needed."
    else:
        row.status = Hearing.Status.HELD
    row.version = 2
    return row


def _witnesses(world, plans):
    rng = world.rng
    victims = defaultdict(list)
    for victim in world.victims:
        for case in victim.cases:
            victims[case.id].append(victim)
    chance = world.sizes.witnesses / max(1, sum(1 for p in plans if p.kind in (H.TRIAL_DAY, H.DEPOSITION)))
    for plan in plans:
        if plan.kind not in (H.TRIAL_DAY, H.DEPOSITION) or not victims[plan.case.id] or rng.random() > chance:
            continue
        for victim in rng.sample(victims[plan.case.id], min(len(victims[plan.case.id]), rng.choice((1, 1, 2)))):
            early = plan.kind == H.DEPOSITION and rng.random() < 0.15
            abroad = not early and victim.nationality != "PT" and rng.random() < 0.05
            language = "" if "pt" in victim.languages else victim.languages[0]
            row = HearingWitness(
                hearing_id=plan.id, victim_id=victim.id,
                appearance="video_link" if abroad else world.weighted(TESTIFYING),
                interpreter_language=language, interpreter_booked=bool(language) and rng.random() < 0.8,
                early_testimony=early,
                leaves_country_on=plan.starts_at.date() + datetime.timedelta(days=10) if early else None,
                testifies_from=victim.nationality if abroad else "")
            row.starts_at = plan.starts_at
            yield row


def _measures(world, witnesses):
    rng = world.rng
    for witness in witnesses:
        if rng.random() > 0.3:
            continue
        for measure in rng.sample(MEASURES, rng.randint(1, 2)):
            requested = (witness.starts_at - datetime.timedelta(days=rng.randint(10, 40))).date()
            decision = "pending" if witness.starts_at > world.now and rng.random() < 0.4 else world.weighted(
                [("granted", 75), ("granted_in_part", 10), ("refused", 15)])
            yield SpecialMeasure(
                witness_id=witness.pk, measure=measure,
                requested_by=rng.choice(["prosecution", "victim", "service_provider"]),
                requested_on=requested, defence_heard=decision != "pending", decision=decision,
                decided_on=None if decision == "pending" else min(requested + datetime.timedelta(days=5), world.today),
                decision_notes="" if decision == "pending" else REASONS)
