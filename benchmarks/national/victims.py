"""Victims with their identities (fake names from small lists), their links to cases, the NGOs
supporting them, the steps of their identification, consents, cooperation, reflection
periods and permits, and the few charged with an offence tied to their trafficking."""

import datetime

from accounts.functions import AgencyKind as K, Function as F
from cases.models import Case, CaseAgency, Charge, Defendant, ExploitationForm as Form
from victims.models import (
    Consent, CooperationWithAuthorities, Gender, Indicator, MethodOfControl, Recruitment, RecruitmentLure,
    ReflectionPeriod, ResidencePermit, StatusDecision, Victim, VictimCaseLink, VictimIdentity, VictimSupport,
)
from victims.models.record import CODE_ALPHABET
from victims.models.vocabularies import DecidingOrganisation, IdentificationChannel as Channel

from .bulk import explicit_timestamps, insert
from .names import LANGUAGES, NATIONALITIES, PLACES, person
from .state import Plan

S = Case.Stage
CHANNELS = {"inspection": Channel.INSPECTION, "border_control": Channel.BORDER_CONTROL, "hotline": Channel.HOTLINE,
            "ngo_referral": Channel.NGO_DROP_IN, "victim_complaint": Channel.SELF_REPORT}
CHILD_INDICATORS = ["child_unaccompanied", "child_with_unrelated_adult", "child_working", "child_no_school"]
ADULT_INDICATORS = [i for i in Indicator.values if i not in CHILD_INDICATORS]
FEMALE_SHARE = {Form.SEXUAL: 0.88, Form.SERVITUDE: 0.8, Form.FORCED_MARRIAGE: 0.95, Form.FORCED_LABOUR: 0.3}
CONTROL, RECRUITMENT, COOPERATION = MethodOfControl.values, Recruitment.values, CooperationWithAuthorities.Status.values
LURES = RecruitmentLure.values
LINK_ROLES = [("victim_witness", 55), ("complainant", 25), ("not_testifying", 20)]
CITIES = {"lis": "Lisboa", "por": "Porto", "coi": "Coimbra", "evo": "Évora"}


def build(world, counts):
    plans = _plans(world)
    rows = [_victim(world, plan) for plan in plans]
    with explicit_timestamps(Victim, "created_at", "updated_at"):
        for plan, victim in zip(plans, insert(Victim, rows, when=lambda v: v.created_at)):
            plan.id = victim.pk
    world.victims = plans
    counts["victims"] = len(plans)
    counts["identities"] = len(insert(VictimIdentity, (_identity(world, p) for p in plans)))
    counts["links to cases"] = len(insert(VictimCaseLink, (
        VictimCaseLink(victim_id=p.id, case_id=case.id, role=world.weighted(LINK_ROLES))
        for p in plans for case in p.cases)))
    _supporters(world, plans)
    counts["supporting agencies"] = len(insert(VictimSupport, _supports(world, plans)))
    counts["status decisions"] = len(insert(StatusDecision, _decisions(world, plans)))
    counts["consents"] = len(insert(Consent, _consents(world, plans)))
    counts["cooperation"] = len(insert(CooperationWithAuthorities, (
        CooperationWithAuthorities(victim_id=p.id, status=world.rng.choice(COOPERATION),
                                   since=p.created_at.date()) for p in plans if p.cases and world.chance(0.4))))
    counts["reflection periods"], counts["residence permits"] = _residence(world, plans)
    counts["defendants (victims charged)"], counts["charges"] = _charged_victims(world, plans)


def _plans(world):
    rng, cases = world.rng, world.cases
    linked = world.sizes.victims - round(world.sizes.victims * 0.05)
    assigned = [[case] for case in cases[:linked]]
    weights = [3 if c.transnational else 2 for c in cases]
    for case in rng.choices(cases, weights, k=max(0, linked - len(cases))):
        assigned.append([case])
    for links in assigned:
        if rng.random() < 0.04:
            other = rng.choice(cases)
            # A child victim makes each of their cases a child case: only such cases take one.
            if other is not links[0] and other.jur == links[0].jur and (other.child or not links[0].child):
                links.append(other)
    assigned += [[] for _ in range(world.sizes.victims - len(assigned))]
    seen_child = set()
    plans = []
    for links in assigned:
        first = links[0] if links else None
        child = bool(first and first.child and (id(first) not in seen_child or rng.random() < 0.5))
        if first is not None and first.child:
            seen_child.add(id(first))
        jur = first.jur if first else world.weighted([("lis", 36), ("por", 30), ("coi", 17), ("evo", 17)])
        opened = first.opened_at if first else world.now - datetime.timedelta(days=int(1800 * rng.random() ** 1.3))
        created = min(opened + datetime.timedelta(hours=rng.randint(1, 240)), world.now - datetime.timedelta(hours=1))
        plans.append(Plan(cases=links, child=child, jur=jur, created_at=created, supporter=None))
    return plans


def _victim(world, plan):
    rng = world.rng
    first = plan.cases[0] if plan.cases else None
    forms = first.forms if first else [rng.choice([Form.FORCED_LABOUR, Form.SEXUAL])]
    nationality = rng.choice(first.countries) if first and first.countries and rng.random() < 0.85 else (
        world.weighted(NATIONALITIES))
    female = rng.random() < FEMALE_SHARE.get(forms[0], 0.55)
    if plan.child:
        age_group = "child" if rng.random() < 0.7 else "in_doubt"
        age = rng.randint(11, 17)
    else:
        age_group, age = "adult", rng.randint(18, 58)
    if first is None:
        status = rng.choice(["potential", "presumed"])
    elif first.stage == S.INTAKE:
        status = "potential" if rng.random() < 0.4 else "presumed"
    else:
        status = "presumed" if rng.random() < 0.4 else "identified"
    recorder, agency = _recorder(world, plan)
    languages = LANGUAGES.get(nationality, ["en"])
    plan.nationality, plan.female, plan.age, plan.status = nationality, female, age, status
    plan.recorder, plan.agency, plan.languages = recorder, agency, languages
    plan.code = _code(world)
    adult_present = plan.child and rng.random() < 0.15
    return Victim(
        code=plan.code, status=status, sex=Gender.FEMALE if female else Gender.MALE, age_group=age_group,
        estimated_age=age if rng.random() < 0.7 else None, nationality=nationality, languages=languages,
        interpreter_needed="pt" not in languages, identification_channel=CHANNELS.get(
            first.origin if first else "", Channel.POLICE if first else Channel.OUTREACH),
        indicators=sorted(rng.sample(CHILD_INDICATORS if plan.child else ADULT_INDICATORS, rng.randint(2, 4))),
        exploitation_forms=forms, methods_of_control=sorted(rng.sample(CONTROL, rng.randint(1, 3))),
        recruitment=sorted(rng.sample(RECRUITMENT, rng.randint(1, 2))), recruitment_lures=[rng.choice(LURES)],
        has_accompanying_adult=adult_present,
        accompanying_adult_verified_on=plan.created_at.date() if adult_present and rng.random() < 0.5 else None,
        recorded_by_id=recorder, recording_agency_id=agency, created_at=plan.created_at,
        updated_at=world.between(plan.created_at, world.now), version=1 + (status == "identified"))


def _code(world):
    """A new victim code; each slice of the work draws the first letter from its own part of
    the alphabet, so slices written at the same time never make the same code."""
    codes = world.victim_codes
    if codes is None:
        codes = world.victim_codes = set(Victim.objects.values_list("code", flat=True))
    first = CODE_ALPHABET[world.slice_index::world.slices]
    while True:
        code = "V-" + world.rng.choice(first) + "".join(world.rng.choice(CODE_ALPHABET) for _ in range(7))
        if code not in codes:
            codes.add(code)
            return code


def _recorder(world, plan):
    """Who met the victim first: the case's investigator, a labour inspector, a caseworker."""
    first = plan.cases[0] if plan.cases else None
    if first is not None:
        inspector = first.parts.get(CaseAgency.Role.INSPECTING)
        if inspector and world.chance(0.7):
            return world.person_of(inspector, F.FRONTLINE), inspector
        lead = first.holder.get("lead_investigator") or first.created_by
        return lead, world.user_agency[lead]
    kind = K.LABOUR_INSPECTORATE if world.chance(0.4) else K.NGO
    agency = world.rng.choice(world.by_place[plan.jur, kind] or world.by_place[plan.jur, K.NGO])
    return world.person_of(agency, F.FRONTLINE, F.CASEWORKER), agency


def _identity(world, plan):
    rng = world.rng
    given, family = person(rng, plan.nationality, plan.female)
    dob = None
    if rng.random() < 0.7:
        dob = world.today - datetime.timedelta(days=plan.age * 365 + rng.randint(0, 364))
        if plan.age < 18 and dob + datetime.timedelta(days=18 * 365 + 5) <= world.today:
            dob += datetime.timedelta(days=10)
    identity = VictimIdentity(
        victim_id=plan.id, given_names=given, family_name=family if rng.random() < 0.9 else "", date_of_birth=dob,
        aliases=rng.choice(["", "", "", given[:3] + "a"]),
        mobile_phone=f"+351 9{rng.randint(10, 69)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        if rng.random() < 0.4 else "",
        guardian="Family Court, appointed guardian" if plan.child else "",
        accompanying_adult="Man stating he is the uncle" if plan.child and rng.random() < 0.15 else "")
    # The same draws in the same order as before the address had parts: the rest of the world
    # generated after this stays as it was.
    if rng.random() < 0.3:
        identity.mailing_street = f"{rng.choice(PLACES)} {rng.randint(1, 200)}"
        identity.mailing_city, identity.mailing_country = CITIES[plan.jur], "PT"
    return identity


def _supporters(world, plans):
    """Which NGO supports whom: the NGO taking part in the victim's case, or one of the district;
    the demo caseworker's NGO exactly its share, from the Lisbon district first."""
    rng = world.rng
    pt_ngo = world.agencies["pt-ngo"].pk
    lisbon = [p for p in plans if p.jur == "lis"]
    theirs = [p for p in lisbon if any(c.parts.get(CaseAgency.Role.SUPPORTING) == pt_ngo for c in p.cases)]
    taken = {id(p) for p in theirs}
    others = [p for p in lisbon if id(p) not in taken] if len(theirs) < world.sizes.pt_ngo_victims else []
    wanted = world.sizes.pt_ngo_victims
    chosen = theirs[:wanted] + rng.sample(others, min(len(others), max(0, wanted - len(theirs))))
    for plan in chosen:
        plan.supporter = pt_ngo
    for plan in plans:
        if plan.supporter is None and rng.random() < 0.6:
            named = [c.parts[CaseAgency.Role.SUPPORTING] for c in plan.cases if CaseAgency.Role.SUPPORTING in c.parts]
            ngos = [a for a in world.by_place[plan.jur, K.NGO] if a != pt_ngo]
            plan.supporter = named[0] if named and named[0] != pt_ngo else rng.choice(ngos)


def _supports(world, plans):
    rng = world.rng
    for plan in plans:
        if plan.supporter is None:
            continue
        start = (plan.created_at + datetime.timedelta(days=rng.randint(0, 20))).date()
        plan.support_start = min(start, world.today)
        if plan.supporter != world.agencies["pt-ngo"].pk and rng.random() < 0.12:
            # Supported by another NGO first, until it moved on.
            ngos = [a for a in world.by_place[plan.jur, K.NGO] if a != plan.supporter]
            if ngos:
                end = min(plan.support_start + datetime.timedelta(days=rng.randint(10, 200)), world.today)
                yield VictimSupport(victim_id=plan.id, agency_id=rng.choice(ngos), started_on=plan.support_start,
                                    ended_on=end)
        yield VictimSupport(victim_id=plan.id, agency_id=plan.supporter, started_on=plan.support_start)


def _decisions(world, plans):
    for plan in plans:
        if plan.status == "potential":
            continue
        authority, kind = ("Police", DecidingOrganisation.POLICE) if not plan.cases else (
            "Public Prosecution Service", DecidingOrganisation.COURT_OR_PROSECUTION)
        presumed = plan.created_at.date()
        yield StatusDecision(victim_id=plan.id, status="presumed", decided_on=presumed, authority=authority,
                             deciding_organisation=kind, criteria="Indicators observed at first contact.",
                             recorded_by_id=plan.recorder)
        if plan.status == "identified":
            yield StatusDecision(victim_id=plan.id, status="identified", authority=authority, deciding_organisation=kind,
                                 decided_on=min(presumed + datetime.timedelta(days=world.rng.randint(10, 120)),
                                                world.today),
                                 criteria="Statements corroborated by the investigation.", recorded_by_id=plan.recorder)


def _consents(world, plans):
    """Consent to process the victim's data, taken by the supporting NGO; a few consents to
    share the record with the prosecution office of the case."""
    for plan in plans:
        caseworker = world.person_of(plan.supporter, F.CASEWORKER) if plan.supporter else None
        if caseworker is not None:
            yield Consent(victim_id=plan.id, purpose=Consent.Purpose.DATA_PROCESSING, given_on=plan.support_start,
                          informed=True, recorded_by_id=caseworker)
            office = next((c.parts.get(CaseAgency.Role.PROSECUTING) for c in plan.cases), None)
            if office and world.chance(0.05):
                yield Consent(victim_id=plan.id, purpose=Consent.Purpose.SHARE_RECORD, agency_id=office,
                              given_on=plan.support_start, informed=True, recorded_by_id=caseworker)


def _residence(world, plans):
    rng = world.rng
    foreign = [p for p in plans if p.nationality != "PT" and p.cases]
    periods = [ReflectionPeriod(victim_id=p.id, jurisdiction=world.jurisdictions[p.jur],
                                started_on=p.created_at.date(), granted_by="Immigration service",
                                ends_on=p.created_at.date() + datetime.timedelta(
                                    days=world.jurisdictions[p.jur].reflection_period_days))
               for p in foreign if rng.random() < 0.08]
    periods = insert(ReflectionPeriod, periods)
    permits = []
    for plan in foreign:
        if rng.random() < 0.05:
            issued = min(plan.created_at.date() + datetime.timedelta(days=rng.randint(30, 120)), world.today)
            expires = issued + datetime.timedelta(days=365)
            status = "expired" if expires < world.today else "granted"
            permits.append(ResidencePermit(victim_id=plan.id, kind="victim", status=status, issued_on=issued,
                                           applied_on=plan.created_at.date(), expires_on=expires))
    permits = insert(ResidencePermit, permits)
    world.reflection_periods, world.permits = periods, permits
    return len(periods), len(permits)


def _charged_victims(world, plans):
    """Victims charged over an offence tied to their trafficking (a false passport, illegal
    work): the non-criminalisation flag [PR 1.2.2]."""
    rng = world.rng
    # Cases still before judgment: a judged case has a verdict on every charge.
    candidates = [p for p in plans if p.cases and p.cases[0].stage in (S.INVESTIGATION, S.CHARGING, S.PRE_TRIAL,
                                                                        S.TRIAL)]
    chosen = rng.sample(candidates, min(len(candidates), world.noncriminalisation))
    rows = [Defendant(case_id=p.cases[0].id, name=f"Victim {p.code} (same person)", victim_id=p.id,
                      nationality=p.nationality) for p in chosen]
    saved = insert(Defendant, rows)
    statutes = {"immigration": "Law 23/2007 art. 181", "documents": "Penal Code art. 256",
                "illegal_work": "Law 23/2007 art. 185-A"}
    charges = []
    for plan, defendant in zip(chosen, saved):
        offence = rng.choice(list(statutes))
        filed = plan.cases[0].stage in (S.PRE_TRIAL, S.TRIAL)
        charges.append(Charge(defendant_id=defendant.pk, statute_reference=statutes[offence], offence=offence,
                              status=Charge.Status.FILED if filed else Charge.Status.PROPOSED,
                              charged_on=plan.cases[0].stage_entered_at.date() if filed else None))
    charges = insert(Charge, charges)
    for plan, defendant in zip(chosen, saved):
        world.defendants[plan.cases[0].id].append(Plan(id=defendant.pk, natural=True, custody="at_liberty", limit=None,
                                                       case=plan.cases[0]))
    return len(saved), len(charges)
