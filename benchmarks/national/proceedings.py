"""Defendants (natural and legal persons; a public official in each restricted case), their
charges, and the verdicts and appeals of the cases that reached judgment: every case the
lifecycle let past charging has a filed charge, every case past trial a verdict on each
charge that was not withdrawn."""

import datetime
from decimal import Decimal

from cases.models import Appeal, Case, Charge, Defendant, Verdict
from cases.models.vocabularies import Act, Means, PerpetratorRole

from .bulk import insert
from .names import NATIONALITIES, company, person
from .state import Plan

S = Case.Stage
STATUTES = {
    "trafficking": "Penal Code art. 160", "attempt": "Penal Code art. 160 and 22",
    "accomplice": "Penal Code art. 160 and 27", "organising": "Penal Code art. 160(1) and 299",
    "forced_labour": "Penal Code art. 159", "slavery": "Penal Code art. 159",
    "sexual_exploitation": "Penal Code art. 169", "documents": "Penal Code art. 256",
    "money_laundering": "Penal Code art. 368-A", "corruption": "Penal Code art. 373",
    "witness_intimidation": "Penal Code art. 347", "immigration": "Law 23/2007 art. 183",
}
OFFENCES = [("trafficking", 55), ("attempt", 3), ("accomplice", 8), ("organising", 4), ("forced_labour", 6),
            ("sexual_exploitation", 6), ("documents", 5), ("money_laundering", 7), ("corruption", 2),
            ("witness_intimidation", 2), ("immigration", 2)]
PAST_CHARGING = (S.PRE_TRIAL, S.TRIAL, S.JUDGMENT, S.APPEAL)
# Choices' values, read once (each .values builds a new list).
ACTS, MEANS, ROLES = Act.values, Means.values, [(role, 1) for role in PerpetratorRole.values]
AGGRAVATIONS, APPELLANTS = Verdict.Aggravation.values, Appeal.Appellant.values


def build(world, counts, charge_target):
    plans = [p for p in world.cases if len(p.path) > 1 or p.stage != S.INTAKE]
    people = []
    for plan in plans:
        if plan.path[1][0] == S.CLOSED_NO_CHARGE and world.chance(0.5):
            continue  # closed at intake: nobody was identified
        count = 1
        while count < 6 and world.chance(0.33):
            count += 1
        for index in range(count):
            people.append((plan, _defendant(world, plan, official=plan.restricted and index == 0)))
    saved = insert(Defendant, (row for _plan, row in people))
    for (plan, row), defendant in zip(people, saved):
        world.defendants[plan.id].append(Plan(id=defendant.pk, natural=row.kind == Defendant.Kind.NATURAL,
                                              custody=row.custody, limit=row.detention_limit_on, case=plan))
    counts["defendants"] = len(saved)
    charges = _charges(world, people, saved, charge_target)
    counts["charges"] = len(charges)
    verdicts = _verdicts(world, charges)
    counts["verdicts"] = len(verdicts)
    counts["appeals"] = len(insert(Appeal, _appeals(world, verdicts)))


def entered(plan, stage):
    """When the case entered `stage` (the last time), or None."""
    return next((at for name, at in reversed(plan.path) if name == stage), None)


def _defendant(world, plan, official=False):
    rng = world.rng
    legal = not official and rng.random() < 0.15
    nationality = rng.choice(plan.countries) if plan.countries and rng.random() < 0.5 else (
        "PT" if rng.random() < 0.6 else world.weighted(NATIONALITIES))
    roles = sorted({world.weighted(ROLES) for _ in range(rng.choice((1, 1, 2)))})
    row = Defendant(case_id=plan.id, kind=Defendant.Kind.LEGAL if legal else Defendant.Kind.NATURAL,
                    nationality=nationality, roles=[PerpetratorRole.EXPLOITER] if legal else roles,
                    is_organised_crime=rng.random() < 0.3)
    if legal:
        row.name, row.registration_number = company(rng), f"PT5{rng.randint(10000000, 99999999)}"
        return row
    given, family = person(rng, nationality, rng.random() < 0.3)
    row.name = f"{given} {family}"
    row.date_of_birth = world.day(-rng.randint(20 * 365, 65 * 365))
    if official:
        row.is_public_official, row.official_position = True, rng.choice(
            ["Municipal licensing officer", "Border guard", "Police officer", "Labour inspector"])
        row.roles = [PerpetratorRole.FACILITATOR]
    if plan.stage in (S.PRE_TRIAL, S.TRIAL) and rng.random() < 0.15:
        row.custody = Defendant.Custody.PRE_TRIAL_DETENTION
        row.arrested_on = row.detention_started_on = max(plan.opened, world.day(-rng.randint(5, 400)))
        row.detention_limit_on = max(world.day(rng.randint(1, 420)), row.detention_started_on + datetime.timedelta(1))
    elif plan.stage in (S.PRE_TRIAL, S.TRIAL, S.CHARGING) and rng.random() < 0.2:
        row.custody, row.bail_conditions = Defendant.Custody.BAIL, "Report to the police weekly; passport surrendered."
        row.arrested_on = plan.opened
    elif plan.stage in (S.JUDGMENT, S.APPEAL) and rng.random() < 0.5:
        row.custody = Defendant.Custody.SERVING_SENTENCE
    elif rng.random() < 0.05:
        row.custody = Defendant.Custody.FUGITIVE
    return row


def _status(world, plan):
    chance = world.chance
    if plan.stage in (S.INTAKE, S.INVESTIGATION):
        return Charge.Status.PROPOSED
    if plan.stage == S.CLOSED_NO_CHARGE:
        return Charge.Status.WITHDRAWN if chance(0.6) else Charge.Status.PROPOSED
    if plan.stage == S.CHARGING:
        return Charge.Status.PROPOSED if chance(0.6) else Charge.Status.FILED
    return Charge.Status.WITHDRAWN if chance(0.07) else (Charge.Status.AMENDED if chance(0.1) else Charge.Status.FILED)


def _charges(world, people, saved, target):
    rng = world.rng
    per = [1] * len(saved)
    for index in rng.choices(range(len(saved)), k=max(0, target - len(saved))) if saved else []:
        per[index] += 1
    rows, filed = [], set()
    for ((plan, _row), defendant), count in zip(zip(people, saved), per):
        for _ in range(count):
            status = _status(world, plan)
            offence = world.weighted(OFFENCES)
            day = entered(plan, S.CHARGING) or entered(plan, S.PRE_TRIAL)
            rows.append(Charge(
                defendant_id=defendant.pk, statute_reference=STATUTES[offence], offence=offence, status=status,
                acts=sorted(rng.sample(ACTS, rng.randint(1, 3))),
                means=sorted(rng.sample(MEANS, rng.randint(0, 2))), exploitation_forms=plan.forms,
                charged_on=day.date() if day and status in (Charge.Status.FILED, Charge.Status.AMENDED) else None))
            if status in (Charge.Status.FILED, Charge.Status.AMENDED):
                filed.add(plan.id)
            rows[-1].plan = plan
    # A case past charging went through the guard: at least one filed charge.
    for row in rows:
        if row.plan.stage in PAST_CHARGING or (row.plan.stage == S.CLOSED and entered(row.plan, S.PRE_TRIAL)):
            if row.plan.id not in filed:
                row.status, row.charged_on = Charge.Status.FILED, (entered(row.plan, S.PRE_TRIAL)).date()
                filed.add(row.plan.id)
    saved_rows = insert(Charge, rows)
    for row, charge in zip(rows, saved_rows):
        charge.plan = row.plan
    return saved_rows


def _verdicts(world, charges):
    rng = world.rng
    rows = []
    for charge in charges:
        judged = entered(charge.plan, S.JUDGMENT)
        if judged is None or charge.status == Charge.Status.WITHDRAWN:
            continue
        outcome = world.weighted([("convicted", 58), ("convicted_lesser", 12), ("acquitted", 25), ("dismissed", 5)])
        convicted = outcome.startswith("convicted")
        row = Verdict(charge_id=charge.pk, outcome=outcome, decided_on=judged.date(),
                      custodial_months=rng.randint(12, 192) if convicted and rng.random() < 0.85 else None,
                      suspended=convicted and rng.random() < 0.2,
                      aggravating_circumstances=sorted(rng.sample(AGGRAVATIONS, rng.randint(0, 2)))
                      if convicted else [])
        if convicted and rng.random() < 0.25:
            row.fine_amount, row.currency = Decimal(rng.randint(5, 500) * 100), "EUR"
        row.plan = charge.plan
        rows.append(row)
    saved = insert(Verdict, rows)
    for row, verdict in zip(rows, saved):
        verdict.plan = row.plan
    return saved


def _appeals(world, verdicts):
    appealed = set()
    for verdict in verdicts:
        plan = verdict.plan
        filed = entered(plan, S.APPEAL)
        if filed is None or plan.id in appealed:
            continue
        appealed.add(plan.id)
        closed = entered(plan, S.CLOSED) if plan.stage == S.CLOSED else None
        yield Appeal(verdict_id=verdict.pk, appellant=world.rng.choice(APPELLANTS), filed_on=filed.date(),
                     outcome=world.rng.choice(["upheld", "modified", "overturned"]) if closed else "pending",
                     decided_on=closed.date() if closed else None)
