"""Cases: opened over five years, walked through the lifecycle to the stage they are in now,
with the agencies taking part (one to three), a case team (two to four assignments, some
handed over), a few restricted, a few with exclusions, and their stage history. The demo
logins' agencies and the demo prosecutor, investigator, judge and caseworker get their share."""

import datetime

from django.contrib.auth.models import Group

from accounts.functions import AgencyKind as K, Function as F
from cases.models import Case, CaseAgency, CaseAssignment, CaseExclusion, CaseStageChange
from cases.models.vocabularies import CaseOrigin, ExploitationForm, InvestigationType

from .bulk import explicit_timestamps, insert
from .names import FORM_TITLES, NATIONALITIES, OPERATION_WORDS
from .state import Plan
from .world import CASE_SHARE

S = Case.Stage
R = CaseAgency.Role
T = CaseAssignment.TeamRole
CLOSED = (S.CLOSED, S.CLOSED_NO_CHARGE)
COURT_STAGES = (S.PRE_TRIAL, S.TRIAL, S.JUDGMENT, S.APPEAL)
# Days spent in a stage: (low, high, most likely).
DURATION = {S.INTAKE: (2, 60, 12), S.INVESTIGATION: (40, 620, 200), S.CHARGING: (7, 110, 35),
            S.PRE_TRIAL: (40, 330, 120), S.TRIAL: (20, 420, 150), S.JUDGMENT: (7, 90, 30), S.APPEAL: (90, 480, 240)}
FORMS = [(ExploitationForm.FORCED_LABOUR, 40), (ExploitationForm.SEXUAL, 34), (ExploitationForm.SERVITUDE, 7),
         (ExploitationForm.FORCED_BEGGING, 5), (ExploitationForm.FORCED_CRIMINALITY, 6),
         (ExploitationForm.FORCED_MARRIAGE, 3), (ExploitationForm.SLAVERY, 2), (ExploitationForm.ORGAN_REMOVAL, 1),
         (ExploitationForm.OTHER, 2)]
ORIGINS = [(CaseOrigin.VICTIM_COMPLAINT, 18), (CaseOrigin.NGO_REFERRAL, 15), (CaseOrigin.INSPECTION, 20),
           (CaseOrigin.BORDER_CONTROL, 10), (CaseOrigin.PROACTIVE, 14), (CaseOrigin.FOREIGN_REQUEST, 6),
           (CaseOrigin.HOTLINE, 9), (CaseOrigin.OTHER_CASE, 8)]
INVESTIGATION_TYPES = InvestigationType.values
CLOSURES = ["Insufficient evidence that the means element was used.", "The suspects could not be identified.",
            "The facts were found not to be trafficking; referred as a labour dispute.",
            "Statute of limitations; the victims were referred for support."]
SUMMARIES = ["Financial flows traced through money-transfer agencies.", "Phone records and social-media adverts "
             "analysed.", "Workers' statements corroborated by the labour inspection.", "Surveillance of the "
             "premises; wage records seized.", "Joint action with the border service at the airport."]


def build(world, counts):
    plans = sorted((_walk(world) for _ in range(world.sizes.cases)), key=lambda p: p.opened_at)
    for plan in plans:
        _parts(world, plan)
    _demo_agencies(world, plans)
    for plan in plans:
        _team(world, plan)
    _demo_team(world, plans)
    _insert(world, plans, counts)
    world.cases = plans


def _walk(world):
    rng = world.rng
    opened = world.day(-int(1826 * rng.random() ** 1.25))
    opened_at = min(world.working_time(opened), world.now - datetime.timedelta(hours=1))
    path, when, stage, returned = [(S.INTAKE, opened_at)], opened_at, S.INTAKE, False
    while True:
        low, high, mode = DURATION[stage]
        when = when + datetime.timedelta(days=rng.triangular(low, high, mode), hours=rng.randint(0, 9))
        if when >= world.now:
            break
        stage = _next(world, stage, returned)
        returned |= stage == S.INVESTIGATION and path[-1][0] == S.CHARGING
        path.append((stage, when))
        if stage in CLOSED:
            break
    forms = [world.weighted(FORMS)]
    if world.chance(0.15):
        forms = sorted({*forms, world.weighted(FORMS)})
    transnational = world.chance(0.4)
    child = world.chance(0.1)
    return Plan(
        opened=opened, opened_at=opened_at, path=path, stage=path[-1][0], stage_entered_at=path[-1][1],
        jur=world.weighted(list(CASE_SHARE.items())),
        forms=forms, transnational=transnational, child=child, restricted=world.chance(0.03),
        origin=world.weighted(ORIGINS), priority=Case.Priority.CHILD if child else (
            Case.Priority.HIGH if world.chance(0.2) else Case.Priority.NORMAL),
        countries=sorted({world.weighted([n for n in NATIONALITIES if n[0] != "PT"])
                          for _ in range(rng.choice((1, 1, 2)))}) if transnational else [],
        reached_court=any(stage in COURT_STAGES for stage, _at in path), team=[], parts={},
    )


def _next(world, stage, returned):
    chance = world.chance
    if stage == S.INTAKE:
        return S.CLOSED_NO_CHARGE if chance(0.06) else S.INVESTIGATION
    if stage == S.INVESTIGATION:
        return S.CLOSED_NO_CHARGE if chance(0.15) else S.CHARGING
    if stage == S.CHARGING:
        if chance(0.1):
            return S.CLOSED_NO_CHARGE
        return S.INVESTIGATION if not returned and chance(0.05) else S.PRE_TRIAL
    if stage == S.PRE_TRIAL:
        return S.CLOSED if chance(0.05) else S.TRIAL
    if stage == S.TRIAL:
        return S.JUDGMENT
    if stage == S.JUDGMENT:
        return S.APPEAL if chance(0.3) else S.CLOSED
    return S.CLOSED


def _pick(world, jur, kind, exclude=()):
    pool = [pk for pk in world.by_place[jur, kind] if pk not in exclude]
    return world.rng.choice(pool) if pool else None


def _parts(world, plan):
    """The agencies taking part: the police (alone only while a case is at intake), the
    prosecution, the court once the case reached it, else sometimes an NGO or the inspectorate."""
    demo = {world.agencies[key].pk for key in ("pt-police", "pt-prosecution", "pt-court", "pt-ngo")}
    police_kind = K.IMMIGRATION if plan.origin == CaseOrigin.BORDER_CONTROL and world.chance(0.6) else K.POLICE
    plan.parts[R.INVESTIGATING] = _pick(world, plan.jur, police_kind, demo) or _pick(world, plan.jur, K.POLICE, demo)
    if plan.stage != S.INTAKE or world.chance(0.55):
        plan.parts[R.PROSECUTING] = _pick(world, plan.jur, K.PROSECUTION, demo)
    if plan.reached_court:
        plan.parts[R.COURT] = _pick(world, plan.jur, K.COURT, demo)
    elif R.PROSECUTING in plan.parts:
        if plan.origin == CaseOrigin.INSPECTION and world.chance(0.3):
            plan.parts[R.INSPECTING] = _pick(world, plan.jur, K.LABOUR_INSPECTORATE)
        elif world.chance(0.35):
            plan.parts[R.SUPPORTING] = _pick(world, plan.jur, K.NGO, demo)
    plan.parts = {role: pk for role, pk in plan.parts.items() if pk is not None}


def _demo_agencies(world, plans):
    """The demo logins' agencies take part in exactly their share of the cases."""
    rng, sizes = world.rng, world.sizes

    def give(key, role, candidates, count):
        chosen = rng.sample(candidates, min(count, len(candidates)))
        for plan in chosen:
            plan.parts[role] = world.agencies[key].pk
        return chosen

    give("pt-police", R.INVESTIGATING, [p for p in plans if R.INVESTIGATING in p.parts], sizes.pt_police_cases)
    lisbon = [p for p in plans if p.jur == "lis"]
    give("pt-prosecution", R.PROSECUTING, [p for p in lisbon if R.PROSECUTING in p.parts], sizes.pt_prosecution_cases)
    give("pt-court", R.COURT, [p for p in lisbon if R.COURT in p.parts], sizes.pt_court_cases)
    supported = [p for p in lisbon if R.SUPPORTING in p.parts]
    give("pt-ngo", R.SUPPORTING, supported, len(supported) * 2 // 5)


def _team(world, plan):
    holders = [(T.LEAD_INVESTIGATOR, R.INVESTIGATING, (F.INVESTIGATOR,)),
               (T.PROSECUTOR, R.PROSECUTING, (F.PROSECUTOR,)), (T.JUDGE, R.COURT, (F.JUDGE,)),
               (T.NGO_CASEWORKER, R.SUPPORTING, (F.CASEWORKER,))]
    court_day = next((at.date() for stage, at in plan.path if stage == S.PRE_TRIAL), plan.opened)
    plan.team = []
    for team_role, role, functions in holders:
        agency = plan.parts.get(role)
        user = world.person_of(agency, *functions) if agency else None
        if user is not None:
            start = court_day if team_role == T.JUDGE else plan.opened
            plan.team.append([team_role, user, start, None, ""])


def _demo_team(world, plans):
    """The demo prosecutor, investigator, judge and caseworker on their share of the teams of
    their agencies' cases (a mix of open and closed, restricted ones included), and handovers."""
    rng, sizes, demo = world.rng, world.sizes, world.demo
    for username, key, role, count in (("prosecutor", "pt-prosecution", T.PROSECUTOR, sizes.prosecutor_team),
                                       ("investigator", "pt-police", T.LEAD_INVESTIGATOR, sizes.investigator_team),
                                       ("judge", "pt-court", T.JUDGE, sizes.judge_team),
                                       ("caseworker", "pt-ngo", T.NGO_CASEWORKER, sizes.caseworker_team)):
        agency = world.agencies[key].pk
        candidates = [p for p in plans if agency in p.parts.values() and any(m[0] == role for m in p.team)]
        for plan in rng.sample(candidates, min(count, len(candidates))):
            for member in plan.team:
                if member[0] == role:
                    member[1] = demo[username].pk
    for plan in plans:
        # A handover: the first holder left for another post; the team history keeps them.
        if len(plan.team) == 1 or world.chance(0.15):
            member = rng.choice([m for m in plan.team if m[0] in (T.LEAD_INVESTIGATOR, T.PROSECUTOR)] or plan.team)
            agency = world.user_agency[member[1]]
            function = {T.LEAD_INVESTIGATOR: F.INVESTIGATOR, T.PROSECUTOR: F.PROSECUTOR, T.JUDGE: F.JUDGE}.get(
                member[0], F.CASEWORKER)
            previous = world.colleague(agency, function, member[1])
            end = world.between(member[2], min(plan.stage_entered_at.date(), world.today)).date()
            if previous is not None:
                plan.team.append([member[0], previous, member[2], end, "Moved to another section."])
                member[2] = end
        plan.holder = {m[0]: m[1] for m in plan.team if m[3] is None}


def _insert(world, plans, counts):
    rng = world.rng
    groups = insert(Group, [Group(name=f"case-team:{rng.getrandbits(128):032x}") for _plan in plans])
    serial = {}
    rows = []
    for plan, group in zip(plans, groups):
        # Numbered per district and year; slices written at the same time take turns.
        count = serial[plan.jur, plan.opened.year] = serial.get((plan.jur, plan.opened.year), 0) + 1
        number = (count - 1) * world.slices + world.slice_index + 1
        plan.reference = f"NAT-{plan.jur.upper()}-{plan.opened.year}-{number:05d}"
        plan.team_group = group.pk
        plan.court = plan.parts.get(R.COURT)
        plan.created_by = plan.holder.get(T.LEAD_INVESTIGATOR) or plan.holder.get(T.PROSECUTOR)
        closure = rng.choice(CLOSURES) if plan.stage == S.CLOSED_NO_CHARGE else ""
        words = FORM_TITLES[plan.forms[0]]
        rows.append(Case(
            reference=plan.reference, title=f"Operation {rng.choice(OPERATION_WORDS)} {number}: {rng.choice(words)}",
            jurisdiction=world.jurisdictions[plan.jur], court_id=plan.court, opened_on=plan.opened, origin=plan.origin,
            investigation_type=rng.choice(INVESTIGATION_TYPES), parallel_financial_investigation=world.chance(0.2),
            exploitation_forms=plan.forms, stage=plan.stage, stage_entered_at=plan.stage_entered_at,
            closure_reason=closure, priority=plan.priority, is_transnational=plan.transnational,
            countries_of_origin=plan.countries, countries_of_transit=["ES"] if plan.transnational and world.chance(0.3)
            else [], countries_of_destination=["PT"] if plan.transnational else [], is_restricted=plan.restricted,
            investigation_summary=rng.choice(SUMMARIES), team_group_id=group.pk, created_by_id=plan.created_by,
            created_at=plan.opened_at, updated_at=plan.stage_entered_at, version=len(plan.path)))
    with explicit_timestamps(Case, "created_at", "updated_at"):
        for plan, case in zip(plans, insert(Case, rows, when=lambda c: c.created_at)):
            plan.id = case.pk
    counts["cases"] = len(plans)
    counts["agencies in cases"] = len(insert(CaseAgency, (
        CaseAgency(case_id=plan.id, agency_id=agency, role=role)
        for plan in plans for role, agency in plan.parts.items())))
    counts["team assignments"] = len(insert(CaseAssignment, (
        CaseAssignment(case_id=plan.id, user_id=user, team_role=role, started_on=start, ended_on=end, reason=reason)
        for plan in plans for role, user, start, end, reason in plan.team)))
    counts["stage changes"] = len(insert(CaseStageChange, _stage_changes(plans)))
    with explicit_timestamps(CaseExclusion, "created_at"):
        counts["exclusions"] = len(insert(CaseExclusion, _exclusions(world, plans)))


def _stage_changes(plans):
    for plan in plans:
        mover = plan.holder.get(T.PROSECUTOR) or plan.created_by
        for (before, _at), (after, at) in zip(plan.path, plan.path[1:]):
            by = plan.holder.get(T.LEAD_INVESTIGATOR, mover) if after in (S.INVESTIGATION, S.CHARGING) else mover
            reason = ""
            if after == S.INVESTIGATION and before == S.CHARGING:
                reason = "Further investigation of the recruiters' accounts."
            elif after == S.CLOSED_NO_CHARGE:
                reason = "See the reason for closing."
            yield CaseStageChange(case_id=plan.id, from_stage=before, to_stage=after, changed_at=at, changed_by_id=by,
                                  reason=reason)


def _exclusions(world, plans):
    """Someone of an agency taking part kept out of the case (a declared conflict of interest):
    about one case in two hundred, and the demo supervisor from a few of the office's cases."""
    supervisor = world.demo["supervisor"]
    office = world.agencies["pt-prosecution"].pk
    theirs = [p for p in plans if office in p.parts.values()]
    kept_out = {id(p) for p in world.rng.sample(theirs, min(len(theirs), max(1, round(5 * world.sizes.scale))))}
    for plan in plans:
        if id(plan) in kept_out:
            yield CaseExclusion(case_id=plan.id, user=supervisor, reason="Declared a family connection to a suspect.",
                                excluded_by_id=plan.holder.get(T.PROSECUTOR) or plan.created_by,
                                created_at=plan.opened_at)
        elif world.chance(0.005):
            on_team = {m[1] for m in plan.team}
            agency = world.rng.choice(list(plan.parts.values()))
            people = [u for f in world.staff[agency].values() for u in f if u not in on_team]
            if people:
                yield CaseExclusion(case_id=plan.id, user_id=world.rng.choice(people), excluded_by_id=plan.created_by,
                                    reason="Declared a conflict of interest.", created_at=plan.opened_at)
